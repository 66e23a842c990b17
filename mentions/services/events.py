from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mentions.models import Tag, Ticket, TicketEvent
from mentions.services.next_reply import ticket_next_reply_solved

if TYPE_CHECKING:
    from mentions.services.sla import ClockedTicket


def event_record(*, ticket: Ticket, kind: str, actor: User | None, **data: Any) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=actor, data=data)


def ensure_can_act(*, ticket: Ticket, user: Any, for_user: Any = None) -> None:
    """Advocates act on their own and unassigned tickets; managers on every ticket. `for_user`: the person whose reply
    an advocate approves (mentions.services.approvals): their ticket is the approver's to act on for it."""
    if not user.has_perm("mentions.work_queue"):
        raise PermissionDenied("You cannot work tickets.")
    mine = (None, user.pk, for_user.pk if for_user is not None else user.pk)
    if ticket.assignee_id not in mine and not user.has_perm("mentions.manage_all_tickets"):
        raise PermissionDenied(f"Ticket #{ticket.pk} is assigned to {ticket.assignee}.")


def status_set(*, ticket: Ticket, status: str, actor: Any, reason: str = "", link: str = "") -> bool:
    """Change status in memory and record the event (with what it was about: `link`); the caller saves the
    ticket."""
    if status == ticket.status:
        return False
    previous = ticket.status
    ticket.status = status
    if status == Ticket.Status.SOLVED:
        ticket.solved_at = timezone.now()
        ticket_next_reply_solved(ticket=ticket)
    elif previous == Ticket.Status.SOLVED:
        ticket.solved_at = None
    data: dict[str, Any] = {"from": previous, "to": status}
    if reason:
        data["reason"] = reason
    if link:
        data["link"] = link
    event_record(ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=actor, **data)
    return True


WAITING_ON_REQUESTER = "our reply is the latest message: waiting on the requester"


def status_after_reply(status: str) -> str:
    """The status a ticket takes when our reply becomes its latest message: it waits on the
    requester (pending) unless it is solved; "open" would put it back in the queue with
    nothing to answer."""
    return Ticket.Status.PENDING if status in (Ticket.Status.NEW, Ticket.Status.OPEN) else status


def first_reply_set(*, ticket: ClockedTicket, at: Any, coverage: Any = None) -> bool:
    """Record `at` as the first reply time if it is earlier than what we have, in calendar
    and in business seconds (pass `coverage` when setting many, to load the schedule once)."""
    if ticket.first_reply_at is not None and ticket.first_reply_at <= at:
        return False
    if coverage is None:
        from mentions.coverage import coverage_load

        coverage = coverage_load()
    ticket.first_reply_at = at
    ticket.first_reply_seconds = max(0, int((at - ticket.requested_at).total_seconds()))
    ticket.first_reply_business_seconds = coverage.seconds(ticket.requested_at, at)
    return True


def tags_add(*, ticket: Ticket, names: list[str], actor: Any) -> list[str]:
    present = set(ticket.tags.values_list("name", flat=True))
    added = []
    for name in names:
        if name in present:
            continue
        tag, _ = Tag.objects.get_or_create(name=name)
        ticket.tags.add(tag)
        event_record(ticket=ticket, kind=TicketEvent.Kind.TAG_ADDED, actor=actor, tag=name)
        added.append(name)
    _security_changed(ticket, added)
    return added


def tags_remove(*, ticket: Ticket, names: list[str], actor: Any) -> list[str]:
    removed = list(ticket.tags.filter(name__in=names).values_list("name", flat=True))
    if removed:
        ticket.tags.remove(*Tag.objects.filter(name__in=removed))
        for name in removed:
            event_record(ticket=ticket, kind=TicketEvent.Kind.TAG_REMOVED, actor=actor, tag=name)
    _security_changed(ticket, removed)
    return removed


def _security_changed(ticket: Ticket, names: list[str]) -> None:
    """The security tag changes the first-reply target: move the clock."""
    from mentions.services.sla import SECURITY_TAG, ticket_sla_refresh

    if SECURITY_TAG in names:
        ticket_sla_refresh(ticket=ticket)
