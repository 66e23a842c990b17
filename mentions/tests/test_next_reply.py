"""The next reply's clock: a follow-up after our reply starts it (its own target per priority), more follow-ups do
not move it, our next reply ends it, a breach is recorded once (the sweep or the late reply, whichever first),
business hours are counted as the first reply's are, Play's deadline order sorts it with the first-reply clocks,
and the KPI's median, p90 and share within target match a hand computation.

Shapes: the Hacker News items come from channels/tests/hn.py (Algolia's search API as recorded in
channels/adapters/hackernews/tests/fixtures, listed in its SOURCES.md); our reply is a comment by the channel's
own account ("gitlabhq", channels/tests/factories.py), as the ingest sees our posts."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import ReplyWait, Ticket, TicketEvent, View
from mentions.services import ticket_claim_next, ticket_mark_replied
from mentions.services.next_reply import next_reply_sweep
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory
from metrics.next_reply import next_reply_stats

pytestmark = pytest.mark.django_db

FRIDAY_20 = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # coverage (default): Monday-Friday 08:00-22:00 UTC
T0 = int(FRIDAY_20.timestamp())


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, UTC)


def _ingest(channel, *hits):
    return mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(list(hits))))


@pytest.fixture
def answered():
    """A Hacker News story we answered on the platform (seen by the ingest) at 20:10 on a Friday."""
    channel = ChannelFactory()
    _ingest(channel, story_hit(1, T0), comment_hit(2, T0 + 600, author="gitlabhq", text="Try 16.5", parent_id=1))
    ticket = Ticket.objects.get()
    assert ticket.first_reply_at == _at(600) and ticket.status == Ticket.Status.PENDING
    return channel, ticket


def test_a_follow_up_after_our_reply_starts_the_clock_and_our_next_reply_ends_it(answered):
    channel, ticket = answered
    with time_machine.travel(_at(3600), tick=False):
        _ingest(channel, comment_hit(3, T0 + 3600, text="still broken", parent_id=2, story_id=1))
        _ingest(channel, comment_hit(4, T0 + 3700, text="hello?", parent_id=2, story_id=1))  # moves nothing
    ticket.refresh_from_db()
    assert ticket.next_reply_due_at == _at(3600) + timedelta(hours=8)  # the next reply's default target
    wait = ReplyWait.objects.get()
    assert (wait.started_at, wait.answered_at) == (_at(3600), None)
    # Our next reply, seen on the platform on Monday at 09:00: Friday 21:00-22:00 and Monday 08:00-09:00 covered.
    monday_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with time_machine.travel(monday_9, tick=False):
        next_reply_sweep()  # the wait was due Saturday 05:00: breached, once
        next_reply_sweep()
        _ingest(channel, comment_hit(5, int(monday_9.timestamp()), author="gitlabhq", text="Fixed", parent_id=3))
    ticket.refresh_from_db()
    wait.refresh_from_db()
    assert ticket.next_reply_due_at is None and ticket.status == Ticket.Status.PENDING
    assert wait.answered_at == monday_9 and wait.breached
    assert wait.seconds == int((monday_9 - _at(3600)).total_seconds())
    assert wait.business_seconds == 2 * 3600
    breaches = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.NEXT_REPLY_BREACHED)
    assert breaches.count() == 1 and breaches.get().data["replied_at"] is None


def test_a_late_reply_from_the_desk_records_the_breach_once_and_a_high_priority_ticket_has_6_hours(answered):
    channel, ticket = answered
    Ticket.objects.filter(pk=ticket.pk).update(priority=Ticket.Priority.HIGH, high_priority=True)
    with time_machine.travel(_at(3600), tick=False):
        _ingest(channel, comment_hit(3, T0 + 3600, text="still broken", parent_id=2, story_id=1))
    ticket.refresh_from_db()
    assert ticket.next_reply_due_at == _at(3600) + timedelta(hours=6)
    ada = AdvocateFactory()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=ada)
    with time_machine.travel(_at(3600) + timedelta(hours=7), tick=False):
        ticket_mark_replied(ticket=Ticket.objects.get(pk=ticket.pk), user=ada, body="Sorry: fixed in 16.6")
        next_reply_sweep()  # answered already: nothing more
    ticket.refresh_from_db()
    assert ticket.next_reply_due_at is None
    breach = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.NEXT_REPLY_BREACHED)
    assert breach.data["late_by_minutes"] == 60


def test_plays_deadline_order_sorts_next_reply_clocks_with_first_reply_ones():
    view = View.objects.create(name="Deadline", slug="deadline", order=View.Order.DEADLINE)
    now = FRIDAY_20
    first = TicketFactory(status=Ticket.Status.OPEN, sla_due_at=now + timedelta(hours=2))
    follow = TicketFactory(
        status=Ticket.Status.OPEN,
        first_reply_at=now - timedelta(hours=5),
        sla_due_at=now - timedelta(hours=3),
        next_reply_due_at=now + timedelta(hours=1),
    )
    no_clock = TicketFactory(status=Ticket.Status.OPEN, first_reply_at=now - timedelta(hours=5), sla_due_at=now)
    served = [ticket_claim_next(view=view, user=AdvocateFactory()) for _ in range(3)]
    assert [t.pk for t in served if t] == [follow.pk, first.pk, no_clock.pk]


def test_the_kpi_figures_match_a_hand_computation(client):
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    # Four answered waits of 1, 2, 4 and 10 hours (the last past its 8 h target), one unanswered past due, and one
    # high-priority wait of 3 hours against 6 h.
    for hours in (1, 2, 4, 10):
        ticket = TicketFactory(requested_at=start - timedelta(hours=1))
        ReplyWait.objects.create(
            ticket=ticket,
            started_at=start,
            due_at=start + timedelta(hours=8),
            answered_at=start + timedelta(hours=hours),
            seconds=hours * 3600,
            business_seconds=hours * 3600,
        )
    ReplyWait.objects.create(ticket=TicketFactory(), started_at=start, due_at=start + timedelta(hours=8))
    hp = TicketFactory(priority=Ticket.Priority.HIGH, high_priority=True)
    ReplyWait.objects.create(
        ticket=hp,
        high_priority=True,
        started_at=start,
        due_at=start + timedelta(hours=6),
        answered_at=start + timedelta(hours=3),
        seconds=3 * 3600,
        business_seconds=3 * 3600,
    )
    now = start + timedelta(days=1)
    stats = next_reply_stats(start=start.date(), end=start.date(), now=now)
    # All: 1, 2, 3, 4, 10 h answered. Median: the 3rd of 5 = 3 h. p90: position 0.9 * 4 = 3.6, between 4 and 10:
    # 4 + 0.6 * 6 = 7.6 h. Within their own due time: 1, 2, 3, 4 (the 10 h one is late): 4 of 5 = 80.0 %.
    assert (stats["all"].median_hours, stats["all"].p90_hours) == (3.0, pytest.approx(7.6))
    assert (stats["all"].within_target_pct, stats["all"].answered, stats["all"].waiting) == (80.0, 5, 1)
    assert stats["all"].waiting_over_target == 1
    assert (stats["high_priority"].median_hours, stats["high_priority"].within_target_pct) == (3.0, 100.0)
    assert (stats["all"].target_hours, stats["high_priority"].target_hours) == (8.0, 6.0)
    client.force_login(ManagerFactory())
    kpi = client.get("/api/kpi/?from=2026-11-23&to=2026-11-23").json()
    assert kpi["next_reply"]["all"]["p90_hours"] == 7.6 and kpi["targets"]["next_reply"] == 8.0
    export = client.get("/kpi/export/next_reply.csv?from=2026-11-23&to=2026-11-23")
    csv = b"".join(export.streaming_content).decode()
    assert "All channels,8.0,3.0,7.6" in csv
