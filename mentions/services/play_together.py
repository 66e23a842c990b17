"""Play serves what belongs together to one advocate, without mentions knowing what makes tickets belong together.

On a view with `serve_stories_together`, stories registers two hooks (stories.apps): after Play claims a ticket,
which tickets go with it (its story's other tickets); before Play claims a new one, a ticket already held for
this advocate in this view. The tickets that go with a claimed one, if they wait unassigned in the view, are
assigned to the same advocate in the claim's transaction (history as Play's: "assigned", via play, and the ticket
they came with), each locked first and skipped if another claim holds it (SKIP LOCKED on PostgreSQL), so no
ticket is served to two advocates. The next Play press serves a held ticket before claiming anything new.
docs/architecture.md lists every hook.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import connection
from django.utils import timezone

from advocacy.hooks import Hooks
from mentions.models import Ticket, TicketEvent, View
from mentions.selectors import view_condition, view_order, view_tickets

# A story of hundreds is not all held by one advocate: Play holds this many at a time (the rest wait as usual).
HOLD_MAX = 50


class PlayTogetherHook(Protocol):
    """After Play claimed `ticket` for `user` from `view`, in the claim's transaction: the ids of the tickets that
    go with it, in the order to serve them. Play holds those still waiting unassigned in the view."""

    def __call__(self, *, view: View, user: Any, ticket: Ticket) -> list[int]: ...


class PlayHeldHook(Protocol):
    """Before Play claims a new ticket of `view` for `user`: the id of a ticket held for them there (assigned by
    Play with one it served, not served yet), to serve first; or None."""

    def __call__(self, *, view: View, user: Any) -> int | None: ...


play_together_hooks: Hooks[PlayTogetherHook] = Hooks(PlayTogetherHook)
play_held_hooks: Hooks[PlayHeldHook] = Hooks(PlayHeldHook)


def held_serve(*, view: View, user: Any) -> Ticket | None:
    """Serve `user` a ticket held for them in `view`, if a hook names one that is still theirs, waiting and
    unserved (locked while it is checked and served)."""
    for hook in play_held_hooks:
        ticket_id = hook(view=view, user=user)
        if ticket_id is None:
            continue
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .filter(view_condition(view), pk=ticket_id, assignee=user, served_to__isnull=True)
            .first()
        )
        if ticket is None:
            continue
        status_before = ticket.status
        ticket.served_to, ticket.served_view = user, view
        if ticket.status == Ticket.Status.NEW:
            ticket.status = Ticket.Status.OPEN
        ticket.save(update_fields=["served_to", "served_view", "status", "updated_at"])
        if status_before != ticket.status:
            TicketEvent.objects.create(
                ticket=ticket,
                kind=TicketEvent.Kind.STATUS,
                actor=user,
                data={"from": status_before, "to": ticket.status},
            )
        return ticket
    return None


def together_hold(*, view: View, user: Any, ticket: Ticket) -> list[int]:
    """Assign to `user` the tickets that go with `ticket` (the hooks') and still wait unassigned in `view`, in the
    caller's transaction. Returns their ids."""
    wanted: list[int] = []
    for hook in play_together_hooks:
        wanted += [pk for pk in hook(view=view, user=user, ticket=ticket) if pk != ticket.pk and pk not in wanted]
    if not wanted:
        return []
    free = view_tickets(view=view, user=user).filter(pk__in=wanted, assignee__isnull=True).order_by(*view_order(view))
    now = timezone.now()
    if connection.vendor == "postgresql":
        # Locked here, skipping any another claim holds right now; assigned below, in this transaction.
        locked = free.select_for_update(of=("self",), skip_locked=True)
        held = list(locked.values_list("pk", flat=True)[:HOLD_MAX])
        Ticket.objects.filter(pk__in=held, assignee__isnull=True).update(assignee=user, updated_at=now)
    else:  # SQLite: one writer at a time; the conditional update refuses a ticket someone got first
        held = [
            pk
            for pk in free.values_list("pk", flat=True)[:HOLD_MAX]
            if Ticket.objects.filter(pk=pk, assignee__isnull=True).update(assignee=user, updated_at=now)
        ]
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=pk,
                kind=TicketEvent.Kind.ASSIGNED,
                actor=user,
                data={"to": user.get_username(), "via": "play", "view": view.slug, "with": ticket.pk},
            )
            for pk in held
        ]
    )
    return held
