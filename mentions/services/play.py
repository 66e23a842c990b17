"""Play mode: serve the oldest waiting ticket of a view to exactly one advocate."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from advocacy.prepared import Prepared
from mentions.models import Ticket, TicketEvent, View
from mentions.models.play_order import HELD_BACK_KEY, held_back
from mentions.selectors import view_order, view_tickets
from mentions.services.events import event_record
from mentions.services.play_floor import floor_forget, floor_get, floor_set
from mentions.services.play_sql import claim_sql
from mentions.services.play_together import held_serve, together_hold

logger = logging.getLogger(__name__)

_CLAIM_ATTEMPTS = 10
_PLAY_LOCK_NAMESPACE = 7401  # pg_advisory_xact_lock(namespace, user id): one Play per user at a time


# Compiled once per process (advocacy.prepared): every Play press and every queue page asks.
_served = Prepared(
    lambda user_id: (
        Ticket.objects.filter(served_to_id=user_id).exclude(status=Ticket.Status.SOLVED).order_by("updated_at")[:1]
    ),
    int,
)


def ticket_served(*, user: Any) -> Ticket | None:
    """The ticket Play served to `user` that is not submitted yet."""
    return _served.first(user.pk)


def ticket_claim_next(*, view: View, user: Any) -> Ticket | None:
    """Serve `user` the first unassigned waiting ticket of `view` in the view's order (oldest
    first, or deadline first), assigned to them.

    Until that ticket is submitted, calling again returns the same ticket. Returns None when
    the view has nothing waiting. On a view serving a story's tickets together, a ticket held for the
    user comes first, and claiming one holds the tickets that go with it (mentions.services.play_together).
    """
    if not user.has_perm("mentions.work_queue"):
        raise PermissionDenied("You cannot work the queue.")
    with transaction.atomic():
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            # Two Play presses by one advocate (double click, two tabs) must not both pass
            # the "already serving?" check: serialise them on a per-user advisory lock.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PLAY_LOCK_NAMESPACE, user.pk])
        current = ticket_served(user=user)
        if current is not None:
            return current
        if view.serve_stories_together and (held := held_serve(view=view, user=user)) is not None:
            return held
        if postgresql:
            ticket = _claim_postgresql(view=view, user=user)  # its events written by the same statement
        else:
            claimed = _claim_portable(view=view, user=user)
            ticket = claimed[0] if claimed else None
            if claimed is not None:
                TicketEvent.objects.bulk_create(claim_events(view=view, user=user, ticket=ticket, before=claimed[1]))
        if ticket is None:
            return None
        if view.serve_stories_together:
            together_hold(view=view, user=user, ticket=ticket)
        return ticket


def claim_events(*, view: View, user: Any, ticket: Any, before: str) -> list[TicketEvent]:
    """A claim's events: assigned, and the status change when there is one (the PostgreSQL claim writes the same
    rows in its statement, mentions.services.play_sql)."""
    events = [
        TicketEvent(
            ticket=ticket,
            kind=TicketEvent.Kind.ASSIGNED,
            actor=user,
            data={"to": user.get_username(), "via": "play", "view": view.slug},
        )
    ]
    if before != ticket.status:
        events.append(
            TicketEvent(
                ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=user, data={"from": before, "to": ticket.status}
            )
        )
    return events


def _claim_postgresql(*, view: View, user: Any) -> Ticket | None:
    """One statement: lock the oldest waiting ticket nobody else has locked (SKIP LOCKED),
    assign it, record its events and return the updated row. On an oldest-first view it reads from the
    requested time of the last ticket claimed there (mentions.services.play_floor), and reads the whole order when
    that finds nothing or the floor is FLOOR_SECONDS old."""
    floor = floor_get(view)
    start, start_held = (floor[0], floor[2]) if floor else (None, False)
    claimed = _claim_statement(view=view, user=user, start=start, start_held=start_held)
    if claimed is None and floor is not None:
        floor = None
        claimed = _claim_statement(view=view, user=user, start=None)
    if claimed is not None:
        held = held_back(claimed.judgement, claimed.judged_by, claimed.judgement_confidence)
        floor_set(view, claimed.requested_at, held=held, since=floor[1] if floor else None)
    return claimed


def claim_pick_sql(*, view: View, user: Any, start: datetime | None, start_held: bool = False) -> tuple[str, list[Any]]:
    """The claim's SELECT of the first waiting ticket (without its FOR UPDATE), from the requested time `start` or
    from the head of the view's order; bench/claim_latency.py and the tests EXPLAIN it. From a floor that was not
    held back (`start_held` False) only tickets not held back are read (mentions.services.play_floor)."""
    candidates = view_tickets(view=view, user=user).filter(assignee__isnull=True)
    if start is not None:
        if not start_held:
            # The index's own first key, equal to 0: an index condition, so the scan starts at the floor.
            candidates = candidates.alias(held_back=HELD_BACK_KEY).filter(held_back=0)
        candidates = candidates.filter(requested_at__gte=start)
    sql, params = candidates.order_by(*view_order(view)).values("pk", "status")[:1].query.sql_with_params()
    return sql, list(params)


def _claim_statement(*, view: View, user: Any, start: datetime | None, start_held: bool = False) -> Ticket | None:
    # The SQL compiled once per view shape (mentions.services.play_sql); the ORM built it at every claim.
    sql, params = claim_sql(
        claim_pick_sql, view=view, user=user, start=start, start_held=start_held, now=timezone.now()
    )
    claimed = list(Ticket.objects.raw(sql, params))
    return claimed[0] if claimed else None


def _claim_portable(*, view: View, user: Any) -> tuple[Ticket, str] | None:
    """SQLite (the embedded default): writes are serialised by the IMMEDIATE transaction,
    and the conditional UPDATE still refuses a ticket someone else got first."""
    for _ in range(_CLAIM_ATTEMPTS):
        candidates = view_tickets(view=view, user=user).filter(assignee__isnull=True)
        ticket = candidates.order_by(*view_order(view)).first()
        if ticket is None:
            return None
        new_status = Ticket.Status.OPEN if ticket.status == Ticket.Status.NEW else ticket.status
        won = Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True).update(
            assignee=user, served_to=user, served_view=view, status=new_status, updated_at=timezone.now()
        )
        if won:
            status_before = ticket.status
            ticket.refresh_from_db()
            return ticket, status_before
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
        view_slug, view_id = ticket.served_view.slug, ticket.served_view.pk
        ticket.assignee = None
        ticket.served_to = None
        ticket.served_view = None
        ticket.followup_at = None
        ticket.save(update_fields=["assignee", "served_to", "served_view", "followup_at", "updated_at"])
        event_record(ticket=ticket, kind=TicketEvent.Kind.SKIPPED, actor=user, reason=reason, view=view_slug)
        # Back in the queue, maybe before the view's floor: the next claim there reads the whole order.
        transaction.on_commit(lambda: floor_forget(view_id))
