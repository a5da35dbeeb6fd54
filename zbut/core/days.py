"""Days as people in Kyiv count them, turned into the moments the database compares."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware datetimes from the start of ``first`` to the start of the day after ``last``."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), tz)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz)
    return start, end
