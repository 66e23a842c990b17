"""First-reply clocks: the due time of each ticket's target, and recording a missed target.

Targets (mentions.Target, editable): 7 h over all channels, 5 h for high-priority tickets (a
high-priority channel, or priority "urgent"), counted in calendar hours from `requested_at`
like the KPI pages. A ticket tagged `security` gets one business day instead: the same
position of the business clock on the next covered day (mentions.coverage.Coverage).

The clock runs while a ticket waits (new/open) without a first reply. A breach is recorded
once: a conditional UPDATE of `Ticket.sla_breached` plus one `sla_breached` event, which a
partial unique constraint makes impossible to write twice."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from advocacy.durations import duration_display
from mentions.coverage import Coverage, coverage_load
from mentions.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

SECURITY_TAG = "security"
SWEEP_BATCH = 500


class ClockedTicket(Protocol):
    """What the first-reply and SLA clocks read and write of a ticket: a Ticket, or a row the ingest is
    shaping before it writes it (intake.pipeline.page.TicketRow)."""

    @property
    def pk(self) -> int: ...

    requested_at: datetime
    high_priority: bool
    priority: str
    first_reply_at: datetime | None
    first_reply_seconds: int | None
    first_reply_business_seconds: int | None
    sla_target: str
    sla_due_at: datetime | None
    sla_breached: bool


def sla_target_for(*, high_priority: bool, priority: str, tag_names: Iterable[str]) -> str:
    """Which target applies. The security tag wins: it is the handbook's explicit rule for
    security reports (answer within one business day), whatever the channel."""
    if SECURITY_TAG in set(tag_names):
        return Ticket.SlaTarget.SECURITY
    if high_priority or priority == Ticket.Priority.URGENT:
        return Ticket.SlaTarget.HIGH_PRIORITY
    return Ticket.SlaTarget.ALL


def sla_due_compute(
    *, requested_at: datetime, target: str, coverage: Coverage, target_hours: dict[str, float]
) -> datetime:
    if target == Ticket.SlaTarget.SECURITY:
        return coverage.one_business_day_after(requested_at)
    hours = target_hours["high_priority"] if target == Ticket.SlaTarget.HIGH_PRIORITY else target_hours["all"]
    return requested_at + timedelta(hours=hours)


class SlaContext:
    """Schedule and targets, loaded once per batch of work (two or three queries)."""

    def __init__(self, coverage: Coverage | None = None, target_hours: dict[str, float] | None = None) -> None:
        from mentions.models import Target

        self.coverage = coverage or coverage_load()
        self.target_hours = target_hours or Target.hours()

    def apply(self, ticket: ClockedTicket, tag_names: Iterable[str] = ()) -> bool:
        """Set the ticket's target and due time in memory from its state; True if changed."""
        target = sla_target_for(high_priority=ticket.high_priority, priority=ticket.priority, tag_names=tag_names)
        due = sla_due_compute(
            requested_at=ticket.requested_at, target=target, coverage=self.coverage, target_hours=self.target_hours
        )
        changed = (ticket.sla_target, ticket.sla_due_at) != (target, due)
        ticket.sla_target, ticket.sla_due_at = target, due
        return changed


def ticket_sla_refresh(*, ticket: Ticket, context: SlaContext | None = None, save: bool = True) -> bool:
    """Recompute the due time after the security tag, high_priority or priority changed.
    Saves only the two clock fields (the caller may hold other unsaved changes)."""
    context = context or SlaContext()
    changed = context.apply(ticket, ticket.tags.values_list("name", flat=True))
    if changed and save and ticket.pk:
        Ticket.objects.filter(pk=ticket.pk).update(sla_target=ticket.sla_target, sla_due_at=ticket.sla_due_at)
    return changed


def tickets_sla_refresh(*, ticket_ids: Iterable[int], context: SlaContext | None = None) -> int:
    """The same for many tickets (after an ingest whose rules may have tagged or prioritised
    them). Two queries plus one UPDATE per changed ticket."""
    ids = list(ticket_ids)
    if not ids:
        return 0
    context = context or SlaContext()
    tickets = list(
        Ticket.objects.filter(pk__in=ids).only(
            "pk", "requested_at", "high_priority", "priority", "sla_target", "sla_due_at"
        )
    )
    through = Ticket.tags.through
    tags: dict[int, list[str]] = {}
    for ticket_id, name in through.objects.filter(ticket_id__in=ids).values_list("ticket_id", "tag__name"):
        tags.setdefault(ticket_id, []).append(name)
    changed = 0
    for ticket in tickets:
        if context.apply(ticket, tags.get(ticket.pk, ())):
            Ticket.objects.filter(pk=ticket.pk).update(sla_target=ticket.sla_target, sla_due_at=ticket.sla_due_at)
            changed += 1
    return changed


