"""The client history as people read it: one line per action, in the seeds' spirit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zbut.bases.outcomes import AttemptResult, Outcome
from zbut.history.models import EventKind

# Kinds that belong in the client history of a company (not the bookkeeping ones).
CLIENT_HISTORY_KINDS = frozenset(
    {
        EventKind.ATTEMPT,
        EventKind.OUTCOME,
        EventKind.NOTE,
        EventKind.CALLBACK_SCHEDULED,
        EventKind.OFFER_SENT,
        EventKind.SMS_SENT,
        EventKind.CALL,
        EventKind.TRANSFER,
        EventKind.CLIENT_COMMENT,
    }
)


def _label(choices: type, value: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def describe(kind: str, payload: Mapping[str, Any]) -> str:
    """What happened, without who and when: "Результат: Не зацікавлений. Не актуально"."""
    note = str(payload.get("note") or "").strip()
    if kind == EventKind.OUTCOME:
        head = _("Результат: %(outcome)s") % {"outcome": _label(Outcome, payload.get("outcome"))}
        if payload.get("callback_on"):
            head += " · " + _("передзвонити %(date)s") % {"date": payload["callback_on"]}
    elif kind == EventKind.ATTEMPT:
        head = _label(AttemptResult, payload.get("result"))
    else:
        head = _label(EventKind, kind)
    return f"{head}. {note}" if note and note != head else head


def history_line(
    *, occurred_at: datetime, actor_name: str, kind: str, payload: Mapping[str, Any]
) -> str:
    """ "2026-11-20 10:15 Андрій Шевчук — Результат: Передзвін. Просили після 15-го"."""
    moment = timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M")
    who = f" {actor_name}" if actor_name else ""
    return f"{moment}{who} — {describe(kind, payload)}"


def contact_summary(*, last_contact_at: datetime | None, contact_count: int) -> str:
    """ "КОНТАКТУВАЛИ 2016-03-23 - КІЛЬКІСТЬ КОНТАКТУВАНЬ: 2", as the seeds write it."""
    if last_contact_at is None:
        return ""
    day = timezone.localtime(last_contact_at).date().isoformat()
    return _("КОНТАКТУВАЛИ %(day)s - КІЛЬКІСТЬ КОНТАКТУВАНЬ: %(count)s") % {
        "day": day,
        "count": contact_count,
    }
