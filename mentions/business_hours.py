"""Seconds inside the coverage schedule between two instants (business first-reply time)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta


def business_seconds(
    start: datetime,
    end: datetime,
    *,
    weekdays: Collection[int],
    day_start: time,
    day_end: time,
    holidays: Collection[date] = (),
) -> int:
    """Covered seconds in [start, end): only ISO `weekdays`, between `day_start` and `day_end`
    UTC, never on `holidays`. 0 if end <= start."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0
    covered = set(weekdays)
    holiday_set = set(holidays)
    total = 0.0
    day = start.date()
    last = end.date()
    # Whole weeks could be jumped for very long spans; tickets answered within weeks make
    # the day loop cheap enough (at most a few hundred iterations for a stale backlog).
    while day <= last:
        if day.isoweekday() in covered and day not in holiday_set:
            window_start = datetime.combine(day, day_start, tzinfo=UTC)
            window_end = datetime.combine(day, day_end, tzinfo=UTC)
            overlap = min(window_end, end) - max(window_start, start)
            if overlap > timedelta(0):
                total += overlap.total_seconds()
        day += timedelta(days=1)
    return int(total)
