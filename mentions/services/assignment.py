"""Handing tickets back and over: the assignee releases a ticket to the queue with a reason; a
manager reassigns it to anyone who can work the queue. Each is one audited step."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from mentions.models import Ticket, TicketEvent
from mentions.services.events import event_record
from mentions.services.versions import ticket_lock


def queue_workers() -> QuerySet:
    """Active users who may work the queue: the permission from a group, directly, or as superuser."""
    permission = Permission.objects.filter(content_type__app_label="mentions", codename="work_queue")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
    )


def ticket_release(*, ticket: Ticket, user: Any, reason: str, seen_version: int | None = None) -> Ticket:
    """The assignee gives the ticket back to the queue, saying why (recorded). `seen_version`: the ticket's
    version the advocate saw (versions.py), here and in ticket_reassign."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why you release this ticket: the next advocate reads it.")
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version, related=("assignee",))
        if ticket.assignee_id != user.pk:
            raise ValidationError(
                "Only its assignee can release a ticket."
                if ticket.assignee_id
                else "This ticket is not assigned: it is in the queue already."
            )
        ticket.assignee = None
        ticket.served_to = None
        ticket.served_view = None
        ticket.followup_at = None
        ticket.save(update_fields=["assignee", "served_to", "served_view", "followup_at", "updated_at"])
        event_record(ticket=ticket, kind=TicketEvent.Kind.UNASSIGNED, actor=user, reason=reason, via="release")
    return ticket


def assignee_change(*, ticket: Ticket, to: Any, actor: Any, via: str) -> bool:
    """In a transaction holding the ticket's lock: give the ticket to `to` (None: back to the
    queue) and record it; the caller saves. Play's hold on it ends: it is no longer the server's
    to submit. A follow-up nobody acted on stays marked for a new assignee; back in the queue
    the queue itself shows it. False if it was `to`'s already."""
    if (to.pk if to else None) == ticket.assignee_id:
        return False
    before = ticket.assignee.get_username() if ticket.assignee else ""
    ticket.assignee = to
    ticket.served_to = ticket.served_view = None
    if to is None:
        ticket.followup_at = None
        event_record(ticket=ticket, kind=TicketEvent.Kind.UNASSIGNED, actor=actor, via=via, **{"from": before})
    else:
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.ASSIGNED,
            actor=actor,
            to=to.get_username(),
            via=via,
            **{"from": before},
        )
    return True


def ticket_reassign(*, ticket: Ticket, user: Any, to: Any, seen_version: int | None = None) -> Ticket:
    """A manager gives the ticket to `to`, who must be able to work the queue. A follow-up
    nobody has acted on stays marked, for the new assignee."""
    if not user.has_perm("mentions.manage_all_tickets"):
        raise PermissionDenied("Only managers reassign tickets.")
    if not queue_workers().filter(pk=to.pk).exists():
        raise ValidationError(f"{to.get_username()} cannot work the queue.")
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version, related=("assignee",))
        if not assignee_change(ticket=ticket, to=to, actor=user, via="manager"):
            raise ValidationError(f"#{ticket.pk} is assigned to {to.get_username()} already.")
        ticket.save(update_fields=["assignee", "served_to", "served_view", "updated_at"])
    return ticket
