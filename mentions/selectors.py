"""Reads shared by pages, services and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Value, When

from mentions.models import Macro, MacroAction, Message, Ticket, TicketEvent, View


def view_tickets(*, view: View, user: Any | None = None) -> QuerySet[Ticket]:
    """Waiting tickets matching the view's filters (assigned or not)."""
    qs = Ticket.objects.filter(status__in=view.waiting_statuses)
    if view.channel_ids:
        qs = qs.filter(channel_id__in=view.channel_ids)
    if tag_ids := view.tag_ids:
        through = Ticket.tags.through
        qs = qs.filter(Exists(through.objects.filter(ticket_id=OuterRef("pk"), tag_id__in=tag_ids)))
    if view.high_priority_only:
        qs = qs.filter(high_priority=True)
    if view.allow_skip and user is not None:
        # A ticket someone skipped is not served to them again from play mode.
        skipped = TicketEvent.objects.filter(ticket_id=OuterRef("pk"), kind=TicketEvent.Kind.SKIPPED, actor=user)
        qs = qs.exclude(Exists(skipped))
    return qs


def deadline_rank() -> Case:
    """Urgent first, then tickets whose first-reply clock runs, then the rest (follow-ups on
    answered tickets). The same expression as the ticket_waiting_deadline_idx index."""
    return Case(
        When(priority=Ticket.Priority.URGENT, then=Value(0)),
        When(first_reply_at__isnull=True, then=Value(1)),
        default=Value(2),
    )


def view_order(view: View) -> list[Any]:
    """The order Play serves a view in: oldest first, or deadline first (urgent, then least time
    left to the first-reply target)."""
    if view.order == View.Order.DEADLINE:
        return [deadline_rank(), F("sla_due_at").asc(nulls_last=True), "requested_at", "id"]
    return ["requested_at", "id"]


@dataclass
class ViewSummary:
    view: View
    waiting: int
    oldest_requested_at: datetime | None
    next_due_at: datetime | None = None


ORDER_TIME_LEFT = "time_left"
_CLOCK_RUNNING = Q(status__in=Ticket.WAITING_STATUSES, first_reply_at__isnull=True)


def queue_summary() -> list[ViewSummary]:
    """Each active view with its unassigned waiting count, oldest wait and the nearest
    first-reply due time (one query per view)."""
    views = list(View.objects.filter(is_active=True))
    summaries = []
    for view in views:
        agg = (
            view_tickets(view=view)
            .filter(assignee__isnull=True)
            .aggregate(n=Count("id"), oldest=Min("requested_at"), due=Min("sla_due_at", filter=_CLOCK_RUNNING))
        )
        summaries.append(
            ViewSummary(view=view, waiting=agg["n"], oldest_requested_at=agg["oldest"], next_due_at=agg["due"])
        )
    return summaries


def waiting_total() -> int:
    """Unassigned tickets waiting for a first look (new/open): what Play can still serve, the
    number in the browser tab's title. Counted on the ticket_waiting_idx partial index."""
    return Ticket.objects.filter(assignee__isnull=True, status__in=Ticket.WAITING_STATUSES).count()


def tickets_of_user(*, user: Any, limit: int = 50, order: str = "") -> QuerySet[Ticket]:
    """The user's unsolved tickets: those with a follow-up nobody acted on first (oldest update
    first), then oldest first, or by time left to the first-reply target (running clocks
    first, then the rest oldest first)."""
    qs = (
        Ticket.objects.filter(assignee=user)
        .exclude(status=Ticket.Status.SOLVED)
        .select_related("channel")
        .prefetch_related("tags")
    )
    if order == ORDER_TIME_LEFT:
        running = Case(When(_CLOCK_RUNNING, then=Value(0)), default=Value(1))
        return qs.order_by(
            F("followup_at").asc(nulls_last=True), running, F("sla_due_at").asc(nulls_last=True), "requested_at", "id"
        )[:limit]
    return qs.order_by(F("followup_at").asc(nulls_last=True), "requested_at", "id")[:limit]


def ticket_list(
    *, status: str = "", channel_id: int | None = None, assignee_id: int | None = None, q: str = "", order: str = ""
) -> QuerySet[Ticket]:
    """Tickets newest first; ordered by time left, only tickets whose first-reply clock runs
    (waiting, not yet answered), least time left first (ticket_sla_due_idx). `q` searches as
    the embedded default does (mentions.search; the ticket list pages through search.ticket_search)."""
    from mentions import search

    query = search.TicketQuery(q=q, status=status, channel_id=channel_id, assignee_id=assignee_id, order=order)
    qs = search.fallback_queryset(query) if query.has_text else search.ticket_queryset(query)
    return qs.select_related("channel", "assignee").prefetch_related("tags")


def ticket_detail(*, pk: int) -> Ticket:
    return (
        Ticket.objects.select_related("channel", "assignee", "served_view")
        .prefetch_related(
            "tags",
            Prefetch(
                "messages", queryset=Message.objects.select_related("author_user").order_by("platform_created_at", "id")
            ),
            Prefetch("events", queryset=TicketEvent.objects.select_related("actor").order_by("created_at", "id")),
        )
        .get(pk=pk)
    )


def macros_active() -> list[Macro]:
    return list(
        Macro.objects.filter(is_active=True).prefetch_related(
            Prefetch("actions", queryset=MacroAction.objects.order_by("position", "id"))
        )
    )


@dataclass
class Duty:
    release_day: date
    is_release_day: bool
    release_advocate: Any | None


def duty_today(*, today: date) -> Duty:
    """This month's release day and release advocate (two queries)."""
    from metrics.models import DutySettings, ReleaseRota

    duty = DutySettings.current()
    rota = ReleaseRota.for_month(today)
    return Duty(
        release_day=duty.release_date(today),
        is_release_day=duty.is_release_day(today),
        release_advocate=rota.advocate if rota else None,
    )


@dataclass
class TicketUpdates:
    """What changed on an open ticket page since it was rendered (its live refresh)."""

    messages: list[Message]
    # Changes other than new messages that make the page's forms stale (a status change, a reply
    # recorded by someone else, a merge): said to the advocate, never swallowed.
    other_changes: list[TicketEvent]
    # The version the page's forms may now claim to have seen: moved past the new messages it
    # is shown, but never past a change it is only told about.
    version: int
    merged_into_id: int | None


def ticket_updates(*, ticket_id: int, after_message: int, seen: int) -> TicketUpdates | None:
    """New messages after message id `after_message` and changes after version `seen`; None if
    the ticket is gone. Events are read before messages: a message arriving in between is then
    shown now and its event counted at the next refresh, never counted without being shown."""
    from mentions.services.versions import CONFLICTING

    ticket = Ticket.objects.filter(pk=ticket_id).values("merged_into_id").first()
    if ticket is None:
        return None
    events = list(
        TicketEvent.objects.filter(ticket_id=ticket_id, pk__gt=seen).select_related("actor").order_by("pk")[:50]
    )
    messages = list(
        Message.objects.filter(ticket_id=ticket_id, pk__gt=after_message)
        .select_related("author_user")
        .order_by("platform_created_at", "id")
    )
    shown = {TicketEvent.Kind.MESSAGE, TicketEvent.Kind.OUR_REPLY_SEEN}
    other = [e for e in events if e.kind in CONFLICTING and e.kind not in shown]
    version = seen if other or not events else events[-1].pk
    return TicketUpdates(
        messages=messages, other_changes=other, version=version, merged_into_id=ticket["merged_into_id"]
    )
