"""Play serves a story's tickets together (mentions.services.play_together, on views with
`serve_stories_together`; registered in stories.apps): the tickets that go with one Play claimed are its story's
other tickets, oldest first; a ticket held for an advocate is one Play assigned to them with another (its
history says so), still waiting in the view and in a story."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from mentions.models import Ticket, TicketEvent, View
from mentions.selectors import view_order, view_tickets
from stories.models import Membership, Story


def story_tickets_together(*, view: View, user: Any, ticket: Ticket) -> list[int]:
    """The other tickets of `ticket`'s story, if the story still takes work (not closed), oldest first."""
    story_id = (
        Membership.objects.filter(ticket_id=ticket.pk)
        .exclude(story__state=Story.State.CLOSED)
        .values_list("story_id", flat=True)
        .first()
    )
    if story_id is None:
        return []
    return list(
        Membership.objects.filter(story_id=story_id)
        .exclude(ticket_id=ticket.pk)
        .order_by("ticket__requested_at", "ticket_id")
        .values_list("ticket_id", flat=True)
    )


def story_ticket_held(*, view: View, user: Any) -> int | None:
    """The first (in the view's order) ticket of a story that Play holds for `user` in `view`."""
    held_by_play = TicketEvent.objects.filter(
        ticket_id=OuterRef("pk"), kind=TicketEvent.Kind.ASSIGNED, actor=user, data__via="play", data__has_key="with"
    )
    return (
        view_tickets(view=view, user=user)
        .filter(assignee=user, served_to__isnull=True, story_membership__isnull=False)
        .filter(Exists(held_by_play))
        .order_by(*view_order(view))
        .values_list("pk", flat=True)
        .first()
    )