def _breach_event(ticket: ClockedTicket, *, replied_at: datetime | None, now: datetime) -> TicketEvent:
    due = ticket.sla_due_at
    assert due is not None, "only a ticket with a due time can miss it"
    data: dict[str, Any] = {
        "due_at": due.isoformat(),
        "target": ticket.sla_target or Ticket.SlaTarget.ALL,
        "replied_at": replied_at.isoformat() if replied_at else None,
        "late_by_minutes": int(((replied_at or now) - due).total_seconds() // 60),
    }
    return TicketEvent(ticket_id=ticket.pk, kind=TicketEvent.Kind.SLA_BREACHED, data=data)


def breach_on_first_reply(ticket: ClockedTicket) -> bool:
    """In memory, for a ticket whose first reply was just set: mark it breached when the reply
    came after the due time. Returns True if the caller must record the event (see
    sla_breach_events_insert); the ticket's sla_breached is then saved by the caller."""
    if ticket.sla_breached or ticket.sla_due_at is None or ticket.first_reply_at is None:
        return False
    if ticket.first_reply_at <= ticket.sla_due_at:
        return False
    ticket.sla_breached = True
    return True


def sla_breach_events_insert(tickets: Iterable[ClockedTicket], *, now: datetime | None = None) -> int:
    """Write the breach events of `tickets` (breached at their first reply). ON CONFLICT DO
    NOTHING on the one-breach-per-ticket constraint: a breach some other path already
    recorded is never written twice and never fails the caller's transaction."""
    now = now or timezone.now()
    events = [_breach_event(t, replied_at=t.first_reply_at, now=now) for t in tickets]
    if events:
        TicketEvent.objects.bulk_create(events, ignore_conflicts=True)
    return len(events)


def ticket_breach_on_reply(*, ticket: Ticket, now: datetime | None = None) -> bool:
    """For the desk's reply paths, which hold the ticket's row lock: record the breach of a
    first reply that came late. The caller saves the ticket (with sla_breached)."""
    if not breach_on_first_reply(ticket):
        return False
    assert ticket.sla_due_at is not None  # breach_on_first_reply said it has one
    Ticket.objects.filter(pk=ticket.pk, sla_breached=False).update(sla_breached=True)
    sla_breach_events_insert([ticket], now=now)
    logger.info("sla: ticket %s answered after its due time %s", ticket.pk, ticket.sla_due_at.isoformat())
    return True


def sla_sweep(*, now: datetime | None = None, context: SlaContext | None = None) -> dict[str, int]:
    """Beat: give a due time to waiting tickets that have none (tickets from before this
    feature, or created outside ingest), then record a breach for each waiting ticket whose
    due time passed without a first reply."""
    now = now or timezone.now()
    filled = 0
    missing = list(
        Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES, first_reply_at__isnull=True, sla_due_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if missing:
        filled = tickets_sla_refresh(ticket_ids=missing, context=context)
    breached = 0
    overdue = list(
        Ticket.objects.filter(
            status__in=Ticket.WAITING_STATUSES,
            first_reply_at__isnull=True,
            sla_due_at__lt=now,
            sla_breached=False,
        )
        .order_by("sla_due_at", "id")
        .only("pk", "sla_due_at", "sla_target", "first_reply_at")[:SWEEP_BATCH]
    )
    for ticket in overdue:
        with transaction.atomic():
            # Conditional: a reply or another sweep may have got there first.
            won = Ticket.objects.filter(
                Q(first_reply_at__isnull=True) | Q(first_reply_at__gt=ticket.sla_due_at),
                pk=ticket.pk,
                sla_breached=False,
                sla_due_at=ticket.sla_due_at,
            ).update(sla_breached=True)
            if won:
                TicketEvent.objects.bulk_create(
                    [_breach_event(ticket, replied_at=None, now=now)], ignore_conflicts=True
                )
                breached += 1
    if breached:
        logger.info("sla: %s waiting tickets passed their due time", breached)
    return {"filled": filled, "breached": breached}


# --------------------------------------------------------------------------------------------------------------
# Display


def span_text(seconds: float) -> str:
    """ "2 h 15 m", "40 m", "1 d 3 h", "< 1 m"."""
    return duration_display(seconds, minute="m")


def clock_text(due_at: datetime, now: datetime) -> str:
    left = (due_at - now).total_seconds()
    return f"{span_text(left)} left" if left > 0 else f"breached {span_text(-left)} ago"


class SlaClock:
    """What a page shows for one ticket's clock: text plus a CSS state
    (ok / warning / danger / breached / met / stopped)."""

    __slots__ = ("state", "text", "title")

    def __init__(self, state: str, text: str, title: str = "") -> None:
        self.state, self.text, self.title = state, text, title

    def __str__(self) -> str:
        return self.text


WARNING_FRACTION, WARNING_SECONDS = 0.25, 3600
DANGER_FRACTION, DANGER_SECONDS = 0.10, 900


def clock_state(left: float, total: float | None = None) -> str:
    """ok / warning / danger / breached for `left` seconds before the due time, out of a `total`-second
    target when it is known (a bare due time has only the absolute thresholds)."""
    if left <= 0:
        return "breached"
    if left < DANGER_SECONDS or (total and left / total < DANGER_FRACTION):
        return "danger"
    if left < WARNING_SECONDS or (total and left / total < WARNING_FRACTION):
        return "warning"
    return "ok"


def sla_clock(ticket: Ticket, now: datetime) -> SlaClock | None:
    """Running clock: time left, coloured as it nears the target (warning under 25% of the
    target or 1 h left, danger under 10% or 15 min), breached once past. After the first
    reply: met, or breached (the flag stays). None when the ticket has no clock."""
    if ticket.sla_due_at is None:
        return None
    due = ticket.sla_due_at
    title = f"due {due:%Y-%m-%d %H:%M} UTC ({ticket.get_sla_target_display() or 'target'})"
    if ticket.first_reply_at is not None:
        if ticket.sla_breached or ticket.first_reply_at > due:
            late = span_text((ticket.first_reply_at - due).total_seconds())
            return SlaClock("breached", f"replied {late} late", title)
        return SlaClock("met", "replied in time", title)
    if not ticket.is_waiting:
        return SlaClock(
            "breached" if ticket.sla_breached else "stopped", "breached" if ticket.sla_breached else "—", title
        )
    total = max(1.0, (due - ticket.requested_at).total_seconds())
    return SlaClock(clock_state((due - now).total_seconds(), total), clock_text(due, now), title)
