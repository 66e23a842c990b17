"""The KPI tables as rows, and their CSV export (streamed, guarded against formula injection).

The pages and the CSV files share the row builders here, so a CSV always says what its table says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime

from advocacy.csv_cells import csv_lines
from metrics import (
    activity,
    advocates,
    engagement,
    export,
    first_reply,
    first_reply_weekly,
    next_reply,
)
from metrics.community.exports import COMMUNITY_EXPORTS
from metrics.product_scope import product_narrowed
from metrics.rollups import rollups_read

# --- Rows shared by the pages and the exports -------------------------------------------------

FIRST_REPLY_FIELDS = (
    "target_hours",
    "median_hours",
    "p90_hours",
    "median_business_hours",
    "p90_business_hours",
    "within_target_pct",
    "replied",
    "unreplied",
    "unreplied_over_target",
    "solved_without_reply",
    "answered_by_community",
)


def first_reply_rows(stats: dict) -> list[dict]:
    """All channels, high-priority channels, then one row per channel; `over_target` marks a median
    above its target."""
    rows = [("All channels", stats["all"]), ("High-priority channels", stats["high_priority"])]
    rows += sorted(stats["by_channel"].items(), key=lambda item: str(item[0]).lower())
    return [
        {
            "label": str(label),
            "stats": s,
            "over_target": s.median_hours is not None
            and s.target_hours is not None
            and s.median_hours > s.target_hours,
        }
        for label, s in rows
    ]


def overdue_rows(stats: dict, *, now: datetime) -> list[dict]:
    """Unreplied tickets waiting longer than their target, oldest first: the all-channels list plus
    high-priority tickets past their tighter target."""
    seen: dict[int, dict] = {}
    for group in ("high_priority", "all"):
        for ticket in stats[group].overdue:
            seen.setdefault(
                ticket.pk,
                {
                    "ticket": ticket,
                    "channel": ticket.channel.name,
                    "waiting_hours": (now - ticket.requested_at).total_seconds() / 3600,
                    "target_hours": stats[group].target_hours,
                },
            )
    return sorted(seen.values(), key=lambda row: (row["ticket"].requested_at, row["ticket"].pk))


def tags_days(start: date, end: date) -> int:
    return (end - start).days + 1


# --- Exports --------------------------------------------------------------------------------


def _dict_rows(rows: Iterable[dict], keys: Sequence[str]) -> Iterator[list]:
    for row in rows:
        yield [row.get(key) for key in keys]


def _first_reply(*, start: date, end: date, channel_id: int | None, now: datetime) -> tuple[list, Iterable]:
    stats = first_reply.first_reply_stats(start=start, end=end, channel_id=channel_id, now=now)
    header = ["group", *FIRST_REPLY_FIELDS]
    return header, (
        [r["label"], *(getattr(r["stats"], f) for f in FIRST_REPLY_FIELDS)] for r in first_reply_rows(stats)
    )


NEXT_REPLY_FIELDS = (
    "target_hours",
    "median_hours",
    "p90_hours",
    "median_business_hours",
    "within_target_pct",
    "answered",
    "waiting",
    "waiting_over_target",
)
NEXT_REPLY_LABELS = {"all": "All channels", "high_priority": "High priority"}


def _next_reply(*, start: date, end: date, channel_id: int | None, now: datetime) -> tuple[list, Iterable]:
    stats = next_reply.next_reply_stats(start=start, end=end, channel_id=channel_id, now=now)
    header = ["group", *NEXT_REPLY_FIELDS]
    return header, ([NEXT_REPLY_LABELS[g], *(getattr(s, f) for f in NEXT_REPLY_FIELDS)] for g, s in stats.items())


def _overdue(*, start: date, end: date, channel_id: int | None, now: datetime) -> tuple[list, Iterable]:
    stats = first_reply.first_reply_stats(start=start, end=end, channel_id=channel_id, now=now)
    header = ["ticket", "subject", "channel", "requested_at", "waiting_hours", "target_hours", "status"]
    rows = (
        [
            r["ticket"].pk,
            r["ticket"].subject,
            r["channel"],
            r["ticket"].requested_at,
            r["waiting_hours"],
            r["target_hours"],
            r["ticket"].status,
        ]
        for r in overdue_rows(stats, now=now)
    )
    return header, rows


def _keyed(keys: str, fetch: Callable[[date, date, int | None], Iterable[dict]]) -> Callable[..., tuple]:
    """A table whose rows are dicts: `keys` (space-separated) are its header and the keys read of each row;
    `fetch(start, end, channel_id)` gives the rows."""
    header = keys.split()

    def build(*, start: date, end: date, channel_id: int | None, now: datetime) -> tuple[list, Iterable]:
        return header, _dict_rows(fetch(start, end, channel_id), header)

    return build


EXPORTS: dict[str, Callable[..., tuple[list, Iterable]]] = {
    "first_reply": _first_reply,
    "next_reply": _next_reply,
    "overdue": _overdue,
    "weekly": _keyed(
        "week_start median_hours median_business_hours replied target_hours",
        lambda start, end, channel_id: first_reply_weekly.first_reply_weekly(
            start=start, end=end, channel_id=channel_id
        ),
    ),
    "activity": _keyed(
        "day created replied solved liked reposted deleted messaged release_day",
        lambda start, end, channel_id: activity.activity_daily(start=start, end=end, channel_id=channel_id),
    ),
    "tags_rising": _keyed(
        "tag current previous change",
        lambda start, end, channel_id: activity.tags_rising(end=end, days=tags_days(start, end)),
    ),
    "outreach": _keyed(
        "month asked answered declined answer_rate median_answer_hours",
        lambda start, end, channel_id: activity.outreach_monthly(start=start, end=end),
    ),
    "engagement": _keyed(
        "platform members answers after_share",
        lambda start, end, channel_id: engagement.engagement_rows(start=start, end=end),
    ),
    "advocates": _keyed(
        "advocate served replied solved median_handling_minutes",
        lambda start, end, channel_id: advocates.advocate_stats(start=start, end=end, channel_id=channel_id),
    ),
    "tickets": _keyed(
        "ticket channel requested_at first_reply_at frt_hours frt_business_hours status tags assignee",
        lambda start, end, channel_id: export.tickets_export(start=start, end=end, channel_id=channel_id),
    ),
    # The Community page's tables (metrics.community.exports): they also take the page's `by`.
    **COMMUNITY_EXPORTS,
}


def export_lines(
    *,
    table: str,
    start: date,
    end: date,
    channel_id: int | None,
    now: datetime,
    by: str | None = None,
    product_id: int | None = None,
) -> Iterator[str] | None:
    """The CSV lines of one table, or None for an unknown table. Rows are produced lazily, so the
    per-ticket export streams from the selector's iterator. `by` (day, week, month) is for the Community tables;
    `product_id` narrows every table to a product (metrics.product_scope), its lazy rows too."""
    build = EXPORTS.get(table)
    if build is None:
        return None
    extra = {"by": by} if table in COMMUNITY_EXPORTS else {}
    with rollups_read(), product_narrowed(product_id):
        header, rows = build(start=start, end=end, channel_id=channel_id, now=now, **extra)
    return _narrowed(csv_lines(header, rows), product_id)


def _narrowed(lines: Iterator[str], product_id: int | None) -> Iterator[str]:
    """The lines, each made inside the product's scope: a streamed export makes them after its view returned."""
    lines = iter(lines)
    while True:
        with product_narrowed(product_id):
            line = next(lines, None)
        if line is None:
            return
        yield line
