"""KPI reads for the dashboards, the CSV export and `manage.py kpi`.

Every function takes keyword-only `datetime.date` bounds; the range is `requested_at` (or the event time) in
[start 00:00 UTC, end + 1 day 00:00 UTC). Medians and percentiles are computed in the database on PostgreSQL
(`percentile_cont ... WITHIN GROUP`), with a Python fallback giving identical numbers on other databases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Aggregate, BinaryField, Count, Q, QuerySet, Sum
from django.db.models.expressions import F, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, RowNumber, TruncDate, TruncWeek
from django.utils import timezone

from channels.models import Channel
from mentions.models import DutySettings, Target, Ticket, TicketEvent
from metrics.models import AdvocateDay, TagDay, TicketDay
from metrics.quantiles import (
    array_percentile_cont,
    array_percentiles_cont,
    percentile_cont,
    values_decode,
    values_decode_wide,
)
from metrics.rollups import rollups_ensure_fresh, rollups_memo, rollups_read, rollups_supported

HOUR = 3600.0
OVERDUE_LIMIT = 50
EXPORT_CHUNK = 2000
SOLVED = Ticket.Status.SOLVED.value
HANDLING_KINDS = (
    TicketEvent.Kind.REPLIED.value,
    TicketEvent.Kind.REPLY_SENT.value,
    TicketEvent.Kind.STATUS.value,
    TicketEvent.Kind.MACRO.value,
)
REPLY_KINDS = (TicketEvent.Kind.REPLIED.value, TicketEvent.Kind.REPLY_SENT.value)


# --------------------------------------------------------------------------------------------------------------
# Helpers


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, end + 1 day 00:00 UTC)."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / HOUR


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


class BytesAgg(Aggregate):
    """string_agg(bytea): a group's rollup values as one blob (order does not matter: they are selected)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ''::bytea)"
    output_field = BinaryField()


def _tickets(*, start: date, end: date, channel_id: int | None = None):
    since, until = day_bounds(start, end)
    qs = Ticket.objects.filter(requested_at__gte=since, requested_at__lt=until)
    if channel_id is not None:
        qs = qs.filter(channel_id=channel_id)
    return qs


# --------------------------------------------------------------------------------------------------------------
# First reply time


@dataclass
class FirstReplyStats:
    group: str
    target_hours: float
    replied: int = 0
    unreplied: int = 0
    solved_without_reply: int = 0
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
            "group": self.group,
            "target_hours": self.target_hours,
            "replied": self.replied,
            "unreplied": self.unreplied,
            "solved_without_reply": self.solved_without_reply,
            "median_hours": _round(self.median_hours),
            "p90_hours": _round(self.p90_hours),
            "median_business_hours": _round(self.median_business_hours),
            "p90_business_hours": _round(self.p90_business_hours),
            "within_target_pct": self.within_target_pct,
            "unreplied_over_target": self.unreplied_over_target,
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
# Keys: replied, unreplied, solved_without_reply, over_all, over_hp, within_all, within_hp,
# p50, p90, p50_business, p90_business (seconds or None).
Figures = dict[str, Any]

_EMPTY_FIGURES: Figures = {
    "replied": 0,
    "unreplied": 0,
    "solved_without_reply": 0,
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
        _tickets(start=start, end=end, channel_id=channel_id)
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
    counts: tuple[int, int, int], seconds: np.ndarray, business: np.ndarray, over: tuple[int, int], targets: dict
) -> Figures:
    created, replied, solved_without_reply = counts
    return {
        "replied": replied,
        "unreplied": created - replied,
        "solved_without_reply": solved_without_reply,
        "over_all": over[0],
        "over_hp": over[1],
        "within_all": int(np.count_nonzero(seconds <= targets["all"] * HOUR)),
        "within_hp": int(np.count_nonzero(seconds <= targets["high_priority"] * HOUR)),
        **dict(zip(("p50", "p90"), array_percentiles_cont(seconds, (0.5, 0.9)), strict=True)),
        **dict(zip(("p50_business", "p90_business"), array_percentiles_cont(business, (0.5, 0.9)), strict=True)),
    }


