"""The next reply's figures beside the first reply's: how long a follow-up after our reply waited for our next one
(mentions.ReplyWait, one row per wait), per target group, over the waits that started in the range.

Median and p90 (calendar and business hours, PostgreSQL's percentile_cont to the last digit) over the answered
waits; "within target" is the share of answered waits answered by their due time, as the first reply's is of
replied tickets; waits still unanswered are counted, and those already past their due time, beside them. One
query: the waits of a range are far fewer than its tickets (one per follow-up after a reply)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from mentions.models import ReplyWait, Target
from metrics.periods import HOUR, day_bounds, stats_json
from metrics.product_scope import tickets_narrowed
from metrics.quantiles import percentile_cont

GROUPS = (("all", Target.Group.NEXT_REPLY), ("high_priority", Target.Group.NEXT_REPLY_HIGH))


@dataclass
class NextReplyStats:
    group: str
    target_hours: float
    answered: int = 0
    waiting: int = 0
    waiting_over_target: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None
    median_business_hours: float | None = None
    within_target_pct: float | None = None

    def as_json(self) -> dict[str, Any]:
        return stats_json(self)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / HOUR


def next_reply_stats(
    *, start: date, end: date, channel_id: int | None = None, now: datetime | None = None, targets: dict | None = None
) -> dict[str, NextReplyStats]:
    """{"all": NextReplyStats, "high_priority": NextReplyStats} for the waits that started in [start, end]. The
    high-priority group is the waits of tickets high priority when the wait started (their tighter target); "all"
    is every wait, each against its own due time for "within target"."""
    now = now or timezone.now()
    targets = targets or Target.hours()
    since, until = day_bounds(start, end)
    waits = ReplyWait.objects.filter(started_at__gte=since, started_at__lt=until)
    if channel_id is not None:
        waits = waits.filter(ticket__channel_id=channel_id)
    waits = tickets_narrowed(waits, field="ticket__product")
    rows = list(waits.values_list("high_priority", "answered_at", "due_at", "seconds", "business_seconds"))
    stats: dict[str, NextReplyStats] = {}
    for group, target in GROUPS:
        mine = [r for r in rows if group == "all" or r[0]]
        answered = [r for r in mine if r[1] is not None]
        seconds = [r[3] for r in answered if r[3] is not None]
        business = [r[4] for r in answered if r[4] is not None]
        within = sum(1 for r in answered if r[1] is not None and r[1] <= r[2])
        stats[group] = NextReplyStats(
            group=group,
            target_hours=targets[target],
            answered=len(answered),
            waiting=len(mine) - len(answered),
            waiting_over_target=sum(1 for r in mine if r[1] is None and r[2] < now),
            median_hours=_hours(percentile_cont(seconds, 0.5)),
            p90_hours=_hours(percentile_cont(seconds, 0.9)),
            median_business_hours=_hours(percentile_cont(business, 0.5)),
            within_target_pct=round(100.0 * within / len(answered), 1) if answered else None,
        )
    return stats
