"""A forecast of the day: about how many tickets may be past their first-reply target before coverage resumes.

A pure function of what it is given (no database, no clock), so a day built by hand can be checked against a
figure computed by hand (mentions/tests/test_forecast.py); the queue, the API, the end-of-day digest and
`manage.py forecast` read their inputs with mentions.forecast.reads and call it.

How it estimates, for one view at `now`:

- The waiting tickets are those whose first-reply clock runs (waiting, no first reply yet); each brings its
  stored due time (`sla_due_at`: the target counted in calendar hours from `requested_at`, or one business day
  for a security report, mentions.services.sla).
- The arrival rate is the view's real arrivals over the last `ARRIVAL_WINDOW` (3 h): tickets asked on their
  platform AND stored by the desk within it. A backlog read late (a desk catching up after downtime, the demo's
  seed) was asked earlier and is not an arrival; a quiet hour after a burst lowers the rate as it should. Fewer
  than `MIN_ARRIVALS` (3) in the window is too little to measure a rate: no arrival is projected then.
- The team's reply rate is the view's first replies given during coverage over the last `REPLY_DAYS` (7) days,
  per covered hour in those days. Fewer than `MIN_REPLIES` (5) is too little to go on: the forecast is silent
  (it would otherwise assume that nobody replies, and count every waiting ticket as late).
- While coverage lasts today, arrivals come evenly at their rate (the k-th at now + k / rate h, each due the view's
  target later) and replies evenly at theirs; each reply takes the waiting ticket due first (Play's deadline
  order). Outside coverage neither is counted: the team is away, and the night's traffic is not the day's.
- A ticket may be past its target before coverage resumes when its due time falls before the next coverage start
  and no reply took it by then, counting those already past due (a reply that takes a ticket after its due time
  answers it late).
- Silent (`silent`, no figure) when the reply rate has too little to go on, or when nothing waits and no arrival
  can be projected: an empty queue on a quiet day says nothing rather than "none".
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from mentions.coverage import Coverage

HOUR = timedelta(hours=1)
ARRIVAL_WINDOW = timedelta(hours=3)
MIN_ARRIVALS = 3
REPLY_DAYS = 7
MIN_REPLIES = 5


@dataclass(frozen=True)
class FlowBasis:
    """What the rates are measured from: the view's arrivals in the last ARRIVAL_WINDOW, its first replies during
    coverage in the last REPLY_DAYS days and the covered hours of those days."""

    arrivals: int
    replies: int
    covered_hours: float

    @property
    def arrival_rate(self) -> float | None:
        """Arrivals an hour, or None with too few to measure."""
        if self.arrivals < MIN_ARRIVALS:
            return None
        return self.arrivals / (ARRIVAL_WINDOW / HOUR)

    @property
    def reply_rate(self) -> float | None:
        """First replies an hour of coverage, or None with too few to go on."""
        if self.replies < MIN_REPLIES or self.covered_hours <= 0:
            return None
        return self.replies / self.covered_hours


@dataclass(frozen=True)
class Forecast:
    waiting: int
    target_hours: float
    # None outside coverage or with too few arrivals to measure a rate: no arrival is projected then.
    rate_per_hour: float | None
    # None outside coverage or with too few replies to measure a rate.
    replies_per_hour: float | None
    coverage_ends_at: datetime | None
    expected_arrivals: int
    expected_replies: int
    resumes_at: datetime
    # None when silent (too little to go on).
    breaches: int | None
    already_past: int
    first_breach_at: datetime | None
    silent: bool
    basis: FlowBasis
    explanation: str

    def as_dict(self) -> dict[str, object]:
        """The API's "forecast" object (api/views_list.py ViewList)."""
        return {
            "waiting": self.waiting,
            "target_hours": self.target_hours,
            "arrivals_per_hour": None if self.rate_per_hour is None else round(self.rate_per_hour, 2),
            "replies_per_hour": None if self.replies_per_hour is None else round(self.replies_per_hour, 2),
            "coverage_ends_at": self.coverage_ends_at,
            "expected_arrivals": self.expected_arrivals,
            "expected_replies": self.expected_replies,
            "resumes_at": self.resumes_at,
            "breaches": self.breaches,
            "already_past": self.already_past,
            "first_breach_at": self.first_breach_at,
            "silent": self.silent,
            "basis": {
                "arrivals": self.basis.arrivals,
                "arrival_window_hours": ARRIVAL_WINDOW / HOUR,
                "replies": self.basis.replies,
                "reply_days": REPLY_DAYS,
                "covered_hours": round(self.basis.covered_hours, 2),
            },
            "explanation": self.explanation,
        }


def _evenly(now: datetime, rate: float | None, hours_left: float) -> list[datetime]:
    """The k-th of a steady flow at now + k / rate hours, k = 1 ... floor(rate x hours left)."""
    if not rate:
        return []
    # A hair of slack so 3.0/h over exactly 2 h is 6, not 5 by a rounding error.
    count = math.floor(rate * hours_left + 1e-9)
    return [now + HOUR * (k / rate) for k in range(1, count + 1)]