def _first_reply_rollup_rows(*, start: date, end: date, channel_id: int | None) -> list[tuple]:
    """(week, channel, high_priority, created, replied, solved without reply, first-reply seconds, business
    seconds) from the daily rollups: the one read both the figures and the weekly trend use (once per page,
    see rollups.rollups_read)."""

    def fetch() -> list[tuple]:
        qs = (
            TicketDay.objects.filter(day__gte=start, day__lte=end, **({"channel_id": channel_id} if channel_id else {}))
            .annotate(week=TruncWeek("day"))
            .order_by()
            .values_list("week", "channel_id", "high_priority")
            .annotate(
                created_n=Sum("created"),
                replied_n=Sum("replied"),
                solved_without_reply_n=Sum("solved_without_reply"),
                frt_n=BytesAgg("frt"),
                frt_w=BytesAgg("frt_wide"),
                business_n=BytesAgg("frt_business"),
                business_w=BytesAgg("frt_business_wide"),
            )
        )
        return [
            (*row[:6], values_decode(frt, frt_wide), values_decode(business, business_wide))
            for *row, frt, frt_wide, business, business_wide in qs
        ]

    return rollups_memo(("first_reply", start, end, channel_id), fetch)


def _first_reply_figures_rollup(
    *, start: date, end: date, channel_id: int | None, now: datetime, targets: dict[str, float]
) -> dict[object, Figures]:
    """From the daily rollups: one query for the counts and every first-reply time of the range per
    (channel, high_priority), one for the waiting tickets over target."""
    rows = _first_reply_rollup_rows(start=start, end=end, channel_id=channel_id)
    over = _waiting_over_target(start=start, end=end, channel_id=channel_id, now=now, targets=targets)

    def keys(channel: int, hp: bool) -> tuple[object, ...]:
        return ("all", channel, *(("high_priority",) if hp else ()))

    parts: dict[object, list] = defaultdict(list)
    for _week, channel, hp, created, replied, swr, frt, business in rows:
        for key in keys(channel, hp):
            parts[key].append(((created, replied, swr), frt, business))
    over_by_key: dict[object, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for (channel, hp), (over_all, over_hp) in over.items():
        for key in keys(channel, hp):
            over_by_key[key] = (over_by_key[key][0] + over_all, over_by_key[key][1] + over_hp)
    parts.setdefault("all", [])
    empty = np.empty(0, dtype=np.int64)
    return {
        key: _array_figures(
            tuple(sum(p[0][i] for p in group) for i in range(3)),  # type: ignore[arg-type]
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
    requested_at)."""
    over_all = now - timedelta(hours=targets["all"])
    over_hp = now - timedelta(hours=targets["high_priority"])
    within_all, within_hp = targets["all"] * HOUR, targets["high_priority"] * HOUR
    acc: dict[object, dict[str, Any]] = {}

    def bucket(key: object) -> dict[str, Any]:
        if key not in acc:
            acc[key] = {**_EMPTY_FIGURES, "seconds": [], "business": []}
        return acc[key]

    for channel, high_priority, first_reply_at, seconds, business, status, requested_at in rows:
        keys: list[object] = ["all", channel] + (["high_priority"] if high_priority else [])
        for key in keys:
            b = bucket(key)
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
                    b["solved_without_reply"] += 1
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
    return _tickets(start=start, end=end, channel_id=channel_id).values_list(
        "channel_id",
        "high_priority",
        "first_reply_at",
        "first_reply_seconds",
        "first_reply_business_seconds",
        "status",
        "requested_at",
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
        _tickets(start=start, end=end, channel_id=channel_id)
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
        median_hours=_hours(f["p50"]),
        p90_hours=_hours(f["p90"]),
        median_business_hours=_hours(f["p50_business"]),
        p90_business_hours=_hours(f["p90_business"]),
        within_target_pct=round(100.0 * within / f["replied"], 1) if f["replied"] else None,
        unreplied_over_target=f["over_hp"] if use_hp else f["over_all"],
        overdue=overdue[:OVERDUE_LIMIT],
        now=now,
    )


def first_reply_stats(
    *, start: date, end: date, channel_id: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """{"all": FirstReplyStats, "high_priority": FirstReplyStats, "by_channel": {name: FirstReplyStats}}.

    Three queries: targets, the figures (one GROUPING SETS query on PostgreSQL), the overdue tickets with
    their channel; plus one for the channel list. by_channel lists the channels with tickets in the range and
    every enabled channel (only the filtered one with `channel_id`), by name.
    """
    now = now or timezone.now()
    targets = Target.hours()
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
        for week, _channel, _hp, _created, replied, _swr, frt, business in _first_reply_rollup_rows(
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
            _tickets(start=start, end=end, channel_id=channel_id)
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
                "median_hours": _hours(row["p50"]),
                "median_business_hours": _hours(row["p50_business"]),
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


# --------------------------------------------------------------------------------------------------------------
# Activity, tags, outreach


def activity_daily(*, start: date, end: date, channel_id: int | None = None) -> list[dict[str, Any]]:
    """Per UTC day in the range (zeros included): tickets requested, first-replied and solved that day, and
    whether it is release day (DutySettings, the 22nd by default). One query for the release day, one on the
    rollups (PostgreSQL; else three, each on its own index: requested_at, first_reply_at, solved_at)."""
    duty = DutySettings.current()
    if rollups_supported():
        rollups_ensure_fresh()
        counts = activity_counts_rollup(start=start, end=end, channel_id=channel_id)
    else:
        counts = activity_counts_source(start=start, end=end, channel_id=channel_id)
    out = []
    day = start
    while day <= end:
        out.append(
            {
                "day": day,
                "created": counts["created"].get(day, 0),
                "replied": counts["replied"].get(day, 0),
                "solved": counts["solved"].get(day, 0),
                "release_day": duty.is_release_day(day),
            }
        )
        day += timedelta(days=1)
    return out


def activity_counts_rollup(*, start: date, end: date, channel_id: int | None) -> dict[str, dict[date, int]]:
    counts: dict[str, dict[date, int]] = {"created": {}, "replied": {}, "solved": {}}
    for day, created, replied, solved in (
        TicketDay.objects.filter(day__gte=start, day__lte=end, **({"channel_id": channel_id} if channel_id else {}))
        .order_by()
        .values_list("day")
        .annotate(n_created=Sum("created"), n_replied=Sum("first_replied"), n_solved=Sum("solved"))
    ):
        counts["created"][day], counts["replied"][day], counts["solved"][day] = created, replied, solved
    return counts


def activity_counts_source(*, start: date, end: date, channel_id: int | None) -> dict[str, dict[date, int]]:
    """The reference path, from the tickets."""
    since, until = day_bounds(start, end)
    base = Ticket.objects.all()
    if channel_id is not None:
        base = base.filter(channel_id=channel_id)
    counts: dict[str, dict[date, int]] = {}
    for key, field_name in (("created", "requested_at"), ("replied", "first_reply_at"), ("solved", "solved_at")):
        qs = (
            base.filter(**{f"{field_name}__gte": since, f"{field_name}__lt": until})
            .annotate(day=TruncDate(field_name, tzinfo=UTC))
            .order_by()
            .values("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        counts[key] = dict(qs)
    return counts


def tags_rising(*, end: date, days: int = 30, limit: int = 50) -> list[dict[str, Any]]:
    """Tags added (TAG_ADDED events, by event time) in the `days` days ending with `end` (current) against the
    `days` days before (previous); change = current - previous; by change, largest first, then tag. One query
    (on the daily tag rollup on PostgreSQL)."""
    current_start = end - timedelta(days=days - 1)
    previous_start = current_start - timedelta(days=days)
    if rollups_supported():
        rollups_ensure_fresh()
        rows = tags_counts_rollup(current_start=current_start, previous_start=previous_start, end=end)
    else:
        rows = tags_counts_source(current_start=current_start, previous_start=previous_start, end=end)
    rows = (
        rows.annotate(change=F("current") - F("previous"))
        .order_by("-change", "tag")
        .values("tag", "current", "previous", "change")[:limit]
    )
    return [dict(row) for row in rows]


def tags_counts_rollup(*, current_start: date, previous_start: date, end: date) -> QuerySet:
    return (
        TagDay.objects.filter(day__gte=previous_start, day__lte=end)
        .order_by()
        .values("tag")
        .annotate(
            current=Coalesce(Sum("added", filter=Q(day__gte=current_start)), 0),
            previous=Coalesce(Sum("added", filter=Q(day__lt=current_start)), 0),
        )
    )


def tags_counts_source(*, current_start: date, previous_start: date, end: date) -> QuerySet:
    """The reference path, from the TAG_ADDED events."""
    since, _ = day_bounds(previous_start, previous_start)
    current_since, until = day_bounds(current_start, end)
    return (
        TicketEvent.objects.filter(kind=TicketEvent.Kind.TAG_ADDED, created_at__gte=since, created_at__lt=until)
        .annotate(tag=KeyTextTransform("tag", "data"))
        .exclude(tag__isnull=True)
        .order_by()
        .values("tag")
        .annotate(
            current=Count("id", filter=Q(created_at__gte=current_since)),
            previous=Count("id", filter=Q(created_at__lt=current_since)),
        )
    )


def outreach_monthly(*, start: date, end: date) -> list[dict[str, Any]]:
    """Expert outreach per month (by sent_at): asked, answered, declined, answer_rate (a fraction 0..1, None
    without outreach) and median_answer_hours. One query (experts.selectors.outreach_figures)."""
    from experts.selectors import outreach_figures

    since, until = day_bounds(start, end)
    return [
        {
            "month": row.key,
            "asked": row.asked,
            "answered": row.answered,
            "declined": row.declined,
            "answer_rate": _round(row.answer_rate, 4),
            "median_answer_hours": _round(_hours(row.median_answer_seconds)),
        }
        for row in outreach_figures(start=since, end=until, group_by="month")
    ]


# --------------------------------------------------------------------------------------------------------------
# Advocates


def advocate_stats(*, start: date, end: date, channel_id: int | None = None) -> list[dict[str, Any]]:
    """Per advocate, from the events in the range: tickets served in play mode, replies (marked or sent),
    tickets solved, and the median minutes from a play assignment to their next action (reply, status, macro)
    on that ticket (served tickets without a later action are left out of the median). By name."""
    if rollups_supported():
        rollups_ensure_fresh()
        rows = _advocate_rows_rollup(start=start, end=end, channel_id=channel_id)
    else:
        rows = _advocate_rows_python(start=start, end=end, channel_id=channel_id)
    names = dict(get_user_model().objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "username"))
    out = [
        {
            "advocate": names.get(actor, f"user {actor}"),
            "served": served,
            "replied": replied,
            "solved": solved,
            "median_handling_minutes": _round(minutes, 1),
        }
        for actor, served, replied, solved, minutes in rows
        if served or replied or solved
    ]
    out.sort(key=lambda r: r["advocate"].lower())
    return out


def _advocate_rows_rollup(*, start: date, end: date, channel_id: int | None) -> list[tuple]:
    rows = (
        AdvocateDay.objects.filter(day__gte=start, day__lte=end, **({"channel_id": channel_id} if channel_id else {}))
        .order_by()
        .values_list("actor_id")
        .annotate(n_served=Sum("served"), n_replied=Sum("replied"), n_solved=Sum("solved"), blob=BytesAgg("handling"))
    )
    out = []
    for actor, served, replied, solved, handling in rows:
        micros = array_percentile_cont(values_decode_wide(handling), 0.5)
        out.append((actor, served, replied, solved, None if micros is None else micros / 60_000_000))
    return out


def _advocate_rows_python(*, start: date, end: date, channel_id: int | None) -> list[tuple]:
    """The reference path: counts from the events, handling medians matched in Python."""
    since, until = day_bounds(start, end)
    events = TicketEvent.objects.filter(created_at__gte=since, created_at__lt=until, actor__isnull=False)
    if channel_id is not None:
        events = events.filter(ticket__channel_id=channel_id)
    counts = (
        events.filter(kind__in=[TicketEvent.Kind.ASSIGNED, TicketEvent.Kind.STATUS, *REPLY_KINDS])
        .order_by()
        .values_list("actor_id")
        .annotate(
            served=Count("id", filter=Q(kind=TicketEvent.Kind.ASSIGNED, data__via="play")),
            replied=Count("id", filter=Q(kind__in=REPLY_KINDS)),
            solved=Count("id", filter=Q(kind=TicketEvent.Kind.STATUS, data__to=SOLVED)),
        )
    )
    medians = handling_medians_python(since=since, until=until, channel_id=channel_id)
    return [(actor, served, replied, solved, medians.get(actor)) for actor, served, replied, solved in counts]


def handling_medians_python(*, since: datetime, until: datetime, channel_id: int | None) -> dict[int, float]:
    """The fallback of the handling medians: two queries, the matching in Python."""
    served = TicketEvent.objects.filter(
        kind=TicketEvent.Kind.ASSIGNED,
        data__via="play",
        actor__isnull=False,
        created_at__gte=since,
        created_at__lt=until,
    )
    if channel_id is not None:
        served = served.filter(ticket__channel_id=channel_id)
    served_rows = list(served.values_list("ticket_id", "actor_id", "created_at"))
    if not served_rows:
        return {}
    actions: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    ticket_ids = {ticket for ticket, _, _ in served_rows}
    for ticket, actor, at in (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind__in=HANDLING_KINDS, created_at__gte=since)
        .order_by("created_at", "id")
        .values_list("ticket_id", "actor_id", "created_at")
    ):
        actions[(ticket, actor)].append(at)
    minutes: dict[int, list[float]] = defaultdict(list)
    for ticket, actor, at in served_rows:
        later = next((t for t in actions.get((ticket, actor), ()) if t >= at), None)
        if later is not None:
            minutes[actor].append((later - at) // timedelta(microseconds=1))
    return {actor: percentile_cont(values, 0.5) / 60_000_000 for actor, values in minutes.items()}


# --------------------------------------------------------------------------------------------------------------
# Export and the JSON of `manage.py kpi`


def tickets_export(*, start: date, end: date, channel_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Tickets requested in the range, oldest first, streamed: one query per 2,000 tickets plus one for their
    tags. Datetimes as ISO 8601 strings (UTC), hours rounded to 2 decimals, tags "a;b" by name.

    The query is built here, when called, and only its rows are lazy: a range that cannot be queried fails
    before a response starts streaming, not in the middle of the file."""
    qs = (
        _tickets(start=start, end=end, channel_id=channel_id)
        .order_by("requested_at", "id")
        .values_list(
            "id",
            "channel__name",
            "requested_at",
            "first_reply_at",
            "first_reply_seconds",
            "first_reply_business_seconds",
            "status",
            "assignee__username",
        )
    )
    return _export_rows(qs)


def _export_rows(qs) -> Iterator[dict[str, Any]]:
    chunk: list[tuple] = []
    for row in qs.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        if len(chunk) >= EXPORT_CHUNK:
            yield from _export_chunk(chunk)
            chunk = []
    if chunk:
        yield from _export_chunk(chunk)


def _export_chunk(chunk: list[tuple]) -> Iterator[dict[str, Any]]:
    through = Ticket.tags.through
    tags: dict[int, list[str]] = defaultdict(list)
    for ticket_id, name in (
        through.objects.filter(ticket_id__in=[row[0] for row in chunk])
        .order_by("tag__name")
        .values_list("ticket_id", "tag__name")
    ):
        tags[ticket_id].append(name)
    for ticket_id, channel, requested_at, first_reply_at, frs, fbs, status, assignee in chunk:
        yield {
            "ticket": ticket_id,
            "channel": channel,
            "requested_at": requested_at.astimezone(UTC).isoformat(),
            "first_reply_at": first_reply_at.astimezone(UTC).isoformat() if first_reply_at else None,
            "frt_hours": _round(_hours(frs)),
            "frt_business_hours": _round(_hours(fbs)),
            "status": status,
            "tags": ";".join(tags.get(ticket_id, ())),
            "assignee": assignee or "",
        }


def kpi_json(*, start: date, end: date, channel_id: int | None = None, now: datetime | None = None) -> dict:
    with rollups_read():
        return _kpi_json(start=start, end=end, channel_id=channel_id, now=now or timezone.now())


def _kpi_json(*, start: date, end: date, channel_id: int | None, now: datetime) -> dict:
    stats = first_reply_stats(start=start, end=end, channel_id=channel_id, now=now)
    channel_name = Channel.objects.filter(pk=channel_id).values_list("name", flat=True).first() if channel_id else None
    return {
        "range": {"from": start.isoformat(), "to": end.isoformat()},
        "channel": channel_name,
        "targets": {str(group): hours for group, hours in Target.hours().items()},
        "first_reply": {
            "all": stats["all"].as_json(),
            "high_priority": stats["high_priority"].as_json(),
            "by_channel": {name: s.as_json() for name, s in stats["by_channel"].items()},
        },
        "activity": [
            {**row, "day": row["day"].isoformat()}
            for row in activity_daily(start=start, end=end, channel_id=channel_id)
        ],
        "tags_rising": tags_rising(end=end),
        "outreach": [{**row, "month": row["month"].isoformat()} for row in outreach_monthly(start=start, end=end)],
    }
