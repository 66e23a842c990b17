"""A forecast of the day: how many tickets will be past their first-reply target before coverage resumes.

A pure function of what it is given (no database, no clock), so a day built by hand can be checked against a
figure computed by hand (mentions/tests/test_forecast.py); the queue, the API, the end-of-day digest and
`manage.py forecast` read their inputs with mentions.forecast_reads and call it.

How it counts, for one view at `now`:

- The waiting tickets are those whose first-reply clock runs (waiting, no first reply yet); each brings its
  stored due time (`sla_due_at`: the target counted in calendar hours from `requested_at`, or one business day
  for a security report, mentions.services.sla).
- Today's arrival rate is the view's tickets that arrived since today's coverage began, divided by the covered
  hours gone since then (at least one hour, so the day's first minutes do not make one ticket a flood).
- The arrivals still to come are spread evenly at that rate from now until coverage ends today: the k-th comes
  at now + k / rate hours, for k = 1 … floor(rate x hours left); each is due the view's target later (calendar
  hours, as the SLA clock counts them). Outside coverage no arrival is forecast: the rate is measured while the
  team covers the queue, and the night's traffic is not that.
- A ticket breaches before coverage resumes when its due time falls before the next coverage start, counting
  those already past due (and assuming none of them is answered before then: it is what is left to do).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from mentions.coverage import Coverage

HOUR = timedelta(hours=1)
# The rate's floor on elapsed time: one ticket in the first five minutes of the day is not 12 an hour.
MIN_ELAPSED_HOURS = 1.0


@dataclass(frozen=True)
class Forecast:
    waiting: int
    target_hours: float
    # None outside coverage: no arrival is forecast then.
    rate_per_hour: float | None
    coverage_ends_at: datetime | None
    expected_arrivals: int
    resumes_at: datetime
    breaches: int
    already_past: int
    first_breach_at: datetime | None
    explanation: str

    def as_dict(self) -> dict[str, object]:
        """The API's "forecast" object (api/views_list.py ViewList)."""
        return {
            "waiting": self.waiting,
            "target_hours": self.target_hours,
            "arrivals_per_hour": None if self.rate_per_hour is None else round(self.rate_per_hour, 2),
            "coverage_ends_at": self.coverage_ends_at,
            "expected_arrivals": self.expected_arrivals,
            "resumes_at": self.resumes_at,
            "breaches": self.breaches,
            "already_past": self.already_past,
            "first_breach_at": self.first_breach_at,
            "explanation": self.explanation,
        }


def day_forecast(
    *,
    due_times: Iterable[datetime | None],
    arrivals_today: int,
    now: datetime,
    coverage: Coverage,
    target_hours: float,
) -> Forecast:
    """The forecast of one view (the module's docstring says how it counts). `due_times`: one per waiting ticket
    whose first-reply clock runs (None for one without a due time yet: counted as waiting, never as breaching);
    `arrivals_today`: the view's tickets that arrived since today's coverage began."""
    dues = list(due_times)
    resumes = coverage.next_start(now)
    rate: float | None = None
    ends: datetime | None = None
    expected: list[datetime] = []
    if coverage.covers(now):
        start, ends = coverage.window(now.astimezone(UTC).date())
        elapsed = max((now - start) / HOUR, MIN_ELAPSED_HOURS)
        rate = arrivals_today / elapsed
        if rate > 0:
            # A hair of slack so 3.0/h over exactly 2 h is 6 arrivals, not 5 by a rounding error.
            count = math.floor(rate * ((ends - now) / HOUR) + 1e-9)
            expected = [now + HOUR * (k / rate) + HOUR * target_hours for k in range(1, count + 1)]
    late = sorted(d for d in [*dues, *expected] if d is not None and d < resumes)
    already = sum(1 for d in late if d <= now)
    first = next((d for d in late if d > now), None)
    forecast = Forecast(
        waiting=len(dues),
        target_hours=target_hours,
        rate_per_hour=rate,
        coverage_ends_at=ends,
        expected_arrivals=len(expected),
        resumes_at=resumes,
        breaches=len(late),
        already_past=already,
        first_breach_at=first,
        explanation="",
    )
    return _explained(forecast, now=now)


def _hours(value: float) -> str:
    return f"{value:g} h"


def _when(at: datetime, now: datetime) -> str:
    """23:40 today, Sat 01:10 on another day (UTC, as the coverage schedule is)."""
    return f"{at:%H:%M}" if at.date() == now.date() else f"{at:%a %H:%M}"


def _explained(f: Forecast, *, now: datetime) -> Forecast:
    """The figures in one sentence, e.g. "12 waiting; at 3.1 arrivals/h until 22:00 (13 more expected), 9 will
    be past their 7 h target before coverage resumes Mon 08:00 UTC; the first at 23:40." """
    if f.rate_per_hour is None or f.coverage_ends_at is None:
        flow = "outside coverage (no arrivals forecast)"
    else:
        flow = (
            f"at {f.rate_per_hour:.1f} arrivals/h until {_when(f.coverage_ends_at, now)} "
            f"({f.expected_arrivals} more expected)"
        )
    target = f"their {_hours(f.target_hours)} target before coverage resumes {f.resumes_at:%a %H:%M} UTC"
    if not f.breaches:
        return _with(f, f"{f.waiting} waiting; {flow}, none will be past {target}.")
    will = f"{f.breaches} will be past {target}"
    if f.already_past:
        will += f" ({f.already_past} already {'is' if f.already_past == 1 else 'are'})"
    first = f"; the first at {_when(f.first_breach_at, now)}" if f.first_breach_at else ""
    return _with(f, f"{f.waiting} waiting; {flow}, {will}{first}.")


def _with(f: Forecast, text: str) -> Forecast:
    return replace(f, explanation=text)
