"""Per advocate: tickets served in play mode, replies, solves and handling time."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from mentions.models import TicketEvent
from metrics.models import AdvocateDay
from metrics.periods import HANDLING_KINDS, REPLY_KINDS, SOLVED, BytesAgg, day_bounds, rounded
from metrics.product_scope import rollup_narrowed, tickets_narrowed
from metrics.quantiles import (
    array_percentile_cont,
    percentile_cont,
    values_decode_wide,
)
from metrics.rollups import PLAY_OPENED, rollups_ensure_fresh, rollups_supported


def advocate_stats(*, start: date, end: date, channel_id: int | None = None) -> list[dict[str, Any]]:
    """Per advocate, from the events in the range: tickets served in play mode, replies (marked or sent),
    tickets solved, and the median minutes from a play assignment to their next action (reply, status, macro)
    on that ticket, Play's own opening of a new ticket aside (served tickets without a later action are left out
    of the median). By name."""
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
            "median_handling_minutes": rounded(minutes, 1),
        }
        for actor, served, replied, solved, minutes in rows
        if served or replied or solved
    ]
    out.sort(key=lambda r: r["advocate"].lower())
    return out


def _advocate_rows_rollup(*, start: date, end: date, channel_id: int | None) -> list[tuple]:
    rows = (
        rollup_narrowed(
            AdvocateDay.objects.filter(
                day__gte=start, day__lte=end, **({"channel_id": channel_id} if channel_id else {})
            )
        )
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
    events = tickets_narrowed(
        TicketEvent.objects.filter(created_at__gte=since, created_at__lt=until, actor__isnull=False),
        field="ticket__product",
    )
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
    served = tickets_narrowed(served, field="ticket__product")
    served_rows = list(served.values_list("ticket_id", "actor_id", "created_at"))
    if not served_rows:
        return {}
    actions: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    ticket_ids = {ticket for ticket, _, _ in served_rows}
    for ticket, actor, at in (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind__in=HANDLING_KINDS, created_at__gte=since)
        .exclude(kind=TicketEvent.Kind.STATUS, data__from=PLAY_OPENED[0], data__to=PLAY_OPENED[1])
        .order_by("created_at", "id")
        .values_list("ticket_id", "actor_id", "created_at")
    ):
        actions[(ticket, actor)].append(at)
    minutes: dict[int, list[float]] = defaultdict(list)
    for ticket, actor, at in served_rows:
        later = next((t for t in actions.get((ticket, actor), ()) if t >= at), None)
        if later is not None:
            minutes[actor].append((later - at) // timedelta(microseconds=1))
    medians = {actor: percentile_cont(values, 0.5) for actor, values in minutes.items()}
    return {actor: median / 60_000_000 for actor, median in medians.items() if median is not None}
