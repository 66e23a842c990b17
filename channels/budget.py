"""Monthly read budgets (X bills reads per post on its paid tiers).

Polling slows down to stay inside the budget rather than stopping: the interval stretches
so that, at the average reads per poll seen this month, the remaining reads last until the
month ends. Admin shows the same projection.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


def month_key(now: datetime) -> str:
    return now.strftime("%Y-%m")


def month_end(now: datetime) -> datetime:
    last_day = calendar.monthrange(now.year, now.month)[1]
    return datetime(now.year, now.month, last_day, tzinfo=UTC) + timedelta(days=1)


def usage_record(usage: dict[str, Any], *, reads: int, now: datetime) -> dict[str, Any]:
    """This month's counters after one more poll that read `reads` items."""
    current: dict[str, Any] = (
        usage if usage.get("month") == month_key(now) else {"month": month_key(now), "reads": 0, "polls": 0}
    )
    return {**current, "reads": int(current.get("reads", 0)) + reads, "polls": int(current.get("polls", 0)) + 1}


@dataclass
class BudgetPlan:
    budget: int
    reads: int
    polls: int
    avg_reads_per_poll: float
    interval_seconds: float
    projected_reads: int
    exhausted: bool
    month_end: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.budget - self.reads)

    def describe(self) -> str:
        minutes = self.interval_seconds / 60
        pace = f"every {minutes:.0f} min" if minutes < 120 else f"every {minutes / 60:.1f} h"
        if self.exhausted:
            return (
                f"Budget used up: {self.reads:,} of {self.budget:,} reads this month. Polling resumes "
                f"{self.month_end:%Y-%m-%d %H:%M} UTC when the month starts over."
            )
        return (
            f"{self.reads:,} of {self.budget:,} reads used this month ({self.reads / self.budget:.0%}); "
            f"about {self.avg_reads_per_poll:.1f} reads per poll; polling {pace} "
            f"projects {self.projected_reads:,} reads by {self.month_end - timedelta(seconds=1):%b %d}."
        )


def budget_plan(*, budget: int, usage: dict[str, Any], base_interval: int, now: datetime) -> BudgetPlan:
    """How often to poll so the rest of the month's budget lasts until the month ends."""
    this_month = usage.get("month") == month_key(now)
    reads = int(usage.get("reads", 0)) if this_month else 0
    polls = int(usage.get("polls", 0)) if this_month else 0
    # Before any poll this month, assume a poll reads one item: the first polls then teach us.
    avg = reads / polls if polls else 1.0
    avg = max(avg, 1.0)
    end = month_end(now)
    seconds_left = max(1.0, (end - now).total_seconds())
    remaining = budget - reads
    if remaining <= 0:
        return BudgetPlan(budget, reads, polls, avg, seconds_left, reads, True, end)
    affordable_polls = remaining / avg
    interval = max(float(base_interval), seconds_left / affordable_polls)
    projected = reads + int(avg * (seconds_left / interval))
    return BudgetPlan(budget, reads, polls, avg, interval, projected, False, end)
