"""Hand-over "watch overnight" (issue 44): an advocate ending their day gives a ticket to someone in another time
zone until a deadline.

The ticket becomes the receiver's (assigned, recorded as a HANDED_OVER event with both names and the deadline),
the ticket's header says "Handed over by Ana to Kim, to watch until Tue 07:00 UTC" to everyone who opens it, and the
receiver's My tickets marks it (a row mark, `handover_marks`). The beat (`handovers_return`, every minute) ends each
watch whose deadline passed: if the receiver did something on the ticket since (any event of theirs: a reply, a
note, a status) it stays theirs (outcome acted); if the ticket moved on (solved, given to someone else) the watch
just ends; otherwise it goes back to the giver, marked "updated" at the top of their My tickets, recorded as a
HANDED_BACK event. A giver who can no longer work the queue gets nothing back: it goes to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mentions.models import HandOver, Ticket, TicketEvent
from mentions.queue.row_marks import RowMark
from mentions.services.assignment import assignee_change, queue_workers
from mentions.services.events import ensure_can_act, event_record
from mentions.services.versions import ticket_lock

BATCH = 200
LONGEST = timedelta(days=3)  # a watch over a weekend at most: longer is a reassignment, not a hand-over


def person(user: Any) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def until_utc(until: datetime) -> str:
    """ "Tue 07:00 UTC": the one zone both sides of a hand-over read the same."""
    return f"{until.astimezone(UTC):%a %H:%M} UTC"


@dataclass(frozen=True)
class Watch:
    """The ticket's current hand-over, as its header says it."""

    giver: str
    receiver: str
    until: datetime

    @property
    def said(self) -> str:
        return f"Handed over by {self.giver} to {self.receiver}, to watch until {until_utc(self.until)}"


def ticket_hand_over(
    *, ticket: Ticket | int, giver: Any, receiver: Any, until: datetime, seen_version: int | None = None
) -> HandOver:
    """Give the ticket to `receiver` to watch until `until`. The giver is its assignee (or it is unassigned); a
    watch already running on it ends (handed over again)."""
    now = timezone.now()
    if until <= now:
        raise ValidationError({"until": "Give a time in the future."})
    if until > now + LONGEST:
        raise ValidationError({"until": "A hand-over lasts three days at most: reassign the ticket instead."})
    if receiver is None or receiver.pk == giver.pk:
        raise ValidationError({"receiver": "Hand it over to someone else."})
    if not queue_workers().filter(pk=receiver.pk).exists():
        raise ValidationError({"receiver": f"{person(receiver)} cannot work the queue."})
    with transaction.atomic():
        locked = ticket_lock(ticket, seen_version=seen_version, related=("assignee",))
        ensure_can_act(ticket=locked, user=giver)
        if locked.status == Ticket.Status.SOLVED:
            raise ValidationError("A solved ticket needs no watching.")
        HandOver.objects.filter(ticket=locked, outcome=HandOver.Outcome.WATCHING).update(
            outcome=HandOver.Outcome.ENDED, ended_at=now, updated_at=now
        )
        handover = HandOver.objects.create(ticket=locked, giver=giver, receiver=receiver, until=until)
        assignee_change(ticket=locked, to=receiver, actor=giver, via="hand-over")
        locked.save()
        event_record(
            ticket=locked,
            kind=TicketEvent.Kind.HANDED_OVER,
            actor=giver,
            giver=person(giver),
            to=person(receiver),
            until=until.astimezone(UTC).isoformat(),
            said=Watch(person(giver), person(receiver), until).said,
        )
    return handover


def ticket_watch(ticket: Ticket) -> Watch | None:
    """The ticket's running hand-over, for its header (one query)."""
    handover = (
        HandOver.objects.filter(ticket=ticket, outcome=HandOver.Outcome.WATCHING)
        .select_related("giver", "receiver")
        .first()
    )
    return Watch(person(handover.giver), person(handover.receiver), handover.until) if handover else None


def handover_marks(*, ticket_ids: list[int]) -> dict[int, list[RowMark]]:
    """Row marks (mentions.queue.row_marks): "watching until Tue 07:00 UTC" beside each ticket handed over, in one
    query."""
    rows = HandOver.objects.filter(ticket_id__in=ticket_ids, outcome=HandOver.Outcome.WATCHING).select_related("giver")
    return {
        h.ticket_id: [RowMark(f"watch until {until_utc(h.until)} (from {person(h.giver)})", "mark-handover", "")]
        for h in rows
    }


def handovers_return(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: end each watch whose deadline passed (module docstring). Idempotent: the due rows are locked (SKIP
    LOCKED) and each leaves the watching state in the same transaction."""
    now = now or timezone.now()
    done = {"returned": 0, "acted": 0, "ended": 0}
    with transaction.atomic():
        due = list(
            HandOver.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(outcome=HandOver.Outcome.WATCHING, until__lte=now)
            .select_related("giver", "receiver")
            .order_by("until", "id")[:BATCH]
        )
        workers = set(queue_workers().filter(pk__in=[h.giver_id for h in due]).values_list("pk", flat=True))
        for handover in due:
            outcome = _end(handover, now=now, giver_works=handover.giver_id in workers)
            handover.outcome, handover.ended_at = outcome, now
            handover.save(update_fields=["outcome", "ended_at", "updated_at"])
            done[outcome] += 1
    return done


def _end(handover: HandOver, *, now: datetime, giver_works: bool) -> str:
    ticket = ticket_lock(handover.ticket_id, seen_version=None, related=("assignee",))
    if ticket.assignee_id != handover.receiver_id or ticket.status == Ticket.Status.SOLVED:
        return HandOver.Outcome.ENDED
    acted = TicketEvent.objects.filter(ticket=ticket, actor_id=handover.receiver_id, created_at__gt=handover.created_at)
    if acted.exists():
        return HandOver.Outcome.ACTED
    back_to = handover.giver if giver_works else None
    assignee_change(ticket=ticket, to=back_to, actor=None, via="hand-over ended")
    ticket.followup_at = now if back_to is not None else None
    ticket.save()
    event_record(
        ticket=ticket,
        kind=TicketEvent.Kind.HANDED_BACK,
        actor=None,
        to=person(back_to) if back_to else "",
        said=(
            f"The watch ended at {until_utc(handover.until)} with nothing done: "
            + (f"back to {person(back_to)}" if back_to else f"{person(handover.giver)} is gone, back to the queue")
        ),
    )
    return HandOver.Outcome.RETURNED
