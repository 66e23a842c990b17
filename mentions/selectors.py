"""Reads shared by pages, services and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from advocacy.prepared import Prepared
from advocacy.versioned import version_bump, versioned
from mentions.models import Macro, MacroAction, Message, Ticket, TicketEvent, View
from mentions.models.play_order import PLAY_DEADLINE, PLAY_OLDEST
from mentions.permissions.private_messages import PRIVATE_KINDS, conversation_shown
from mentions.products import desk_products, of_product
from mentions.ticket_page.panels import panels_present


def view_tickets(*, view: View, user: Any | None = None) -> QuerySet[Ticket]:
    """Waiting tickets matching the view's filters (assigned or not)."""
    qs = Ticket.objects.filter(view_condition(view))
    if view.allow_skip and user is not None:
        # A ticket someone skipped is not served to them again from play mode.
        skipped = TicketEvent.objects.filter(ticket_id=OuterRef("pk"), kind=TicketEvent.Kind.SKIPPED, actor=user)
        qs = qs.exclude(Exists(skipped))
    return qs


# Snoozed tickets (mentions.services.snooze) are set aside: out of every view, Play and the waiting counts.
NOT_SNOOZED = Q(snoozed_until__isnull=True, snoozed_until_reply=False)


def view_condition(view: View) -> Q:
    """The view's filters as one condition: its waiting statuses, channels, tags, high priority; never a
    snoozed ticket."""
    return Q(status__in=view.waiting_statuses) & NOT_SNOOZED & view_filters(view)


def view_filters(view: View) -> Q:
    """The view's filters that say which tickets it is about (channels, tags, high priority, judgement), without
    its statuses: the forecast counts a ticket that arrived today and was answered since as an arrival."""
    condition = Q()
    if view.channel_ids:
        condition &= Q(channel_id__in=view.channel_ids)
    if tag_ids := view.tag_ids:
        through = Ticket.tags.through
        condition &= Q(Exists(through.objects.filter(ticket_id=OuterRef("pk"), tag_id__in=tag_ids)))
    if view.high_priority_only:
        condition &= Q(high_priority=True)
    if view.judgements:
        condition &= Q(judgement__in=view.judgements)
    if view.product_id is not None:
        # From memory (no query); the desk's first product holds the tickets without a product too.
        condition &= desk_products().tickets_q(view.product_id)
    return condition


def view_narrowed(view: View, product_id: int | None) -> View | None:
    """`view` narrowed to a product (the queue's ?product=, issue 71): the view itself when `product_id` is None or
    its own product; an unsaved copy with that product when the view is about every product, so everything that
    reads the view's filters (Play's claim, the counts, the forecast, its list) reads the narrowing; None when the
    view is another product's, where nothing of that product can wait. A copy, not the row changed: the row is shared
    by every request, and Play's compiled claim (mentions.services.play_sql) is keyed by the view's settings, the
    product among them."""
    if product_id is None or view.product_id == product_id:
        return view
    if view.product_id is not None:
        return None
    narrowed = View(**{f.attname: getattr(view, f.attname) for f in View._meta.concrete_fields})
    narrowed._state.adding = False
    narrowed.product_id = product_id
    return narrowed


def view_order(view: View) -> list[Any]:
    """The order Play serves a view in: oldest first or deadline first, sure noise last on both
    (mentions.models.play_order, whose keys the claim's index holds too, so the claim reads its first unlocked row
    instead of sorting)."""
    return list(PLAY_DEADLINE if view.order == View.Order.DEADLINE else PLAY_OLDEST)


def view_waiting(view: View) -> QuerySet[Ticket]:
    """What waits in `view` for Play (what the queue counts as waiting there: unassigned, its filters), in the order
    Play serves it, read along the claim's own index: the view's list (mentions.views.view_list)."""
    return Ticket.objects.filter(view_condition(view), assignee__isnull=True).order_by(*view_order(view))


@dataclass
class ViewSummary:
    view: View
    waiting: int
    oldest_requested_at: datetime | None
    next_due_at: datetime | None = None
    # The day's forecast (mentions.forecast.day), put in by the queue page (mentions.forecast.reads.forecasts_attach).
    forecast: Any = None


