"""The desk's rules as data: retry delays, callback quick picks, the Kyiv working day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from zbut.desk.attempts import AttemptResult

KYIV = ZoneInfo("Europe/Kyiv")

# Minutes until the next try after a failed attempt, unless the project's rules say otherwise.
DEFAULT_RETRY_MINUTES: dict[str, int] = {
    AttemptResult.NO_ANSWER: 120,
    AttemptResult.BUSY: 30,
    AttemptResult.SECRETARY: 240,
    AttemptResult.SWITCHED_OFF: 180,
    AttemptResult.VOICEMAIL: 120,
}
# These mark the dialled number bad instead of scheduling a retry.
BAD_NUMBER_RESULTS = frozenset({AttemptResult.WRONG_NUMBER, AttemptResult.NOT_IN_SERVICE})
CALLBACK_HOUR = time(10, 0)


def retry_delay(result: str, overrides: dict[str, int] | None = None) -> timedelta:
    minutes = (overrides or {}).get(result, DEFAULT_RETRY_MINUTES.get(result, 120))
    return timedelta(minutes=int(minutes))


def kyiv_day(moment: datetime) -> date:
    """The Kyiv calendar day of a moment: processing cycles are counted per this day."""
    return moment.astimezone(KYIV).date()


def callback_moment(day: date) -> datetime:
    """A callback date becomes due at 10:00 Kyiv time on that day."""
    return datetime.combine(day, CALLBACK_HOUR, tzinfo=KYIV)


def quick_callback_days(*, today: date, next_phase_starts: date | None) -> dict[str, date]:
    """The quick picks of the callback field: next phase, in a week, in a month."""
    picks = {"week": today + timedelta(days=7), "month": _add_month(today)}
    if next_phase_starts is not None and next_phase_starts > today:
        picks["next_phase"] = next_phase_starts
    return picks


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")
