"""The coverage schedule as a callable, loaded once per batch of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from metrics.business_hours import business_seconds


@dataclass(frozen=True)
class Coverage:
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    day_start: time = time(8, 0)
    day_end: time = time(22, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def seconds(self, start: datetime, end: datetime) -> int:
        return business_seconds(
            start, end, weekdays=self.weekdays, day_start=self.day_start, day_end=self.day_end, holidays=self.holidays
        )


def coverage_load() -> Coverage:
    from metrics.models import CoverageSchedule, Holiday

    schedule = CoverageSchedule.current()
    return Coverage(
        weekdays=tuple(schedule.weekdays or (1, 2, 3, 4, 5)),
        day_start=schedule.start,
        day_end=schedule.end,
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )
