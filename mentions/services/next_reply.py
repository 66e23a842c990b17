"""The next reply's clock: a follow-up from the requester after our reply waits for our next reply.

The first follow-up after our reply starts a wait (a `ReplyWait` row, and the ticket's `next_reply_due_at`)
with its own target (mentions.Target: 8 h, 6 h for high-priority tickets, editable), counted like the first
reply's: calendar hours from the follow-up's platform time to the due time, business seconds (the coverage
schedule) stored beside them for the KPI. More follow-ups before we answer extend nothing: the requester has
waited since the first. Our next reply (sent from the desk, recorded, an expert's answer, or seen on the
platform by the ingest) ends the wait and clears the due time; solving the ticket without one drops the wait (the
follow-up needed no reply). One poll may bring the question, our reply and the follow-up together (a desk catching up
after downtime): the ingest walks each ticket's posts in time order (`next_reply_walk`), as if they came one by one.
A wait is breached once, by whoever sees it first: the beat sweep (still unanswered past its due time) or the late
reply; one NEXT_REPLY_BREACHED event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from mentions.coverage import Coverage, coverage_load
from mentions.models import ReplyWait, Target, TicketEvent

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


def next_reply_hours(*, high_priority: bool, priority: str, target_hours: dict[str, float] | None = None) -> float:
    hours = target_hours or Target.hours()
    high = high_priority or priority == "urgent"
    return hours[Target.Group.NEXT_REPLY_HIGH] if high else hours[Target.Group.NEXT_REPLY]


def next_reply_start(ticket: Any, *, at: datetime, target_hours: dict[str, float] | None = None) -> ReplyWait | None:
    """In memory: start the ticket's next-reply clock at `at` (a follow-up's time) unless one runs already or we
    never replied (that is the first reply's clock). Returns the wait row to write (the caller writes it, with
    ignore_conflicts: the one-open-wait constraint keeps a second from starting), or None."""
    if ticket.first_reply_at is None or ticket.next_reply_due_at is not None or at < ticket.first_reply_at:
        return None
    hours = next_reply_hours(high_priority=ticket.high_priority, priority=ticket.priority, target_hours=target_hours)
    ticket.next_reply_due_at = at + timedelta(hours=hours)
    return ReplyWait(
        ticket_id=ticket.pk, high_priority=ticket.high_priority, started_at=at, due_at=ticket.next_reply_due_at
    )


def next_reply_walk(
    ticket: Any,
    posts: Iterable[tuple[datetime, bool]],
    *,
    running_since: datetime | None,
    target_hours: dict[str, float],
    coverage: Coverage,
) -> tuple[list[ReplyWait], datetime | None]:
    """In memory: the ticket's page of posts, (platform time, ours?), walked in time order, as the live path would
    have seen them one by one. A desk catching up after downtime gets the question, our reply and the follow-up in
    one page: the follow-up still starts a wait, and our later reply in the same page ends it. `running_since`: when
    the ticket's stored running wait started (None without one). Returns the waits to insert (each one this page
    ended already answered, breached if late; at most one still running, on `ticket.next_reply_due_at`) and the
    time our reply ended the stored running wait, or None (the caller ends that row: `next_reply_answer`)."""
    waits: list[ReplyWait] = []
    ended: datetime | None = None
    current: ReplyWait | None = None
    running = ticket.next_reply_due_at is not None
    # At one second, the inbound post came first (as the status's "our reply is the last word" reads it).
    for at, ours in sorted(posts, key=lambda post: (post[0], post[1])):
        if ours and current is not None and at >= current.started_at:
            current.answered_at = at
            current.seconds = int((at - current.started_at).total_seconds())
            current.business_seconds = coverage.seconds(current.started_at, at)
            current.breached = at > current.due_at
            current = None
            ticket.next_reply_due_at = None
        elif ours and current is None and running and (running_since is None or at >= running_since):
            ended, running = at, False
            ticket.next_reply_due_at = None
        elif not ours and current is None and not running:
            current = next_reply_start(ticket, at=at, target_hours=target_hours)
            if current is not None:
                waits.append(current)
    return waits, ended


def breach_events(waits: Iterable[ReplyWait], *, now: datetime) -> list[TicketEvent]:
    """The breach events of waits answered late before they were ever stored (a page that held both ends)."""
    return [_breach_event(w, replied_at=w.answered_at, now=now) for w in waits if w.breached and w.answered_at]


def _breach_event(wait: ReplyWait, *, replied_at: datetime | None, now: datetime) -> TicketEvent:
    return TicketEvent(
        ticket_id=wait.ticket_id,
        kind=TicketEvent.Kind.NEXT_REPLY_BREACHED,
        data={
            "wait": wait.pk,
            "due_at": wait.due_at.isoformat(),
            "replied_at": replied_at.isoformat() if replied_at else None,
            "late_by_minutes": int(((replied_at or now) - wait.due_at).total_seconds() // 60),
        },
    )


def next_reply_answer(
    answers: Iterable[tuple[int, datetime]], *, coverage: Coverage | None = None, now: datetime | None = None
) -> int:
    """Our replies (ticket id, time) end their tickets' running waits that started before them; a reply after
    the due time breaches the wait (once). The tickets' `next_reply_due_at` is the caller's to clear (it holds
    their rows). Returns how many waits ended."""
    now = now or timezone.now()
    at_by_ticket = dict(answers)
    if not at_by_ticket:
        return 0
    waits = list(ReplyWait.objects.filter(ticket_id__in=at_by_ticket, answered_at__isnull=True))
    coverage = coverage or (coverage_load() if waits else None)
    events = []
    ended = 0
    for wait in waits:
        at = at_by_ticket[wait.ticket_id]
        if at < wait.started_at:
            continue
        late = at > wait.due_at
        fields = {
            "answered_at": at,
            "seconds": int((at - wait.started_at).total_seconds()),
            "business_seconds": coverage.seconds(wait.started_at, at) if coverage else None,
            "updated_at": now,
        }
        ended += ReplyWait.objects.filter(pk=wait.pk, answered_at__isnull=True).update(**fields)
        if late and ReplyWait.objects.filter(pk=wait.pk, breached=False).update(breached=True):
            events.append(_breach_event(wait, replied_at=at, now=now))
    if events:
        TicketEvent.objects.bulk_create(events)
    return ended


def ticket_next_reply_answered(*, ticket: Any, at: datetime) -> bool:
    """For the desk's reply paths, which hold the ticket's row lock and save it: our reply ends the wait."""
    if ticket.next_reply_due_at is None:
        return False
    ticket.next_reply_due_at = None
    next_reply_answer([(ticket.pk, at)])
    return True


def ticket_next_reply_solved(*, ticket: Any) -> bool:
    """Solving a ticket without our reply ends its running wait: the follow-up asked nothing more of us (a thanks, a
    "fixed it"). The wait leaves the figures (neither answered nor waiting: it never needed a reply); a breach already
    recorded stays in the ticket's history. For status changes, which hold the ticket's row lock and save it."""
    if ticket.next_reply_due_at is None:
        return False
    ticket.next_reply_due_at = None
    ReplyWait.objects.filter(ticket_id=ticket.pk, answered_at__isnull=True).delete()
    return True


def next_reply_sweep(*, now: datetime | None = None) -> int:
    """Beat (with the first-reply sweep): record the breach of each running wait past its due time. The
    conditional UPDATE is the once: a late reply or another sweep that got there first leaves nothing to do."""
    now = now or timezone.now()
    overdue = list(
        ReplyWait.objects.filter(answered_at__isnull=True, breached=False, due_at__lt=now).order_by("due_at", "id")[
            :SWEEP_BATCH
        ]
    )
    breached = 0
    for wait in overdue:
        with transaction.atomic():
            if ReplyWait.objects.filter(pk=wait.pk, breached=False, answered_at__isnull=True).update(breached=True):
                TicketEvent.objects.bulk_create([_breach_event(wait, replied_at=None, now=now)])
                breached += 1
    if breached:
        logger.info("next reply: %s waits passed their due time", breached)
    return breached
