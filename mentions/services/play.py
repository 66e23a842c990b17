"""Play mode: serve the oldest waiting ticket of a view to exactly one advocate."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mentions.models import Ticket, TicketEvent, View
from mentions.selectors import view_tickets
from mentions.services.events import event_record

logger = logging.getLogger(__name__)

# On SQLite two claimers can read the same candidate; the conditional UPDATE lets only one
# win and the other tries the next ticket. On PostgreSQL SKIP LOCKED makes this rare.
_CLAIM_ATTEMPTS = 10


def ticket_served(*, user: Any) -> Ticket | None:
    """The ticket Play served to `user` that is not submitted yet."""
    return (
        Ticket.objects.filter(served_to=user)
        .exclude(status=Ticket.Status.SOLVED)
        .select_related("channel", "served_view")
        .order_by("updated_at")
        .first()
    )


def ticket_claim_next(*, view: View, user: Any) -> Ticket | None:
    """Serve `user` the oldest unassigned waiting ticket of `view`, assigned to them.

    Until that ticket is submitted, calling again returns the same ticket. Returns None when
    the view has nothing waiting.
    """
    if not user.has_perm("mentions.work_queue"):
        raise PermissionDenied("You cannot work the queue.")
    current = ticket_served(user=user)
    if current is not None:
        return current
    for _ in range(_CLAIM_ATTEMPTS):
        with transaction.atomic():
            candidates = view_tickets(view=view, user=user).filter(assignee__isnull=True)
            ticket = candidates.order_by("requested_at", "id").select_for_update(skip_locked=True, of=("self",)).first()
            if ticket is None:
                return None
            now = timezone.now()
            new_status = Ticket.Status.OPEN if ticket.status == Ticket.Status.NEW else ticket.status
            won = Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True).update(
                assignee=user, served_to=user, served_view=view, status=new_status, updated_at=now
            )
            if not won:
                continue
            event_record(
                ticket=ticket,
                kind=TicketEvent.Kind.ASSIGNED,
                actor=user,
                to=user.get_username(),
                via="play",
                view=view.slug,
            )
            if new_status != ticket.status:
                event_record(
                    ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=user, **{"from": ticket.status, "to": new_status}
                )
            ticket.refresh_from_db()
            return ticket
    logger.warning("play: %s could not claim from view %s after %d attempts", user, view.slug, _CLAIM_ATTEMPTS)
    return None


def ticket_skip(*, ticket: Ticket, user: Any, reason: str) -> None:
    """Give a served ticket back to the queue, if the view allows it, with a recorded reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("served_view").get(pk=ticket.pk)
        if ticket.served_to_id != user.pk or ticket.served_view is None:
            raise ValidationError("Only the ticket Play served you can be skipped.")
        if not ticket.served_view.allow_skip:
            raise ValidationError(f"The view “{ticket.served_view}” does not allow skipping.")
        if not reason:
            raise ValidationError("Say why you skip this ticket.")
        view_slug = ticket.served_view.slug
        ticket.assignee = None
        ticket.served_to = None
        ticket.served_view = None
        ticket.save(update_fields=["assignee", "served_to", "served_view", "updated_at"])
        event_record(ticket=ticket, kind=TicketEvent.Kind.SKIPPED, actor=user, reason=reason, view=view_slug)
