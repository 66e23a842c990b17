"""Stages 5 and 9, clocks: what the page's messages do to their tickets' state and first-reply
clocks. In stage 5 (stored tickets), `new_tickets_answered` sets a new ticket our reply answered waiting on
the requester and `stored_tickets_update` locks and loads the stored tickets the page touches (before
triage, which reads them); in stage 9, `new_tickets_clock` gives new tickets their due time once the
rules have tagged and prioritised them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from intake.pipeline.page import TICKET_ROW_COLUMNS, Page, TicketRow
from mentions.models import Message, ReplyWait, Ticket, TicketEvent
from mentions.services.events import WAITING_ON_REQUESTER, first_reply_set
from mentions.services.next_reply import next_reply_walk
from mentions.services.sla import SlaContext, breach_on_first_reply
from mentions.services.snooze import Woken, snooze_woken_by_followup

LOADED = ("pk", *TICKET_ROW_COLUMNS)


def _waiting_on_requester(ours: datetime | None, inbound: datetime | None) -> bool:
    """Our reply is the latest message (an inbound message at the same second came first)."""
    return ours is not None and (inbound is None or ours >= inbound)


def new_tickets_answered(page: Page) -> None:
    """A new ticket whose latest message in the page is ours waits on the requester."""
    for ticket in page.new_tickets:
        if _waiting_on_requester(page.ours_latest.get(ticket), page.inbound_latest.get(ticket)):
            ticket.status = Ticket.Status.PENDING
            page.answered_new.append(ticket)


def _latest_inbound(page: Page, ticket_ids: list[int]) -> dict[int, datetime]:
    """Each ticket's latest inbound message time, stored or in this page."""
    latest = dict(
        Message.objects.filter(ticket_id__in=ticket_ids, kind=Message.Kind.INBOUND)
        .values("ticket_id")
        .annotate(latest=Max("platform_created_at"))
        .values_list("ticket_id", "latest")
    )
    for ticket_id in ticket_ids:
        here = page.inbound_latest.get(ticket_id)
        if here is not None and (latest.get(ticket_id) is None or here > latest[ticket_id]):
            latest[ticket_id] = here
    return latest


def stored_tickets_update(page: Page) -> None:
    """Reopen stored tickets that got a follow-up, or set them pending when our reply (seen on
    the platform) is now their latest message; record first replies seen on the platform."""
    ids = sorted(set(page.followed) | set(page.replied))
    if not ids:
        return
    ours = {t: at for t, at in page.ours_latest.items() if isinstance(t, int)}
    inbound = _latest_inbound(page, sorted(ours)) if ours else {}
    rows = Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list(*LOADED)
    for values in rows:
        ticket = TicketRow(**dict(zip(LOADED, values, strict=True)))
        page.stored_tickets[ticket.pk] = ticket
        followed = ticket.pk in page.followed
        answered = _waiting_on_requester(ours.get(ticket.pk), inbound.get(ticket.pk))
        if answered and ticket.status in (Ticket.Status.NEW, Ticket.Status.OPEN):
            # Our reply is the last word: the ticket waits on the requester, out of Play.
            data = {"from": ticket.status, "to": Ticket.Status.PENDING, "reason": WAITING_ON_REQUESTER}
            page.event(ticket, TicketEvent.Kind.STATUS, data)
            ticket.status = Ticket.Status.PENDING
            ticket.changed = True
        elif followed and ticket.status in (Ticket.Status.PENDING, Ticket.Status.SOLVED) and not answered:
            data = {"from": ticket.status, "to": Ticket.Status.OPEN, "reason": "follow-up received"}
            page.event(ticket, TicketEvent.Kind.STATUS, data)
            ticket.status = Ticket.Status.OPEN
            ticket.solved_at = None
            ticket.changed = True
        if followed and not answered and ticket.assignee_id is not None and ticket.followup_at is None:
            # The assignee has a new message to read: "updated" in their list until they act,
            # back to the queue if they don't (mentions.services.followups).
            ticket.followup_at = page.now
            ticket.changed = True
        if followed and not answered:
            _snooze_woken(page, ticket)
        reply = page.replied.get(ticket.pk)
        if reply is not None and first_reply_set(ticket=ticket, at=reply.created_at, coverage=page.coverage):
            ticket.changed = True
            if breach_on_first_reply(ticket):
                page.late.append(ticket)
    running = _running_waits(page)
    for ticket in page.stored_tickets.values():
        _next_reply_clock(page, ticket, ticket.pk, running_since=running.get(ticket.pk))
    # A follow-up to a ticket deleted meanwhile stays stored, outside the triage of its ticket.
    page.followed = {t: items for t, items in page.followed.items() if t in page.stored_tickets}


def _snooze_woken(page: Page, ticket: TicketRow) -> None:
    """A follow-up wakes a snoozed ticket: the requester spoke."""
    if (woke := snooze_woken_by_followup(ticket)) is not None:
        page.event(ticket, TicketEvent.Kind.WOKE, woke)
        ticket.changed = True
        if woke["remind_slack"] and ticket.assignee_id is not None:
            page.woken.append(Woken(ticket.pk, ticket.subject, ticket.assignee_id, woke["reason"]))


def _running_waits(page: Page) -> dict[int, datetime]:
    """When each stored running wait the page's replies may end started (one query, only when there is one)."""
    ids = [t.pk for t in page.stored_tickets.values() if t.next_reply_due_at is not None and t.pk in page.replied]
    if not ids:
        return {}
    rows = ReplyWait.objects.filter(ticket_id__in=ids, answered_at__isnull=True).values_list("ticket_id", "started_at")
    return dict(rows)


def _next_reply_clock(page: Page, ticket: TicketRow, key: int | TicketRow, *, running_since: datetime | None) -> None:
    """The next reply's clock over the ticket's posts in this page, in time order (mentions.services.next_reply):
    a follow-up after our reply starts a wait and our next reply ends it, whether they came in one poll each or
    in one page with the question (a desk catching up after downtime)."""
    posts = [(item.created_at, item.ours) for item in page.posts_of(key)]
    if not posts:
        return
    waits, ended = next_reply_walk(
        ticket, posts, running_since=running_since, target_hours=page.target_hours, coverage=page.coverage
    )
    if ended is not None:
        page.wait_answers.append((ticket.pk, ended))
    if waits or ended is not None:
        page.waits.extend(waits)
        ticket.changed = True


def new_tickets_clock(page: Page) -> None:
    """Due times of the new tickets, from their priority and the rules' tags; a first reply of
    ours in the same page (a backfill) may already be late."""
    if not page.new_tickets:
        return
    context = SlaContext(coverage=page.coverage)
    for ticket in page.new_tickets:
        context.apply(ticket, ticket.tags)
        if breach_on_first_reply(ticket):
            page.late.append(ticket)
        # After the rules: a priority they set gives the wait its target.
        _next_reply_clock(page, ticket, ticket, running_since=None)
