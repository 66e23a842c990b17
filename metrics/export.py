"""The CSV export's rows and the JSON of `manage.py kpi`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from django.db import router
from django.utils import timezone

from channels.models import Channel
from mentions.models import Target, Ticket
from metrics.activity import activity_daily, outreach_monthly, tags_rising
from metrics.community_summary import community_summary
from metrics.engagement import team_engagement
from metrics.first_reply import first_reply_stats
from metrics.next_reply import next_reply_stats
from metrics.periods import EXPORT_CHUNK, in_hours, rounded, tickets_requested
from metrics.rollups import rollups_read


def tickets_export(*, start: date, end: date, channel_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Tickets requested in the range, oldest first, streamed: one query per 2,000 tickets plus one for their
    tags. Datetimes as ISO 8601 strings (UTC), hours rounded to 2 decimals, tags "a;b" by name.

    The query is built here, when called, and only its rows are lazy: a range that cannot be queried fails
    before a response starts streaming, not in the middle of the file."""
    qs = (
        tickets_requested(start=start, end=end, channel_id=channel_id)
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
    # The rows are read after the caller's reports_read() has ended (a streamed response is iterated once its view
    # has returned), so the database is chosen now, while the caller's choice still holds.
    return _export_rows(qs.using(router.db_for_read(Ticket)))


def _export_rows(qs) -> Iterator[dict[str, Any]]:
    rows = qs.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        yield from _export_chunk(chunk, using=qs.db)


def _export_chunk(chunk: list[tuple], *, using: str) -> Iterator[dict[str, Any]]:
    through = Ticket.tags.through
    tags: dict[int, list[str]] = defaultdict(list)
    for ticket_id, name in (
        through.objects.using(using)
        .filter(ticket_id__in=[row[0] for row in chunk])
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
            "frt_hours": rounded(in_hours(frs)),
            "frt_business_hours": rounded(in_hours(fbs)),
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
        "next_reply": {
            group: figures.as_json()
            for group, figures in next_reply_stats(start=start, end=end, channel_id=channel_id, now=now).items()
        },
        "activity": [
            {**row, "day": row["day"].isoformat()}
            for row in activity_daily(start=start, end=end, channel_id=channel_id)
        ],
        "tags_rising": tags_rising(end=end),
        "outreach": [{**row, "month": row["month"].isoformat()} for row in outreach_monthly(start=start, end=end)],
        "team_engagement": team_engagement(start=start, end=end),
        "community": community_summary(start=start, end=end, channel_id=channel_id).as_json(),
    }
