"""First reply time week by week (the KPI page's weekly table and chart)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, timedelta
from typing import Any

import numpy as np

from channels.models import Channel
from mentions.models import Target
from metrics.first_reply import first_reply_rollup_rows
from metrics.periods import in_hours, tickets_requested
from metrics.quantiles import (
    array_percentile_cont,
    percentile_cont,
)
from metrics.rollups import rollups_ensure_fresh, rollups_supported


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_reply_weekly(*, start: date, end: date, channel_id: int | None = None) -> list[dict[str, Any]]:
    """One row per ISO week (Monday, UTC) touching the range, by requested_at; weeks without replies have
    None medians. The target is the high-priority one when filtering on a high-priority channel. Two or three
    queries (targets, the channel when filtered, the figures)."""
    targets = Target.hours()
    target = targets["all"]
    if channel_id is not None and Channel.objects.filter(pk=channel_id, high_priority=True).exists():
        target = targets["high_priority"]
    by_week: dict[date, dict[str, Any]] = {}
    if rollups_supported():
        rollups_ensure_fresh()
        weeks: dict[date, list] = defaultdict(list)
        for week, _channel, _hp, _created, replied, _swr, _community, frt, business in first_reply_rollup_rows(
            start=start, end=end, channel_id=channel_id
        ):
            weeks[week].append((replied, frt, business))
        for week, parts in weeks.items():
            by_week[week] = {
                "replied": sum(p[0] for p in parts),
                "p50": array_percentile_cont(np.concatenate([p[1] for p in parts]), 0.5),
                "p50_business": array_percentile_cont(np.concatenate([p[2] for p in parts]), 0.5),
            }
    else:
        rows = (
            tickets_requested(start=start, end=end, channel_id=channel_id)
            .filter(first_reply_at__isnull=False)
            .values_list("requested_at", "first_reply_seconds", "first_reply_business_seconds")
        )
        by_week = first_reply_weekly_python(rows)
    out = []
    week = _week_start(start)
    while week <= end:
        row = by_week.get(week, {"replied": 0, "p50": None, "p50_business": None})
        out.append(
            {
                "week_start": week,
                "median_hours": in_hours(row["p50"]),
                "median_business_hours": in_hours(row["p50_business"]),
                "replied": row["replied"],
                "target_hours": target,
            }
        )
        week += timedelta(days=7)
    return out


def first_reply_weekly_python(rows: Iterable[tuple]) -> dict[date, dict[str, Any]]:
    """Rows of (requested_at, first_reply_seconds, first_reply_business_seconds) of replied tickets."""
    seconds: dict[date, list[int]] = defaultdict(list)
    business: dict[date, list[int]] = defaultdict(list)
    replied: dict[date, int] = defaultdict(int)
    for requested_at, frs, fbs in rows:
        week = _week_start(requested_at.astimezone(UTC).date())
        replied[week] += 1
        if frs is not None:
            seconds[week].append(frs)
        if fbs is not None:
            business[week].append(fbs)
    return {
        week: {
            "replied": n,
            "p50": percentile_cont(seconds[week], 0.5),
            "p50_business": percentile_cont(business[week], 0.5),
        }
        for week, n in replied.items()
    }
