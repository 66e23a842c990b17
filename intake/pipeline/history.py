"""Stage 13, history: the page's ticket events, written as one set after everything they describe."""

from __future__ import annotations

from intake.pipeline.page import Event, Page, TicketRow, ticket_id
from mentions.models import Message, Ticket, TicketEvent
from mentions.services.events import WAITING_ON_REQUESTER
from mentions.services.sla import sla_breach_events_insert
from mentions.set_writes import rows_copy

EVENT_COLUMNS = ("ticket_id", "kind", "data", "created_at", "updated_at")


def _page_events(page: Page) -> list[Event]:
    """Opened tickets, new tickets waiting on the requester, then one event per message that
    joined a ticket (not a ticket's first), then what the other stages recorded."""
    events: list[Event] = [
        (t.pk, TicketEvent.Kind.CREATED, {"external_id": t.first_external_id}) for t in page.new_tickets
    ]
    waiting = {"from": Ticket.Status.NEW, "to": Ticket.Status.PENDING, "reason": WAITING_ON_REQUESTER}
    events.extend((t.pk, TicketEvent.Kind.STATUS, dict(waiting)) for t in page.answered_new)
    for item in page.items:
        ticket = ticket_id(item.ticket)
        if ticket is None or (isinstance(item.ticket, TicketRow) and item.ticket.first_external_id == item.external_id):
            continue
        kind = TicketEvent.Kind.OUR_REPLY_SEEN if item.kind == Message.Kind.OUR_REPLY else TicketEvent.Kind.MESSAGE
        events.append((ticket, kind, {"external_id": item.external_id, "author": item.mention.author_handle}))
    events.extend(page.events)
    events.extend(page.rule_events)
    return events


def history(page: Page) -> None:
    now = page.now
    rows_copy(TicketEvent, EVENT_COLUMNS, [(t, kind, data, now, now) for t, kind, data in _page_events(page)])
    sla_breach_events_insert(page.late, now=now)
