"""Two people, one ticket: every state-changing form carries the version of the ticket its
author saw, and an action on a ticket that changed meanwhile is refused without side effects.

The version is the id of the ticket's latest history event: every change that matters writes
one (a reply sent, recorded or seen on the platform, a new message, status and assignee
changes), so no write path has to remember to bump a counter. Notes and tag changes do not
conflict with a reply being written and are not counted as changes here.

Every write an advocate makes goes through a service of mentions that takes that version
(`seen_version`) and checks it here, inside its own transaction, with the ticket's row locked
(`ticket_lock`): the row lock orders the write after any other on the ticket, so two people
never both act on what one of them saw. A worker's write (no advocate saw anything) passes None.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from mentions.models import Ticket, TicketEvent

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
    K.SNOOZED,
    K.WOKE,
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


def changes_since(*, ticket: Ticket, seen: int | None) -> list[TicketEvent]:
    """The changes made to `ticket` after version `seen` that make a form stale; [] when the
    form may go ahead. Call it with the ticket's row locked, in the action's transaction."""
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


# What the advocate reads when a write is refused as stale: nothing happened, their text is in the form.
KEPT = "Nothing was done; your text is kept below. Check the ticket and submit again."
NO_VERSION = "this form did not say which version you saw"


class TicketStale(ValidationError):
    """The ticket changed since the advocate opened it: nothing was written (their text is kept)."""

    def __init__(self, said: str, kept: str = KEPT) -> None:
        super().__init__(f"This ticket changed since you opened it: {said}. {kept}")


def version_check(*, ticket: Ticket, seen_version: int | None, kept: str = KEPT) -> None:
    """Raise TicketStale when `ticket` changed after `seen_version` (None: a worker's write, not
    checked). Call it with the ticket's row locked, in the write's transaction."""
    if seen_version is None:
        return
    if changed := changes_since(ticket=ticket, seen=seen_version):
        raise TicketStale(changes_described(changed), kept)


def ticket_lock(
    ticket: Ticket | int, *, seen_version: int | None, related: Iterable[str] = ("channel",), kept: str = KEPT
) -> Ticket:
    """The ticket as it is now, its row locked until the caller's transaction ends, and the version
    the advocate saw checked against it (version_check). The one way mentions' write services start."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    locked = Ticket.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    version_check(ticket=locked, seen_version=seen_version, kept=kept)
    return locked
