"""Daily ticket activity, rising tags and outreach per month."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.expressions import F
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate

from mentions.models import DutySettings, Ticket, TicketEvent
from metrics.models import TagDay, TicketDay
from metrics.periods import day_bounds, in_hours, rounded
from metrics.product_scope import rollup_narrowed, tickets_narrowed
from metrics.rollups import rollups_ensure_fresh, rollups_supported


def activity_daily(
    *, start: date, end: date, channel_id: int | None = None, duty: DutySettings | None = None
) -> list[dict[str, Any]]:
    """Per UTC day in the range (zeros included): tickets requested, first-replied and solved that day, mentions
    liked and reposted, our posts deleted and direct messages sent from the desk that day
    (mentions.services.platform_actions, direct_messages), and whether it is release day (DutySettings, the 22nd by
    default). One query for the release day, one on the rollups (PostgreSQL; else three, each on its own index:
    requested_at, first_reply_at, solved_at), one for what was done on the platforms (the events' kind-and-time
    index). `duty`: the settings when the caller read them already (the pages say the release day too)."""
    duty = duty or DutySettings.current()
    if rollups_supported():
        rollups_ensure_fresh()
        counts = activity_counts_rollup(start=start, end=end, channel_id=channel_id)
    else:
        counts = activity_counts_source(start=start, end=end, channel_id=channel_id)
    counts |= platform_actions_daily(start=start, end=end, channel_id=channel_id)
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    # Each count by its name (created, replied, solved, then liked, deleted, reposted, messaged), in that order.
    return [
        {
            "day": day,
            **{name: by_day.get(day, 0) for name, by_day in counts.items()},
            "release_day": duty.is_release_day(day),
        }
        for day in days
    ]


def platform_actions_daily(*, start: date, end: date, channel_id: int | None) -> dict[str, dict[date, int]]:
    """Likes, reposts, deletions of our posts and direct messages done from the desk, per UTC day of the event."""
    since, until = day_bounds(start, end)
    kinds = {
        TicketEvent.Kind.LIKED.value: "liked",
        TicketEvent.Kind.REPLY_DELETED.value: "deleted",
        TicketEvent.Kind.REPOSTED.value: "reposted",
        TicketEvent.Kind.DIRECT_MESSAGE.value: "messaged",
    }
    events = tickets_narrowed(
        TicketEvent.objects.filter(kind__in=list(kinds), created_at__gte=since, created_at__lt=until),
        field="ticket__product",
    )
    if channel_id is not None:
        events = events.filter(ticket__channel_id=channel_id)
    counts: dict[str, dict[date, int]] = {name: {} for name in kinds.values()}
    rows = events.annotate(day=TruncDate("created_at", tzinfo=UTC)).order_by().values_list("kind", "day")
    for kind, day, n in rows.annotate(n=Count("id")):
        counts[kinds[kind]][day] = n
    return counts


def activity_counts_rollup(*, start: date, end: date, channel_id: int | None) -> dict[str, dict[date, int]]:
    counts: dict[str, dict[date, int]] = {"created": {}, "replied": {}, "solved": {}}
    for day, created, replied, solved in (
        rollup_narrowed(
            TicketDay.objects.filter(day__gte=start, day__lte=end, **({"channel_id": channel_id} if channel_id else {}))
        )
        .order_by()
        .values_list("day")
        .annotate(n_created=Sum("created"), n_replied=Sum("first_replied"), n_solved=Sum("solved"))
    ):
        counts["created"][day], counts["replied"][day], counts["solved"][day] = created, replied, solved
    return counts


def activity_counts_source(*, start: date, end: date, channel_id: int | None) -> dict[str, dict[date, int]]:
    """The reference path, from the tickets."""
    since, until = day_bounds(start, end)
    base = tickets_narrowed(Ticket.objects.all())
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
        rollup_narrowed(TagDay.objects.filter(day__gte=previous_start, day__lte=end))
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
        tickets_narrowed(
            TicketEvent.objects.filter(kind=TicketEvent.Kind.TAG_ADDED, created_at__gte=since, created_at__lt=until),
            field="ticket__product",
        )
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
            "answer_rate": rounded(row.answer_rate, 4),
            "median_answer_hours": rounded(in_hours(row.median_answer_seconds)),
        }
        for row in outreach_figures(start=since, end=until, group_by="month")
    ]
