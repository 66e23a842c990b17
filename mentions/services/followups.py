"""Follow-ups on assigned tickets are never lost.

A follow-up that arrives on an assigned ticket marks it "updated" (`Ticket.followup_at`, set by
the ingest): it is listed first in its assignee's "My tickets" and counted in the navigation.
Any action on the ticket clears the marker. If nobody acts within
`DESK_FOLLOWUP_RETURN_MINUTES`, or the assignee no longer has queue access (deactivated, or
the Advocates role taken away), the beat sweep returns the ticket to the queue with an event
saying why, so Play serves it to someone who is there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mentions.models import Ticket, TicketEvent
from mentions.services.assignment import queue_workers

BATCH = 500


def followup_seen(ticket: Ticket) -> None:
    """Someone acted on the ticket: it is no longer "updated" (the caller saves it)."""
    ticket.followup_at = None


def followups_waiting(*, user: Any) -> int:
    """How many of `user`'s tickets have a follow-up nobody acted on (the navigation's count)."""
    return Ticket.objects.filter(assignee=user, followup_at__isnull=False).count()


def followups_return(*, now: datetime | None = None) -> dict[str, int]:
    """Return to the queue every updated ticket whose assignee did not act in time or can no
    longer work the queue. Idempotent: a returned ticket is unassigned and unmarked, so a
    second run (or two sweeps at once: rows are locked, SKIP LOCKED) finds nothing."""
    now = now or timezone.now()
    minutes = settings.DESK_FOLLOWUP_RETURN_MINUTES
    cutoff = now - timedelta(minutes=minutes)
    returned = {"timeout": 0, "no_access": 0}
    with transaction.atomic():
        candidates = (
            Ticket.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(followup_at__isnull=False, assignee__isnull=False)
            .filter(Q(followup_at__lte=cutoff) | ~Q(assignee__in=queue_workers().values("pk")))
            .select_related("assignee")
            .order_by("followup_at", "id")[:BATCH]
        )
        tickets = list(candidates)
        if not tickets:
            return returned
        workers = set(queue_workers().filter(pk__in={t.assignee_id for t in tickets}).values_list("pk", flat=True))
        events = []
        for ticket in tickets:
            # The query takes assigned tickets that wait on a follow-up only.
            assert ticket.followup_at is not None and ticket.assignee is not None
            waited = int((now - ticket.followup_at).total_seconds() // 60)
            name = ticket.assignee.get_username()
            if ticket.assignee_id not in workers:
                reason = "no_access"
                said = f"{name} can no longer work the queue"
            else:
                reason = "timeout"
                said = f"a follow-up waited {waited} min for {name} (limit {minutes} min)"
            returned[reason] += 1
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind=TicketEvent.Kind.RETURNED,
                    data={"from": name, "reason": reason, "said": said},
                )
            )
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
            assignee=None, served_to=None, served_view=None, followup_at=None, updated_at=now
        )
        TicketEvent.objects.bulk_create(events)
    return returned