ORDER_TIME_LEFT = "time_left"
# A channel's configuration and polling state, which no ticket row shows: five JSON documents decoded for
# each of the 50 rows of "My tickets" were 250 json.loads per queue page.
CHANNEL_STATE_FIELDS = tuple(
    f"channel__{name}"
    for name in ("config", "our_accounts", "platform_status", "usage", "cursor", "credentials_encrypted", "last_error")
)
# A first-reply clock that runs: waiting, not answered yet (ticket_sla_due_idx; the search and the forecast too).
CLOCK_RUNNING = Q(status__in=Ticket.WAITING_STATUSES, first_reply_at__isnull=True)


def queue_summary(*, product_id: int | None = None) -> list[ViewSummary]:
    """Each active view with its unassigned waiting count, oldest wait and the nearest
    first-reply due time, all views in one query: one pass over the unassigned waiting tickets
    (ticket_waiting_idx), each view's figures an aggregate with the view's condition as FILTER. Narrowed to a
    product (`product_id`, view_narrowed): each view counts that product's tickets, another product's views are left
    out."""
    views = [
        narrowed
        for view in View.objects.filter(is_active=True)
        if (narrowed := view_narrowed(view, product_id)) is not None
    ]
    if not views:
        return []
    statuses = sorted({status for view in views for status in view.waiting_statuses})
    aggregates: dict[str, Aggregate] = {}
    for view in views:
        condition = view_condition(view)
        aggregates[f"n_{view.pk}"] = Count("id", filter=condition)
        aggregates[f"oldest_{view.pk}"] = Min("requested_at", filter=condition)
        aggregates[f"due_{view.pk}"] = Min("sla_due_at", filter=condition & CLOCK_RUNNING)
    agg = Ticket.objects.filter(assignee__isnull=True, status__in=statuses).aggregate(**aggregates)
    return [
        ViewSummary(
            view=view,
            waiting=agg[f"n_{view.pk}"],
            oldest_requested_at=agg[f"oldest_{view.pk}"],
            next_due_at=agg[f"due_{view.pk}"],
        )
        for view in views
    ]


def waiting_total() -> int:
    """Unassigned tickets waiting for a first look (new/open): what Play can still serve, the
    number in the browser tab's title. Counted on the ticket_waiting_idx partial index."""
    return Ticket.objects.filter(NOT_SNOOZED, assignee__isnull=True, status__in=Ticket.WAITING_STATUSES).count()


def snoozed_count(*, product_id: int | None = None) -> int:
    """How many tickets are snoozed (the queue's link to the "Snoozed" list; ticket_snoozed_idx), a product's when
    the queue is narrowed to it (issue 71)."""
    return of_product(Ticket.objects.exclude(NOT_SNOOZED), product_id).count()


def tickets_of_user(*, user: Any, limit: int = 50, order: str = "") -> QuerySet[Ticket]:
    """The user's unsolved tickets: those with a follow-up nobody acted on first (oldest update
    first), then oldest first, or by time left to the first-reply target (running clocks
    first, then the rest oldest first)."""
    qs = (
        Ticket.objects.filter(assignee=user)
        .exclude(status=Ticket.Status.SOLVED)
        .select_related("channel")
        .defer(*CHANNEL_STATE_FIELDS)
        .prefetch_related("tags")
    )
    if order == ORDER_TIME_LEFT:
        running = Case(When(CLOCK_RUNNING, then=Value(0)), default=Value(1))
        return qs.order_by(
            F("followup_at").asc(nulls_last=True), running, F("sla_due_at").asc(nulls_last=True), "requested_at", "id"
        )[:limit]
    return qs.order_by(F("followup_at").asc(nulls_last=True), "requested_at", "id")[:limit]


# The id of the ticket's latest reply submitted for approval (mentions.services.approvals.approval_shown), read with
# the page's ticket so that a ticket without one costs no query; written out as the panels' presence is
# (mentions.ticket_page.panels.panels_present: a RawSQL compiles in a fraction of a Subquery's time).
_APPROVAL_LATEST = RawSQL(
    'SELECT "a"."id" FROM "mentions_replyapproval" "a" WHERE "a"."ticket_id" = "mentions_ticket"."id"'
    ' ORDER BY "a"."id" DESC LIMIT 1',
    (),
    output_field=BigIntegerField(),
)