def day_forecast(
    *,
    due_times: Iterable[datetime | None],
    basis: FlowBasis,
    now: datetime,
    coverage: Coverage,
    target_hours: float,
) -> Forecast:
    """The forecast of one view (the module's docstring says how it estimates). `due_times`: one per waiting ticket
    whose first-reply clock runs (None for one without a due time yet: counted as waiting, never as breaching)."""
    dues = list(due_times)
    resumes = coverage.next_start(now)
    arrival_rate = reply_rate = ends = None
    arrivals: list[datetime] = []
    replies: list[datetime] = []
    if coverage.covers(now):
        ends = coverage.window(now.astimezone(UTC).date())[1]
        arrival_rate, reply_rate = basis.arrival_rate, basis.reply_rate
        left = (ends - now) / HOUR
        arrivals = _evenly(now, arrival_rate, left)
        replies = _evenly(now, reply_rate, left)
    open_dues = [d for d in dues if d is not None]
    heapq.heapify(open_dues)
    late: list[datetime] = []
    # In time order; at one instant the arrival first (the team may answer it at once).
    flow = sorted([(at, 0) for at in arrivals] + [(at, 1) for at in replies])
    for at, is_reply in flow:
        if not is_reply:
            heapq.heappush(open_dues, at + HOUR * target_hours)
        elif open_dues:
            # The reply takes the ticket due first, as Play's deadline order serves it: one already past its due
            # time is answered late, and still counts.
            answered_due = heapq.heappop(open_dues)
            if answered_due < at:
                late.append(answered_due)
    late = sorted([*late, *(d for d in open_dues if d < resumes)])
    silent = basis.reply_rate is None or (not dues and not arrivals)
    forecast = Forecast(
        waiting=len(dues),
        target_hours=target_hours,
        rate_per_hour=arrival_rate,
        replies_per_hour=reply_rate,
        coverage_ends_at=ends,
        expected_arrivals=len(arrivals),
        expected_replies=len(replies),
        resumes_at=resumes,
        breaches=None if silent else len(late),
        already_past=0 if silent else sum(1 for d in late if d <= now),
        first_breach_at=None if silent else next((d for d in late if d > now), None),
        silent=silent,
        basis=basis,
        explanation="",
    )
    return replace(forecast, explanation=_explained(forecast, now=now))


def _when(at: datetime, now: datetime) -> str:
    """23:40 today, Sat 01:10 on another day (UTC, as the coverage schedule is)."""
    return f"{at:%H:%M}" if at.date() == now.date() else f"{at:%a %H:%M}"


def _basis(f: Forecast) -> str:
    b = f.basis
    window = f"{ARRIVAL_WINDOW / HOUR:g} h"
    return (
        f"{b.arrivals} arrival{'s' if b.arrivals != 1 else ''} in the last {window}, "
        f"{b.replies} first repl{'ies' if b.replies != 1 else 'y'} in {b.covered_hours:.0f} covered hours "
        f"of the last {REPLY_DAYS} days"
    )


def _explained(f: Forecast, *, now: datetime) -> str:
    """The estimate in one sentence with its basis, e.g. "12 waiting for a first reply; about 9 may be past their 7 h
    target before coverage resumes Mon 08:00 UTC, the first at 23:40 (estimate: about 13 more arrive and the team
    gives about 10 first replies until 22:00; from 12 arrivals in the last 3 h, 41 first replies in 70 covered hours
    of the last 7 days)." "Waiting for a first reply": the queue's Waiting column also counts tickets waiting on our
    next reply, which this forecast leaves out. A silent forecast says why instead."""
    target = f"their {f.target_hours:g} h target before coverage resumes {f.resumes_at:%a %H:%M} UTC"
    if f.silent:
        if f.basis.reply_rate is None:
            why = f"fewer than {MIN_REPLIES} first replies during coverage in the last {REPLY_DAYS} days"
        elif f.coverage_ends_at is None:
            why = "nothing waits, and outside coverage no arrival is forecast"
        else:
            window = f"{ARRIVAL_WINDOW / HOUR:g} h"
            why = f"nothing waits, and fewer than {MIN_ARRIVALS} tickets arrived in the last {window}"
        return f"{f.waiting} waiting for a first reply; no forecast: too little to go on ({why})."
    if f.breaches:
        will = f"about {f.breaches} may be past {target}"
        if f.already_past:
            will += f" ({f.already_past} already {'is' if f.already_past == 1 else 'are'})"
        if f.first_breach_at:
            will += f", the first at {_when(f.first_breach_at, now)}"
    else:
        will = f"likely none past {target}"
    if f.coverage_ends_at is None:
        flow = "outside coverage: no arrivals or replies counted until it resumes"
    else:
        arriving = (
            f"about {f.expected_arrivals} more arrive"
            if f.rate_per_hour is not None
            else f"too few arrivals lately to project more (under {MIN_ARRIVALS} in {ARRIVAL_WINDOW / HOUR:g} h)"
        )
        until = _when(f.coverage_ends_at, now)
        if f.expected_replies or f.replies_per_hour is None:
            replying = f"the team gives about {f.expected_replies} first replies until {until}"
        else:
            replying = f"at the team's {f.replies_per_hour:.2f} first replies/h, none expected before {until}"
        flow = f"{arriving} and {replying}"
    return f"{f.waiting} waiting for a first reply; {will} (estimate: {flow}; from {_basis(f)})."
