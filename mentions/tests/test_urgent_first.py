"""Urgent first: a ticket of high or urgent priority counts for the high-priority view and the
5 h target whatever its channel, and a view can serve deadline first."""

from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import search_page, story_hit
from intake.hooks import tickets_after_ingest
from intake.pipeline import mentions_ingest
from mentions.models import Rule, Ticket, View
from mentions.services import ticket_claim_next
from mentions.services.sla import SlaContext
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday, inside coverage


def test_a_rule_set_high_priority_ticket_is_served_by_the_high_priority_view_and_measured_against_5h():
    channel = ChannelFactory(high_priority=False)
    Rule.objects.create(name="Downtime", enabled=True, text_keywords="is down", set_priority=Ticket.Priority.HIGH)
    high_view = View.objects.create(name="High priority", slug="high", high_priority_only=True)
    hit = story_hit(1, int(NOON.timestamp()), title="gitlab.com is down for everyone?")
    mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page([hit])))
    tickets_after_ingest(ticket_ids=list(Ticket.objects.values_list("pk", flat=True)), now=NOON)

    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.high_priority) == (Ticket.Priority.HIGH, True)
    assert ticket.sla_target == Ticket.SlaTarget.HIGH_PRIORITY
    assert ticket.sla_due_at == NOON + timedelta(hours=5)
    assert ticket_claim_next(view=high_view, user=AdvocateFactory()) == ticket


def test_high_priority_follows_the_priority_both_ways():
    ticket = TicketFactory(priority=Ticket.Priority.HIGH, high_priority=True)
    assert ticket.priority_set(Ticket.Priority.NORMAL) and not ticket.high_priority
    assert ticket.priority_set(Ticket.Priority.URGENT) and ticket.high_priority
    assert not ticket.priority_set(Ticket.Priority.URGENT)


def _waiting(subject, requested_at, *, priority=Ticket.Priority.NORMAL, replied=False):
    ticket = TicketFactory(subject=subject, requested_at=requested_at)
    ticket.priority_set(priority)
    if replied:  # a follow-up on a ticket we answered before: no first-reply deadline left
        ticket.first_reply_at = requested_at + timedelta(minutes=5)
    SlaContext().apply(ticket)
    ticket.save()
    return ticket


def _served_from(view: View) -> list[str]:
    """The subjects of the tickets four advocates' Play on `view` serves them, in that order."""
    served = [ticket_claim_next(view=view, user=AdvocateFactory()) for _ in range(4)]
    return [t.subject for t in served if t is not None]


def test_a_deadline_first_view_serves_urgent_then_least_time_left_and_an_oldest_first_view_by_age():
    old_normal = _waiting("old normal: due +7 h", NOON - timedelta(hours=3))  # due NOON + 4 h
    newer_high = _waiting("newer high: due +5 h", NOON - timedelta(hours=2), priority=Ticket.Priority.HIGH)  # +3 h
    answered = _waiting("oldest, already answered", NOON - timedelta(hours=6), replied=True)
    urgent = _waiting("urgent, newest", NOON, priority=Ticket.Priority.URGENT)  # due NOON + 5 h
    deadline = View.objects.create(name="Deadline", slug="deadline", order=View.Order.DEADLINE)

    assert _served_from(deadline) == [t.subject for t in (urgent, newer_high, old_normal, answered)]
    Ticket.objects.update(assignee=None, served_to=None, served_view=None)
    oldest = View.objects.create(name="Oldest", slug="oldest")
    assert _served_from(oldest) == [t.subject for t in (answered, old_normal, newer_high, urgent)]
