"""First reply time per channel group against its target: medians, percentiles, overdue tickets, weeks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, Q, Sum
from django.db.models.expressions import F, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone

from channels.models import Channel
from mentions.models import Target, Ticket
from metrics.models import TicketDay
from metrics.periods import EXPORT_CHUNK, HOUR, OVERDUE_LIMIT, SOLVED, BytesAgg, in_hours, stats_json, tickets_requested
from metrics.product_scope import rollup_narrowed
from metrics.quantiles import (
    array_percentiles_cont,
    percentile_cont,
    values_decode,
)
from metrics.rollups import rollups_ensure_fresh, rollups_memo, rollups_supported


@dataclass
class FirstReplyStats:
    group: str
    target_hours: float
    replied: int = 0
    unreplied: int = 0
    solved_without_reply: int = 0
    # Solved as answered by the community (mentions.services.community): apart from solved_without_reply.
    answered_by_community: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None
    median_business_hours: float | None = None
    p90_business_hours: float | None = None
    within_target_pct: float | None = None
    unreplied_over_target: int = 0
    overdue: list[Ticket] = field(default_factory=list, repr=False)
    now: datetime | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        now = self.now or timezone.now()
        return {
            **stats_json(self, leave_out=("overdue", "now")),
            "overdue": [
                {
                    "id": t.pk,
                    "subject": t.subject,
                    "channel": t.channel.name,
                    "requested_at": t.requested_at.isoformat(),
                    "waiting_hours": round((now - t.requested_at).total_seconds() / HOUR, 2),
                }
                for t in self.overdue
            ],
        }


# The raw figures of one group ("all", "high_priority" or a channel id), as both paths return them.
# Keys: replied, unreplied, solved_without_reply, answered_by_community, over_all, over_hp, within_all, within_hp,
# p50, p90, p50_business, p90_business (seconds or None).
Figures = dict[str, Any]

_EMPTY_FIGURES: Figures = {
    "replied": 0,
    "unreplied": 0,
    "solved_without_reply": 0,
    "answered_by_community": 0,
    "over_all": 0,
    "over_hp": 0,
    "within_all": 0,
    "within_hp": 0,
    "p50": None,
    "p90": None,
    "p50_business": None,
    "p90_business": None,
}


def _waiting_over_target(
    *, start: date, end: date, channel_id: int | None, now: datetime, targets: dict[str, float]
) -> dict[tuple[int, bool], tuple[int, int]]:
    """Live, not rolled up (it depends on `now`): per (channel, high_priority), the unreplied open tickets
    older than each target. Few rows, on ticket_unreplied_idx."""
    qs = (
        tickets_requested(start=start, end=end, channel_id=channel_id)
        .filter(first_reply_at__isnull=True)
        .exclude(status=SOLVED)
        .order_by()
        .values_list("channel_id", "high_priority")
        .annotate(
            over_all=Count("id", filter=Q(requested_at__lt=now - timedelta(hours=targets["all"]))),
            over_hp=Count("id", filter=Q(requested_at__lt=now - timedelta(hours=targets["high_priority"]))),
        )
    )
    return {(channel, hp): (over_all, over_hp) for channel, hp, over_all, over_hp in qs}


def _array_figures(
    counts: tuple[int, ...], seconds: np.ndarray, business: np.ndarray, over: tuple[int, int], targets: dict
) -> Figures:
    created, replied, solved_without_reply, answered_by_community = counts
    return {
        "replied": replied,
        "unreplied": created - replied,
        "solved_without_reply": solved_without_reply,
        "answered_by_community": answered_by_community,
        "over_all": over[0],
        "over_hp": over[1],
        "within_all": int(np.count_nonzero(seconds <= targets["all"] * HOUR)),
        "within_hp": int(np.count_nonzero(seconds <= targets["high_priority"] * HOUR)),
        **dict(zip(("p50", "p90"), array_percentiles_cont(seconds, (0.5, 0.9)), strict=True)),
        **dict(zip(("p50_business", "p90_business"), array_percentiles_cont(business, (0.5, 0.9)), strict=True)),
    }


def first_reply_rollup_rows(*, start: date, end: date, channel_id: int | None) -> list[tuple]:
    """(week, channel, high_priority, created, replied, solved without reply, answered by the community, first-reply
    seconds, business seconds) from the daily rollups: the one read both the figures and the weekly trend use (once
    per page, see rollups.rollups_read)."""

    def fetch() -> list[tuple]:
        qs = (
            rollup_narrowed(
                TicketDay.objects.filter(
                    day__gte=start, day__lte=end, **({"channel_id": channel_id} if channel_id else {})
                )
            )
            .annotate(week=TruncWeek("day"))
            .order_by()
            .values_list("week", "channel_id", "high_priority")
            .annotate(
                created_n=Sum("created"),
                replied_n=Sum("replied"),
                solved_without_reply_n=Sum("solved_without_reply"),
                answered_by_community_n=Sum("answered_by_community"),
                frt_n=BytesAgg("frt"),
                frt_w=BytesAgg("frt_wide"),
                business_n=BytesAgg("frt_business"),
                business_w=BytesAgg("frt_business_wide"),
            )
        )
        return [
            (*row[:7], values_decode(frt, frt_wide), values_decode(business, business_wide))
            for *row, frt, frt_wide, business, business_wide in qs
        ]

    return rollups_memo(("first_reply", start, end, channel_id), fetch)


def _first_reply_figures_rollup(
    *, start: date, end: date, channel_id: int | None, now: datetime, targets: dict[str, float]
) -> dict[object, Figures]:
    """From the daily rollups: one query for the counts and every first-reply time of the range per
    (channel, high_priority), one for the waiting tickets over target."""
    rows = first_reply_rollup_rows(start=start, end=end, channel_id=channel_id)
    over = _waiting_over_target(start=start, end=end, channel_id=channel_id, now=now, targets=targets)

    def keys(channel: int, hp: bool) -> tuple[object, ...]:
        return ("all", channel, *(("high_priority",) if hp else ()))

    parts: dict[object, list] = defaultdict(list)
    for _week, channel, hp, created, replied, swr, community, frt, business in rows:
        for key in keys(channel, hp):
            parts[key].append(((created, replied, swr, community), frt, business))
    over_by_key: dict[object, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for (channel, hp), (over_all, over_hp) in over.items():
        for key in keys(channel, hp):
            over_by_key[key] = (over_by_key[key][0] + over_all, over_by_key[key][1] + over_hp)
    parts.setdefault("all", [])
    empty = np.empty(0, dtype=np.int64)
    return {
        key: _array_figures(
            tuple(sum(p[0][i] for p in group) for i in range(4)),
            np.concatenate([p[1] for p in group]) if group else empty,
            np.concatenate([p[2] for p in group]) if group else empty,
            over_by_key[key],
            targets,
        )
        for key, group in parts.items()
    }


def first_reply_figures_python(
    rows: Iterable[tuple], *, now: datetime, targets: dict[str, float]
) -> dict[object, Figures]:
    """The same figures as the SQL path, from rows of
    (channel_id, high_priority, first_reply_at, first_reply_seconds, first_reply_business_seconds, status,
    requested_at, when it was closed as answered by the community or None)."""
    over_all = now - timedelta(hours=targets["all"])
    over_hp = now - timedelta(hours=targets["high_priority"])
    within_all, within_hp = targets["all"] * HOUR, targets["high_priority"] * HOUR
    acc: dict[object, dict[str, Any]] = {}

    def bucket(key: object) -> dict[str, Any]:
        if key not in acc:
            acc[key] = {**_EMPTY_FIGURES, "seconds": [], "business": []}
        return acc[key]

    for channel, high_priority, first_reply_at, seconds, business, status, requested_at, community_at in rows:
        keys: list[object] = ["all", channel] + (["high_priority"] if high_priority else [])
        community = status == SOLVED and community_at is not None
        for key in keys:
            b = bucket(key)
            b["answered_by_community"] += community
            if first_reply_at is not None:
                b["replied"] += 1
                if seconds is not None:
                    b["seconds"].append(seconds)
                    b["within_all"] += seconds <= within_all
                    b["within_hp"] += seconds <= within_hp
                if business is not None:
                    b["business"].append(business)
            else:
                b["unreplied"] += 1
                if status == SOLVED:
                    b["solved_without_reply"] += not community
                else:
                    b["over_all"] += requested_at < over_all
                    b["over_hp"] += requested_at < over_hp
    bucket("all")  # the SQL path always returns the grand total row
    out: dict[object, Figures] = {}
    for key, b in acc.items():
        seconds_list, business_list = b.pop("seconds"), b.pop("business")
        b["p50"] = percentile_cont(seconds_list, 0.5)
        b["p90"] = percentile_cont(seconds_list, 0.9)
        b["p50_business"] = percentile_cont(business_list, 0.5)
        b["p90_business"] = percentile_cont(business_list, 0.9)
        out[key] = b
    return out


def _first_reply_figures_rows(*, start: date, end: date, channel_id: int | None):
    return tickets_requested(start=start, end=end, channel_id=channel_id).values_list(
        "channel_id",
        "high_priority",
        "first_reply_at",
        "first_reply_seconds",
        "first_reply_business_seconds",
        "status",
        "requested_at",
        "community_answer__closed_at",
    )


def first_reply_figures(
    *, start: date, end: date, channel_id: int | None, now: datetime, targets: dict[str, float]
) -> dict[object, Figures]:
    if rollups_supported():
        rollups_ensure_fresh()
        return _first_reply_figures_rollup(start=start, end=end, channel_id=channel_id, now=now, targets=targets)
    rows = _first_reply_figures_rows(start=start, end=end, channel_id=channel_id).iterator(chunk_size=EXPORT_CHUNK)
    return first_reply_figures_python(rows, now=now, targets=targets)


def _overdue_candidates(
    *, start: date, end: date, channel_id: int | None, now: datetime, targets: dict[str, float]
) -> list[Ticket]:
    """The oldest 50 waiting tickets past the smaller target per (channel, high_priority): every group's
    oldest-50 list is drawn from these (within such a partition each group's test is `requested_at < x`, a
    prefix of the partition in requested_at order). Two queries: the ranking reads only ticket_unreplied_idx
    (index-only), then the few chosen tickets are loaded with their channel."""
    loosest = now - timedelta(hours=min(targets["all"], targets["high_priority"]))
    ranked = (
        tickets_requested(start=start, end=end, channel_id=channel_id)
        .filter(first_reply_at__isnull=True, requested_at__lt=loosest)
        .exclude(status=SOLVED)
        .annotate(
            overdue_rank=Window(
                RowNumber(), partition_by=[F("channel_id"), F("high_priority")], order_by=[F("requested_at"), F("id")]
            )
        )
        .filter(overdue_rank__lte=OVERDUE_LIMIT)
        .values_list("id", flat=True)
    )
    ids = list(ranked)
    if not ids:
        return []
    return list(Ticket.objects.filter(pk__in=ids).select_related("channel").order_by("requested_at", "id"))


def _build_stats(
    group: str, *, target: float, use_hp: bool, figures: Figures | None, overdue: list[Ticket], now: datetime
) -> FirstReplyStats:
    f = figures or _EMPTY_FIGURES
    within = f["within_hp"] if use_hp else f["within_all"]
    return FirstReplyStats(
        group=group,
        target_hours=target,
        replied=f["replied"],
        unreplied=f["unreplied"],
        solved_without_reply=f["solved_without_reply"],
        answered_by_community=f["answered_by_community"],
        median_hours=in_hours(f["p50"]),
        p90_hours=in_hours(f["p90"]),
        median_business_hours=in_hours(f["p50_business"]),
        p90_business_hours=in_hours(f["p90_business"]),
        within_target_pct=round(100.0 * within / f["replied"], 1) if f["replied"] else None,
        unreplied_over_target=f["over_hp"] if use_hp else f["over_all"],
        overdue=overdue[:OVERDUE_LIMIT],
        now=now,
    )


def first_reply_stats(
    *, start: date, end: date, channel_id: int | None = None, now: datetime | None = None, targets: dict | None = None
) -> dict[str, Any]:
    """{"all": FirstReplyStats, "high_priority": FirstReplyStats, "by_channel": {name: FirstReplyStats}}.

    Three queries: targets, the figures (one GROUPING SETS query on PostgreSQL), the overdue tickets with
    their channel; plus one for the channel list. by_channel lists the channels with tickets in the range and
    every enabled channel (only the filtered one with `channel_id`), by name.
    """
    now = now or timezone.now()
    targets = targets or Target.hours()  # the KPI page reads them once for the first and the next reply
    figures = first_reply_figures(start=start, end=end, channel_id=channel_id, now=now, targets=targets)
    candidates = _overdue_candidates(start=start, end=end, channel_id=channel_id, now=now, targets=targets)
    over_all = now - timedelta(hours=targets["all"])
    over_hp = now - timedelta(hours=targets["high_priority"])

    channels_qs = Channel.objects.only("id", "name", "high_priority").order_by("name")
    if channel_id is not None:
        channels_qs = channels_qs.filter(pk=channel_id)
    else:
        ids = [key for key in figures if isinstance(key, int)]
        channels_qs = channels_qs.filter(Q(pk__in=ids) | Q(enabled=True))

    by_channel: dict[str, FirstReplyStats] = {}
    for channel in channels_qs:
        use_hp = channel.high_priority
        limit = over_hp if use_hp else over_all
        overdue = [t for t in candidates if t.channel_id == channel.pk and t.requested_at < limit]
        by_channel[channel.name] = _build_stats(
            channel.name,
            target=targets["high_priority"] if use_hp else targets["all"],
            use_hp=use_hp,
            figures=figures.get(channel.pk),
            overdue=overdue,
            now=now,
        )
    return {
        "all": _build_stats(
            "all",
            target=targets["all"],
            use_hp=False,
            figures=figures.get("all"),
            overdue=[t for t in candidates if t.requested_at < over_all],
            now=now,
        ),
        "high_priority": _build_stats(
            "high_priority",
            target=targets["high_priority"],
            use_hp=True,
            figures=figures.get("high_priority"),
            overdue=[t for t in candidates if t.high_priority and t.requested_at < over_hp],
            now=now,
        ),
        "by_channel": by_channel,
    }
