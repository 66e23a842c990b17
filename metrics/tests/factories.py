"""Tickets and events with exact times, for the KPI tests."""

from datetime import UTC, datetime, timedelta

from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import TicketFactory

H = 3600


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    """A UTC time in 2026 (2026-11-02 is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def ticket_make(
    *,
    channel,
    requested_at: datetime,
    frt_seconds: int | None = None,
    business_seconds: int | None = None,
    status: str | None = None,
    solved_at: datetime | None = None,
    **extra,
) -> Ticket:
    """A ticket with its first reply stored as ingest/replies store it (`business_seconds` defaults to the
    calendar seconds: the stored value is what the KPIs read)."""
    values = dict(channel=channel, requested_at=requested_at, high_priority=channel.high_priority, **extra)
    if frt_seconds is not None:
        values.update(
            first_reply_at=requested_at + timedelta(seconds=frt_seconds),
            first_reply_seconds=frt_seconds,
            first_reply_business_seconds=frt_seconds if business_seconds is None else business_seconds,
            status=status or Ticket.Status.OPEN,
        )
    if status:
        values["status"] = status
    if solved_at:
        values["solved_at"] = solved_at
        values.setdefault("status", Ticket.Status.SOLVED)
    return TicketFactory(**values)


def event_make(*, ticket: Ticket, kind: str, actor=None, created_at: datetime, **data) -> TicketEvent:
    """An event at an exact time (created_at is auto_now_add, so it is set by an update)."""
    event = TicketEvent.objects.create(ticket=ticket, kind=kind, actor=actor, data=data)
    TicketEvent.objects.filter(pk=event.pk).update(created_at=created_at)
    event.created_at = created_at
    return event
