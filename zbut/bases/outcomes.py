"""The seven outcomes (тип клієнта, реакція) and their norms at first processing (PRODUCT.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    INTERESTED = "interested", _("Зацікавлений (гарячий)")
    WARM = "warm", _("Потенційно зацікавлений (теплий)")
    CALLBACK = "callback", _("Гіпотетично зацікавлений (передзвін)")
    EXISTING = "existing", _("Є клієнтом")
    HOSTILE = "hostile", _("Упереджений")
    NOT_INTERESTED = "not_interested", _("Не зацікавлений")
    MISPOSITIONED = "mispositioned", _("Хибне позиціонування")


@dataclass(frozen=True)
class Norm:
    """The expected share of an outcome at first processing, in percent (inclusive)."""

    low: Decimal
    high: Decimal

    def verdict(self, share_percent: Decimal) -> str:
        if share_percent < self.low:
            return "below"
        if share_percent > self.high:
            return "above"
        return "within"


# "< 0.1 %" is read as 0 to 0.1.
NORMS: dict[Outcome, Norm] = {
    Outcome.INTERESTED: Norm(Decimal("3"), Decimal("5")),
    Outcome.WARM: Norm(Decimal("4"), Decimal("6")),
    Outcome.CALLBACK: Norm(Decimal("35"), Decimal("42")),
    Outcome.EXISTING: Norm(Decimal("0"), Decimal("0.1")),
    Outcome.HOSTILE: Norm(Decimal("0"), Decimal("0.1")),
    Outcome.NOT_INTERESTED: Norm(Decimal("42"), Decimal("51")),
    Outcome.MISPOSITIONED: Norm(Decimal("10"), Decimal("15")),
}

POSITIVE_OUTCOMES = frozenset(
    {Outcome.INTERESTED, Outcome.WARM, Outcome.CALLBACK, Outcome.EXISTING}
)
DO_NOT_CONTACT_OUTCOMES = frozenset({Outcome.HOSTILE, Outcome.NOT_INTERESTED})

# Keys 1–7 on the desk, in this order.
OUTCOME_KEYS: dict[str, Outcome] = {str(i + 1): o for i, o in enumerate(Outcome)}

# Colours of the reaction column (Data Base ONLINE) and of the charts.
OUTCOME_COLOURS: dict[Outcome, str] = {
    Outcome.INTERESTED: "#d62828",
    Outcome.WARM: "#f77f00",
    Outcome.CALLBACK: "#3a86ff",
    Outcome.EXISTING: "#2a9d8f",
    Outcome.HOSTILE: "#6c2a6a",
    Outcome.NOT_INTERESTED: "#8d99ae",
    Outcome.MISPOSITIONED: "#b5838d",
}


class AttemptResult(models.TextChoices):
    """Call attempts that reached no decision: history, not an outcome (PRODUCT.md)."""

    NO_ANSWER = "no_answer", _("Не відповідає")
    BUSY = "busy", _("Зайнято")
    WRONG_NUMBER = "wrong_number", _("Помилковий номер")
    SECRETARY = "secretary", _("Секретар / не з'єднали")
    CALL_BACK_AT = "call_back_at", _("Просили передзвонити")
    NOT_IN_SERVICE = "not_in_service", _("Номер не обслуговується")
    SWITCHED_OFF = "switched_off", _("Абонент поза зоною")
    VOICEMAIL = "voicemail", _("Автовідповідач")


HUNDRED = Decimal(100)
SHARE_QUANTUM = Decimal("0.1")


@dataclass(frozen=True)
class OutcomeShare:
    """One outcome's count and share of the processed companies, held against its norm."""

    outcome: Outcome
    count: int
    share: Decimal
    norm: Norm
    verdict: str | None  # "below" / "within" / "above"; None while nothing is processed

    @property
    def label(self) -> str:
        return str(self.outcome.label)

    @property
    def colour(self) -> str:
        return OUTCOME_COLOURS[self.outcome]

    @property
    def is_outside_norm(self) -> bool:
        return self.verdict in {"below", "above"}


def distribution_from_counts(counts: Mapping[str, int]) -> list[OutcomeShare]:
    """Per outcome, its count and share of all outcomes, with the norm's verdict.

    Pure, so the verdict logic is testable without a database. The share is of processed
    companies (those with an outcome), as the norms in PRODUCT.md are.
    """
    processed = sum(counts.get(outcome, 0) for outcome in Outcome)
    shares = []
    for outcome in Outcome:
        count = counts.get(outcome, 0)
        share = share_percent(count, processed)
        norm = NORMS[outcome]
        verdict = norm.verdict(share) if processed else None
        shares.append(
            OutcomeShare(outcome=outcome, count=count, share=share, norm=norm, verdict=verdict)
        )
    return shares


def share_percent(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole`` to one decimal (half up); 0 of nothing."""
    if not whole:
        return Decimal(0)
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(SHARE_QUANTUM, ROUND_HALF_UP)
