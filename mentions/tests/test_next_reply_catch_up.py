"""The next reply's clock on every path that brings a follow-up after our reply, through the real ingest: one page
holding the question, our reply and the follow-up (a desk catching up after downtime, the demo's first read), the
same page with our next reply too (the wait is answered, late ones breached once), a stored ticket whose page brings
our first reply and the follow-up together, and a running wait whose page brings our reply and a new follow-up;
and solving a ticket without a reply ends a wait that needed none (a thanks).

Shapes: the Hacker News items come from channels/tests/hn.py (Algolia's search API as recorded in
channels/adapters/hackernews/tests/fixtures, listed in its SOURCES.md); our reply is a comment by the channel's own
account ("gitlabhq", channels/tests/factories.py), as the ingest sees our posts."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import ReplyWait, Ticket, TicketEvent
from mentions.services import ticket_change_status
from mentions.tests.factories import AdvocateFactory
from metrics.next_reply import next_reply_stats

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # coverage (default): Monday-Friday 08:00-22:00 UTC
T0 = int(MONDAY_9.timestamp())
LATER = MONDAY_9 + timedelta(days=1)


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, UTC)


def _ingest(channel, *hits):
    with time_machine.travel(LATER, tick=False):
        return mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(list(hits))))


QUESTION = story_hit(1, T0, title="Ask HN: GitLab runner hangs on arm64")
OUR_REPLY = comment_hit(2, T0 + 600, author="gitlabhq", text="Set helper_image_flavor", parent_id=1)
FOLLOW_UP = comment_hit(3, T0 + 3600, text="Still hangs after that", parent_id=2)


def test_one_page_with_the_question_our_reply_and_the_follow_up_starts_the_next_reply_clock():
    channel = ChannelFactory()
    # Given out of order, as a search page sorted by relevance may: the ingest reads them by time.
    _ingest(channel, FOLLOW_UP, QUESTION, OUR_REPLY)
    ticket = Ticket.objects.get()
    assert ticket.first_reply_at == _at(600)
    assert ticket.next_reply_due_at == _at(3600) + timedelta(hours=8)
    assert ticket.status == Ticket.Status.NEW  # the follow-up is the last word: it waits on us
    wait = ReplyWait.objects.get()
    assert (wait.ticket_id, wait.started_at, wait.answered_at) == (ticket.pk, _at(3600), None)


def test_one_page_with_our_next_reply_too_records_the_wait_answered_and_a_late_one_breached_once():
    channel = ChannelFactory()
    answer = comment_hit(4, T0 + 3600 + 9 * 3600, author="gitlabhq", text="Fixed in 17.6", parent_id=3)
    _ingest(channel, QUESTION, OUR_REPLY, FOLLOW_UP, answer)
    _ingest(channel, QUESTION, OUR_REPLY, FOLLOW_UP, answer)  # the same page again: stored once
    ticket = Ticket.objects.get()
    assert ticket.next_reply_due_at is None and ticket.status == Ticket.Status.PENDING
    wait = ReplyWait.objects.get()
    assert (wait.started_at, wait.answered_at, wait.breached) == (_at(3600), _at(3600 + 9 * 3600), True)
    assert wait.seconds == 9 * 3600
    assert wait.business_seconds == 9 * 3600  # Monday 10:00-19:00, all covered
    breach = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.NEXT_REPLY_BREACHED)
    assert breach.data["wait"] == wait.pk and breach.data["late_by_minutes"] == 60
    stats = next_reply_stats(start=date(2026, 11, 23), end=date(2026, 11, 23), now=LATER)
    assert (stats["all"].answered, stats["all"].median_hours, stats["all"].within_target_pct) == (1, 9.0, 0.0)


def test_a_stored_question_whose_page_brings_our_first_reply_and_the_follow_up_starts_the_clock():
    channel = ChannelFactory()
    _ingest(channel, QUESTION)
    _ingest(channel, OUR_REPLY, FOLLOW_UP)
    ticket = Ticket.objects.get()
    assert ticket.first_reply_at == _at(600)
    assert ticket.next_reply_due_at == _at(3600) + timedelta(hours=8)
    assert ReplyWait.objects.get().started_at == _at(3600)


def test_a_page_with_our_reply_then_a_new_follow_up_ends_the_running_wait_and_starts_the_next():
    channel = ChannelFactory()
    _ingest(channel, QUESTION, OUR_REPLY, FOLLOW_UP)
    second_reply = comment_hit(4, T0 + 7200, author="gitlabhq", text="Which executor?", parent_id=3)
    second_follow_up = comment_hit(5, T0 + 9000, text="Docker, 25.0", parent_id=4)
    _ingest(channel, second_follow_up, second_reply)
    ticket = Ticket.objects.get()
    first, second = ReplyWait.objects.order_by("started_at")
    assert (first.started_at, first.answered_at, first.breached) == (_at(3600), _at(7200), False)
    assert (second.started_at, second.answered_at) == (_at(9000), None)
    assert ticket.next_reply_due_at == _at(9000) + timedelta(hours=8)


def test_solving_without_a_reply_ends_a_wait_that_needed_none():
    channel = ChannelFactory()
    thanks = comment_hit(3, T0 + 3600, text="That fixed it, thanks!", parent_id=2)
    _ingest(channel, QUESTION, OUR_REPLY, thanks)
    ticket = Ticket.objects.get()
    assert ticket.next_reply_due_at is not None
    with time_machine.travel(LATER, tick=False):
        ticket_change_status(ticket=ticket, user=AdvocateFactory(), status=Ticket.Status.SOLVED)
    ticket.refresh_from_db()
    assert ticket.next_reply_due_at is None and not ReplyWait.objects.exists()
    stats = next_reply_stats(start=date(2026, 11, 23), end=date(2026, 11, 23), now=LATER)
    assert (stats["all"].answered, stats["all"].waiting) == (0, 0)
