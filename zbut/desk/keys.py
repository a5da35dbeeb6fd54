"""The desk's keys as data: the template shows them, keys.js presses them.

Every actionable element of the desk carries ``data-key``; keys.js maps the physical key
(``KeyboardEvent.code``) to that letter, so the keys work with a Ukrainian keyboard layout
too (Q is Й there). The letters follow the top row of the keyboard, left to right.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zbut.bases.outcomes import OUTCOME_COLOURS, OUTCOME_KEYS, Outcome
from zbut.desk.attempts import AttemptResult
from zbut.desk.rules import BAD_NUMBER_RESULTS

PANEL_CALLBACK = "panel-callback"
PANEL_INTERESTED = "panel-interested"
PANEL_CALL_BACK_AT = "panel-call-back-at"
PANEL_PHONE = "panel-phone"

# Outcomes that ask for more before they are recorded.
OUTCOME_PANELS: dict[str, str] = {
    Outcome.CALLBACK: PANEL_CALLBACK,
    Outcome.INTERESTED: PANEL_INTERESTED,
}

ATTEMPT_KEYS: tuple[tuple[str, AttemptResult], ...] = (
    ("q", AttemptResult.NO_ANSWER),
    ("w", AttemptResult.BUSY),
    ("e", AttemptResult.SECRETARY),
    ("r", AttemptResult.CALL_BACK_AT),
    ("t", AttemptResult.WRONG_NUMBER),
    ("y", AttemptResult.NOT_IN_SERVICE),
    ("u", AttemptResult.SWITCHED_OFF),
    ("i", AttemptResult.VOICEMAIL),
)

# Quick picks inside the panels: (key, value, label).
CALLBACK_PICKS: tuple[tuple[str, str, object], ...] = (
    ("1", "next_phase", _("наступна фаза")),
    ("2", "week", _("через тиждень")),
    ("3", "month", _("через місяць")),
)
CALL_BACK_AT_PICKS: tuple[tuple[str, str, object], ...] = (
    ("1", "60", _("через годину")),
    ("2", "180", _("через 3 години")),
    ("3", "tomorrow", _("завтра о 10:00")),
)


@dataclass(frozen=True)
class KeyAction:
    """One button of the desk: its key, what it sends and, if it asks first, its panel."""

    key: str
    value: str
    label: str
    colour: str = ""
    opens: str = ""
    phone_id: int | None = None


def outcome_actions() -> list[KeyAction]:
    return [
        KeyAction(
            key=key,
            value=outcome.value,
            label=str(outcome.label),
            colour=OUTCOME_COLOURS[outcome],
            opens=OUTCOME_PANELS.get(outcome, ""),
        )
        for key, outcome in OUTCOME_KEYS.items()
    ]


def attempt_actions(*, good_phone_ids: list[int]) -> list[KeyAction]:
    """Attempt buttons; a bad-number result asks which phone only when there are several."""
    actions = []
    for key, result in ATTEMPT_KEYS:
        opens, phone_id = "", None
        if result == AttemptResult.CALL_BACK_AT:
            opens = PANEL_CALL_BACK_AT
        elif result in BAD_NUMBER_RESULTS:
            if len(good_phone_ids) == 1:
                phone_id = good_phone_ids[0]
            else:
                opens = f"{PANEL_PHONE}-{result.value}"
        actions.append(
            KeyAction(
                key=key, value=result.value, label=str(result.label), opens=opens, phone_id=phone_id
            )
        )
    return actions
