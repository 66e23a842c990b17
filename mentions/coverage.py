"""The team's coverage as a value, loaded once per batch of work.

The team may keep more than one schedule (issue 44): two offices in their own time zones, a weekend duty on
release day. The desk is covered when any team schedule covers it: that union is what the business clocks count
(first and next reply, an expert's silence), what "after hours" means for the urgent pings and when the day's
digest is due. A duty schedule counts no business hours: it says who is on duty when nobody covers, and the
after-hours ping goes to that person.

Each schedule's hours are local to its time zone (09:00-17:00 Europe/Amsterdam moves with summer time) and may run
overnight (an end before the start ends the next day). The value answers the questions the clocks ask: covered
seconds between two instants, is this instant covered, when does coverage start or end next, where is "the same
time on the next covered day", and the instant a number of covered hours after another."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

# A covered day is at most a week plus the holidays away for a team schedule (weekdays are never empty); this
# bound only stops a loop over a schedule made of holidays, or of release days only.
_MAX_DAYS_AHEAD = 400
Span = tuple[datetime, datetime]


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def release_date(month: date, release_day: int) -> date:
    """The month's release day (clamped to the month's last day)."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first.replace(day=min(release_day, last.day))


@dataclass(frozen=True)
class Hours:
    """One schedule's covered hours: ISO weekdays, a local start and end in its time zone (an end at or before the
    start ends on the next day); on release day only, when `release_only`."""

    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    start: time = time(8, 0)
    end: time = time(22, 0)
    zone: str = "UTC"
    release_only: bool = False
    name: str = ""
    on_duty: int | None = None  # a duty schedule's person (a user id); None: the month's release advocate, or nobody

    def spans_from_local(self, local: date, *, holidays: frozenset[date], release_day: int) -> Span | None:
        """The UTC span this schedule covers that starts on its local date `local`, if it covers that date."""
        if local.isoweekday() not in self.weekdays or local in holidays:
            return None
        if self.release_only and local != release_date(local, release_day):
            return None
        zone = _zone(self.zone)
        start = datetime.combine(local, self.start, tzinfo=zone)
        end = datetime.combine(local if self.end > self.start else local + timedelta(days=1), self.end, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def covers(self, at: datetime, *, holidays: frozenset[date], release_day: int) -> bool:
        local = at.astimezone(_zone(self.zone)).date()
        for day in (local - timedelta(days=1), local):
            span = self.spans_from_local(day, holidays=holidays, release_day=release_day)
            if span and span[0] <= at < span[1]:
                return True
        return False


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@dataclass(frozen=True)
class Coverage:
    """The team's schedules (`hours`); without any, one schedule of the four fields below, in UTC (the default:
    Monday to Friday 08:00-22:00 UTC). `duties`: the duty schedules, which count no business hours."""

    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    day_start: time = time(8, 0)
    day_end: time = time(22, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)
    hours: tuple[Hours, ...] = ()
    duties: tuple[Hours, ...] = ()
    release_day: int = 22
    _days: dict[date, list[Span]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def schedules(self) -> tuple[Hours, ...]:
        return self.hours or (Hours(self.weekdays, self.day_start, self.day_end),)

    def spans(self, day: date) -> list[Span]:
        """The covered spans that touch UTC `day`, cut to it and merged, in order (kept per day: a batch asks
        about the same few days again and again)."""
        if day not in self._days:
            lo = datetime.combine(day, time(0), tzinfo=UTC)
            hi = lo + timedelta(days=1)
            found = []
            for hours in self.schedules:
                for local in (day - timedelta(days=2), day - timedelta(days=1), day, day + timedelta(days=1)):
                    span = hours.spans_from_local(local, holidays=self.holidays, release_day=self.release_day)
                    if span and span[0] < hi and span[1] > lo:
                        found.append((max(span[0], lo), min(span[1], hi)))
            self._days[day] = _merged(found)
        return self._days[day]

    def _forward(self, at: datetime) -> Iterator[Span]:
        """Covered spans ending after `at`, in order, joined across midnight."""
        day, pending = at.astimezone(UTC).date(), None
        for _ in range(_MAX_DAYS_AHEAD):
            for start, end in self.spans(day):
                if pending and start == pending[1]:
                    pending = (pending[0], end)
                    continue
                if pending and pending[1] > at:
                    yield pending
                pending = (start, end)
            day += timedelta(days=1)
        if pending and pending[1] > at:
            yield pending
        raise ValueError("The coverage schedules cover no time in the next year.")

    def seconds(self, start: datetime, end: datetime) -> int:
        """Covered seconds in [start, end) (0 when end <= start)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total, day = 0.0, start.date()
        while day <= end.date():
            for lo, hi in self.spans(day):
                overlap = (min(hi, end) - max(lo, start)).total_seconds()
                total += max(overlap, 0.0)
            day += timedelta(days=1)
        return int(total)

    def is_covered_day(self, day: date) -> bool:
        return bool(self.spans(day))

    def window(self, day: date) -> Span:
        """[first start, last end) of UTC `day`'s coverage; the default hours when the day is not covered."""
        spans = self.spans(day)
        if spans:
            return spans[0][0], spans[-1][1]
        return datetime.combine(day, self.day_start, tzinfo=UTC), datetime.combine(day, self.day_end, tzinfo=UTC)

    def covers(self, at: datetime) -> bool:
        at = at.astimezone(UTC)
        return any(lo <= at < hi for lo, hi in self.spans(at.date()))

    def next_covered_day(self, day: date) -> date:
        """The first covered day strictly after `day`."""
        for n in range(1, _MAX_DAYS_AHEAD):
            if self.is_covered_day(day + timedelta(days=n)):
                return day + timedelta(days=n)
        raise ValueError("The coverage schedules cover no day in the next year.")

    def clock_start(self, at: datetime) -> datetime:
        """When the business clock starts for something arriving at `at`: `at` itself inside coverage, otherwise
        the next coverage start."""
        at = at.astimezone(UTC)
        return max(next(self._forward(at))[0], at)

    def next_start(self, at: datetime) -> datetime:
        """The next instant coverage begins, strictly after `at` (after the current stretch when `at` is covered)."""
        at = at.astimezone(UTC)
        return next(start for start, _end in self._forward(at) if start > at)

    def last_end(self, at: datetime) -> datetime:
        """The end of the latest covered stretch that ended at or before `at`."""
        at = at.astimezone(UTC)
        day = at.date()
        for n in range(_MAX_DAYS_AHEAD):
            for _start, end in reversed(self.spans(day - timedelta(days=n))):
                if end <= at and not self.covers(end):
                    return end
        raise ValueError("The coverage schedules cover no day in the past year.")

    def one_business_day_after(self, at: datetime) -> datetime:
        """The same position of the business clock on the next covered day.

        The clock starts at `clock_start(at)` (at itself inside coverage, otherwise the next
        coverage start); the result is that time of day on the following covered day, so
        weekends and holidays are skipped. Friday 21:00 -> Monday 21:00; Friday 23:00 (clock
        starts Monday 08:00) -> Tuesday 08:00."""
        start = self.clock_start(at)
        return datetime.combine(self.next_covered_day(start.date()), start.timetz())

    def business_after(self, start: datetime, hours: float) -> datetime:
        """The instant `hours` covered hours after `start`: the clock runs only inside coverage, so Friday 20:00
        plus 4 hours with coverage Mon-Fri 08-22 is Monday 10:00 (2 h on Friday, 2 on Monday)."""
        left = timedelta(hours=hours)
        for lo, hi in self._forward(start.astimezone(UTC)):
            lo = max(lo, start)
            if lo + left <= hi:
                return lo + left
            left -= hi - lo
        raise ValueError("unreachable: _forward raises first")

    def on_duty(self, at: datetime) -> Hours | None:
        """The duty schedule covering `at`, if any (the first by the admin's order)."""
        at = at.astimezone(UTC)
        return next(
            (d for d in self.duties if d.covers(at, holidays=self.holidays, release_day=self.release_day)), None
        )


def coverage_load() -> Coverage:
    """The schedules as the admin keeps them (mentions.CoverageSchedule), the holidays and the release day."""
    from mentions.models import CoverageSchedule, DutySettings, Holiday

    rows = list(CoverageSchedule.objects.order_by("pk"))
    hours = [(row.duty_only, row.hours()) for row in rows]
    team = tuple(h for duty, h in hours if not duty)
    # No team schedule (none kept, or only duty ones): the default hours, never none.
    return Coverage(
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
        hours=team,
        duties=tuple(h for duty, h in hours if duty),
        release_day=DutySettings.current().release_day,
    )