def _ticket_page_query(pk: int, *, panels: bool) -> QuerySet[Ticket]:
    newest_event = TicketEvent.objects.filter(ticket=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    return (
        # With its answer by the community, if any (mentions.services.community), and the team model's draft and
        # summary (mentions.models.TeamModelOutput): joins, no query of their own.
        Ticket.objects.select_related("channel", "assignee", "served_view", "community_answer", "team_output")
        .defer(*(f for f in CHANNEL_STATE_FIELDS if f not in ("channel__config", "channel__our_accounts")))
        .annotate(
            events_version=Subquery(newest_event),
            approval_latest=_APPROVAL_LATEST,
            **(panels_present() if panels else {}),
        )
        .filter(pk=pk)
    )


# Compiled once per process (advocacy.prepared): compiling this query was three quarters of its cost.
_TICKET_PAGE = Prepared(lambda pk: _ticket_page_query(pk, panels=True), int)
_TICKET_PLAIN = Prepared(lambda pk: _ticket_page_query(pk, panels=False), int)
_CONVERSATION = Prepared(
    lambda pk: (
        Message.objects.filter(ticket_id=pk)
        .select_related("author_user")
        .defer("raw")
        .order_by("platform_created_at", "id")
    ),
    int,
)


def ticket_detail(*, pk: int, private: bool, panels: bool = False, conversation: bool = True) -> Ticket:
    """The ticket page's ticket: its channel, assignee and Play view, its conversation, and its version
    (`events_version`: the newest event's id, what the page's forms claim to have seen). Leaves out what the
    page's first answer never shows or can be large: the channel's poll state (its config is kept: the reply
    plan reads it), the messages' raw platform payloads, the tags (the facts panel's) and the history (loaded
    when it is opened, `ticket_history`). `panels`: with the side panels' annotations saying whether each has
    anything to show (mentions.ticket_page.panels.panels_present), read with the row. Two queries; one without the
    `conversation` (the deferred panels read what they need of it). `approval_latest`: the id of its latest reply
    submitted for approval, or None. `private`: whether the reader reads private messages
    (mentions.permissions.private_messages); without, the conversation leaves them out and `private_hidden` says how
    many it left out. Raises Ticket.DoesNotExist."""
    found = (_TICKET_PAGE if panels else _TICKET_PLAIN).first(pk)
    if found is None:
        raise Ticket.DoesNotExist(f"no ticket {pk}")
    if conversation:
        shown, hidden = conversation_shown(_CONVERSATION.all(pk), private=private)
        setattr(found, "private_hidden", hidden)  # noqa: B010 - read by the page's template, as search's snippet
        _attach(found, "messages", shown)
    return found


def ticket_found(*, pk: int) -> tuple[bool, int | None]:
    """Whether ticket `pk` exists, and the ticket it was merged into. The ticket page asks this first, with the
    cheapest query there is, so a missing or merged ticket (a signed-in 404 is the floor of every page) never
    runs the page's full query (`ticket_detail`): compiled once per process now, but PostgreSQL plans it on every
    run, 0.8 ms, and 1.7 ms for an id outside the table's range, whose ends the planner then reads from the index
    (EXPLAIN's planning time at 200,000 tickets; the floor's PostgreSQL CPU went 0.6 to 2.1 ms a view when the page
    asked it alone)."""
    row = Ticket.objects.filter(pk=pk).order_by().values_list("merged_into_id")[:1]
    found = list(row)
    return (True, found[0][0]) if found else (False, None)


def _attach(instance: Any, name: str, rows: list[Any]) -> None:
    """Leave `rows` where prefetch_related leaves a relation's rows, so `instance.<name>.all()` answers them
    without a query. Done by hand for the ticket page's one ticket: prefetch_related's machinery (a queryset
    per relation, rows matched back to their instances) was a quarter of the page's ORM time."""
    answered = getattr(instance, name).all()
    answered._result_cache, answered._prefetch_done = rows, True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = answered


def ticket_history(*, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's history, oldest first, with who did each."""
    return list(TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("created_at", "id"))


def private_external_ids(*, ticket_id: int) -> frozenset[str]:
    """The platform ids of the ticket's private messages: the history words its lines about them without their text
    for a reader who does not read them (mentions.ticket_page.history). Asked only for such a reader."""
    rows = Message.objects.filter(ticket_id=ticket_id, kind__in=PRIVATE_KINDS, external_id__isnull=False)
    return frozenset(found for found in rows.values_list("external_id", flat=True) if found)


MACROS_VERSION_KEY = "macros:version"


def macros_active() -> list[Macro]:
    """The active macros with their actions: every ticket page shows them and they change a few
    times a year, so they come from this process's memory under the macros' version (one cache
    read). Any save or delete of a macro or an action retires the list (apps.py)."""

    def build() -> list[Macro]:
        return list(
            Macro.objects.filter(is_active=True).prefetch_related(
                Prefetch("actions", queryset=MacroAction.objects.order_by("position", "id"))
            )
        )

    return versioned(MACROS_VERSION_KEY, "active", build, ttl=3600)


def macros_changed(**kwargs: Any) -> None:
    version_bump(MACROS_VERSION_KEY)


@dataclass
class Duty:
    release_day: date
    is_release_day: bool
    release_advocate: Any | None
    # With several products, on the queue not narrowed, when a product has an entry of its own: each entry of the
    # month as (whose: a product's name, or "" for every product, the advocate), every product's first.
    release_rota: list[tuple[str, Any]] = field(default_factory=list)


def duty_today(*, today: date, product_id: int | None = None) -> Duty:
    """This month's release day and release advocate (two queries): narrowed to a product, its own entry first, else
    the desk-wide one (ReleaseRota.pick)."""
    from mentions.models import DutySettings, ReleaseRota

    duty = DutySettings.current()
    entries = ReleaseRota.month_entries(today)
    rota = ReleaseRota.pick(entries, product_id)
    return Duty(
        release_day=duty.release_date(today),
        is_release_day=duty.is_release_day(today),
        release_advocate=rota.advocate if rota else None,
        release_rota=_rota_by_product(entries) if product_id is None else [],
    )


def _rota_by_product(entries: list[Any]) -> list[tuple[str, Any]]:
    """The month's entries named by product, when the whole queue has to say several (see Duty.release_rota)."""
    products = desk_products()
    if not products.many or all(entry.product_id is None for entry in entries):
        return []
    order = {p.pk: n for n, p in enumerate(products.products)}
    ranked = sorted(entries, key=lambda e: -1 if e.product_id is None else order.get(e.product_id, len(order)))
    named = []
    for entry in ranked:
        product = products.get(entry.product_id) if entry.product_id is not None else None
        named.append((product.name if product is not None else "", entry.advocate))
    return named


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


def ticket_updates(*, ticket_id: int, after_message: int, seen: int, private: bool) -> TicketUpdates | None:
    """New messages after message id `after_message` (without the private ones unless `private`: the reader reads
    them, mentions.permissions.private_messages) and changes after version `seen`; None if the ticket is gone.
    Events are read before messages: a message arriving in between is then shown now and its event counted at the
    next refresh, never counted without being shown."""
    from mentions.services.versions import CONFLICTING

    ticket = Ticket.objects.filter(pk=ticket_id).values("merged_into_id").first()
    if ticket is None:
        return None
    events = list(
        TicketEvent.objects.filter(ticket_id=ticket_id, pk__gt=seen).select_related("actor").order_by("pk")[:50]
    )
    new = Message.objects.filter(ticket_id=ticket_id, pk__gt=after_message)
    if not private:
        new = new.exclude(kind__in=PRIVATE_KINDS)
    messages = list(new.select_related("author_user").order_by("platform_created_at", "id"))
    shown = {TicketEvent.Kind.MESSAGE, TicketEvent.Kind.OUR_REPLY_SEEN}
    other = [e for e in events if e.kind in CONFLICTING and e.kind not in shown]
    version = seen if other or not events else events[-1].pk
    return TicketUpdates(
        messages=messages, other_changes=other, version=version, merged_into_id=ticket["merged_into_id"]
    )
