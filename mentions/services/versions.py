"""Two people, one ticket: every state-changing form carries the version of the ticket its
author saw, and an action on a ticket that changed meanwhile is refused without side effects.

The version is the id of the ticket's latest history event: every change that matters writes
one (a reply sent, recorded or seen on the platform, a new message, status and assignee
changes), so no write path has to remember to bump a counter. Notes and tag changes do not
conflict with a reply being written and are not counted as changes here.
"""

from __future__ import annotations

from mentions.models import ReplySend, Ticket, TicketEvent

K = TicketEvent.Kind
CONFLICTING = (
    K.MESSAGE,
    K.OUR_REPLY_SEEN,
    K.REPLIED,
    K.REPLY_SENT,
    K.STATUS,
    K.ASSIGNED,
    K.UNASSIGNED,
    K.RETURNED,
    K.SKIPPED,
    K.MESSAGE_EDITED,
    K.MESSAGE_DELETED,
    K.MERGED,
    K.MERGED_INTO,
)


def ticket_version(ticket: Ticket) -> int:
    """The version to put in the page's forms. Uses what the ticket page's read brought along
    (`events_version`, or the prefetched history) when it has it (no extra query)."""
    if hasattr(ticket, "events_version"):
        return ticket.events_version or 0
    cache = getattr(ticket, "_prefetched_objects_cache", {})
    if "events" in cache:
        return max((e.pk for e in cache["events"]), default=0)
    return TicketEvent.objects.filter(ticket=ticket).order_by("-pk").values_list("pk", flat=True).first() or 0


def changes_since(*, ticket: Ticket, seen: int | None, token: str = "") -> list[TicketEvent]:
    """The changes made to `ticket` after version `seen` that make a form stale; [] when the
    form may go ahead. Call it with the ticket's row locked, in the action's transaction.
    A form resubmitted with a send token already used is not stale: the send service answers
    it with the reply it sent (a double click posts once)."""
    if token and ReplySend.objects.filter(key=token, ticket=ticket).exists():
        return []
    later = ticket.events.filter(kind__in=CONFLICTING).select_related("actor").order_by("pk")
    if seen is not None:
        later = later.filter(pk__gt=seen)
    return list(later[:10])


def changes_described(changes: list[TicketEvent]) -> str:
    """What changed, in words, for the refusal."""
    parts = []
    for event in changes:
        who = event.actor.get_username() if event.actor else "the desk"
        what = event.get_kind_display().lower()
        if event.kind == K.MESSAGE:
            author = event.data.get("author")
            what, who = (f"a new message from {author}", "") if author else ("a new message", who)
        elif event.kind == K.STATUS:
            what = f"status {event.data.get('from', '?')} → {event.data.get('to', '?')}"
        elif event.kind in (K.ASSIGNED, K.UNASSIGNED) and event.data.get("to"):
            what = f"assigned to {event.data['to']}"
        at = event.created_at.strftime("%H:%M UTC")
        parts.append(f"{at} {who + ': ' if who else ''}{what}")
    return "; ".join(parts)
