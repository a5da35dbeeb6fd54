"""Parsing of the desk's form fields into the services' typed arguments.

Pure functions of the posted strings and "now": a field that cannot be read becomes the
service's own DeskError (e.g. a callback without a date), so the page shows one message style.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from zbut.desk.errors import (
    MSG_CALLBACK_DATE_NEEDED,
    MSG_PHONE_NEEDED,
    DeskErrorCode,
    desk_error,
)
from zbut.desk.rules import KYIV, kyiv_day

TOMORROW_AT = time(10, 0)


def parse_callback_on(data: Mapping[str, str], *, picks: Mapping[str, date]) -> date | None:
    """The callback day: a quick pick (``callback_pick``) or a typed date (``callback_on``)."""
    pick = data.get("callback_pick", "")
    if pick:
        if pick not in picks:
            raise desk_error(DeskErrorCode.CALLBACK_DATE_NEEDED, MSG_CALLBACK_DATE_NEEDED)
        return picks[pick]
    typed = data.get("callback_on", "").strip()
    if not typed:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise desk_error(DeskErrorCode.CALLBACK_DATE_NEEDED, MSG_CALLBACK_DATE_NEEDED) from None


def parse_call_back_at(data: Mapping[str, str], *, now: datetime) -> datetime | None:
    """When to call back: minutes from now, ``tomorrow`` (10:00 Kyiv) or a typed Kyiv time."""
    pick = data.get("call_back_pick", "")
    if pick == "tomorrow":
        return datetime.combine(kyiv_day(now) + timedelta(days=1), TOMORROW_AT, tzinfo=KYIV)
    if pick.isdigit():
        return now + timedelta(minutes=int(pick))
    typed = data.get("call_back_at", "").strip()
    if not typed:
        return None
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        raise desk_error(DeskErrorCode.CALLBACK_DATE_NEEDED, MSG_CALLBACK_DATE_NEEDED) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=KYIV)


def parse_phone_id(data: Mapping[str, str]) -> int | None:
    value = data.get("phone_id", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise desk_error(DeskErrorCode.PHONE_NEEDED, MSG_PHONE_NEEDED)
    return int(value)
