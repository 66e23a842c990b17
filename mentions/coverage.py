"""The coverage schedule as a value, loaded once per batch of work.

Besides counting covered seconds (business first-reply time) it answers the questions the
SLA clocks and the after-hours alerts ask: is this instant covered, when does coverage start
or end next, and where is "the same time on the next covered day"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from mentions.business_hours import business_seconds

# Weekdays are never empty (CoverageSchedule.clean), so a covered day is at most a week plus
# the holidays away; this bound only stops a loop over a schedule made of holidays.
_MAX_DAYS_AHEAD = 400


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

    def is_covered_day(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """[start, end) of `day`'s covered hours in UTC (whether or not the day is covered)."""
        return (
            datetime.combine(day, self.day_start, tzinfo=UTC),
            datetime.combine(day, self.day_end, tzinfo=UTC),
        )

    def covers(self, at: datetime) -> bool:
        at = at.astimezone(UTC)
        if not self.is_covered_day(at.date()):
            return False
        start, end = self.window(at.date())
        return start <= at < end

    def next_covered_day(self, day: date) -> date:
        """The first covered day strictly after `day`."""
        for n in range(1, _MAX_DAYS_AHEAD):
            candidate = day + timedelta(days=n)
            if self.is_covered_day(candidate):
                return candidate
        raise ValueError("The coverage schedule covers no day in the next year.")

    def clock_start(self, at: datetime) -> datetime:
        """When the business clock starts for something arriving at `at`: `at` itself inside
        coverage, otherwise the next coverage start."""
        at = at.astimezone(UTC)
        day = at.date()
        if self.is_covered_day(day):
            start, end = self.window(day)
            if at < start:
                return start
            if at < end:
                return at
        return self.window(self.next_covered_day(day))[0]

    def next_start(self, at: datetime) -> datetime:
        """The next instant coverage begins, strictly after `at` if `at` is inside coverage."""
        at = at.astimezone(UTC)
        day = at.date()
        if self.is_covered_day(day) and at < self.window(day)[0]:
            return self.window(day)[0]
        return self.window(self.next_covered_day(day))[0]

    def last_end(self, at: datetime) -> datetime:
        """The end of the latest covered day that ended at or before `at`."""
        at = at.astimezone(UTC)
        day = at.date()
        for n in range(_MAX_DAYS_AHEAD):
            candidate = day - timedelta(days=n)
            if self.is_covered_day(candidate):
                end = self.window(candidate)[1]
                if end <= at:
                    return end
        raise ValueError("The coverage schedule covers no day in the past year.")

    def one_business_day_after(self, at: datetime) -> datetime:
        """The same position of the business clock on the next covered day.

        The clock starts at `clock_start(at)` (at itself inside coverage, otherwise the next
        coverage start); the result is that time of day on the following covered day, so
        weekends and holidays are skipped. Friday 21:00 -> Monday 21:00; Friday 23:00 (clock
        starts Monday 08:00) -> Tuesday 08:00."""
        start = self.clock_start(at)
        return datetime.combine(self.next_covered_day(start.date()), start.timetz())


def coverage_load() -> Coverage:
    from mentions.models import CoverageSchedule, Holiday

    schedule = CoverageSchedule.current()
    return Coverage(
        weekdays=tuple(schedule.weekdays or (1, 2, 3, 4, 5)),
        day_start=schedule.start,
        day_end=schedule.end,
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )
