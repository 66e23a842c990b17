"""Not waiting on us means not in the queue: when our reply is a ticket's latest message (sent
from the desk, marked replied, or seen on the platform), the ticket waits on the requester
(pending) and Play does not serve it; a later follow-up brings it back."""

from datetime import UTC, datetime

import pytest

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, TicketEvent, View
from mentions.services import ticket_claim_next, ticket_mark_replied
from mentions.services.events import WAITING_ON_REQUESTER
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

T0 = int(datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp())


@pytest.fixture
def channel():
    return ChannelFactory(our_accounts=["gitlabhq"])


def _ingest(channel, *hits):
    return mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(list(hits))))


def _ticket(object_id=1):
    return Ticket.objects.get(messages__external_id=str(object_id))


def test_our_reply_seen_on_the_platform_as_the_latest_message_sets_the_ticket_pending_and_play_skips_it(channel):
    view = View.objects.create(name="All mentions", slug="all")
    _ingest(channel, story_hit(1, T0, title="Is GitLab CI caching broken?"))
    _ingest(channel, comment_hit(2, T0 + 60, text="Which runner version?", author="gitlabhq", parent_id=1))

    ticket = _ticket()
    assert ticket.status == Ticket.Status.PENDING
    event = ticket.events.get(kind=TicketEvent.Kind.STATUS)
    assert event.data == {"from": "new", "to": "pending", "reason": WAITING_ON_REQUESTER}
    assert ticket_claim_next(view=view, user=AdvocateFactory()) is None

    _ingest(channel, comment_hit(3, T0 + 120, text="16.4, on Docker", author="dana", parent_id=2))

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN  # the requester answered: back in the queue
    assert ticket_claim_next(view=view, user=AdvocateFactory()) == ticket


def test_in_one_batch_the_later_message_decides(channel):
    # A backfill: question, our answer, the requester's thanks -> waiting on us (open)...
    _ingest(
        channel,
        story_hit(1, T0, title="Q1"),
        comment_hit(2, T0 + 60, author="gitlabhq", parent_id=1),
        comment_hit(3, T0 + 120, author="dana", parent_id=2),
    )
    # ... question, the requester's addition, our answer -> waiting on the requester.
    _ingest(
        channel,
        story_hit(11, T0, title="Q2"),
        comment_hit(12, T0 + 60, author="bob", parent_id=11),
        comment_hit(13, T0 + 120, author="gitlabhq", parent_id=12),
    )
    assert _ticket(1).status == Ticket.Status.NEW
    assert _ticket(11).status == Ticket.Status.PENDING
    # An existing open ticket gets a follow-up and our later answer in the same poll: pending.
    _ingest(channel, comment_hit(4, T0 + 180, author="dana", parent_id=3))
    _ingest(
        channel,
        comment_hit(5, T0 + 240, author="dana", parent_id=4),
        comment_hit(6, T0 + 300, author="gitlabhq", parent_id=5),
    )
    assert _ticket(1).status == Ticket.Status.PENDING


def test_a_reply_marked_in_the_desk_and_submitted_as_open_waits_on_the_requester(channel):
    _ingest(channel, story_hit(1, T0))
    ticket = _ticket()
    ticket_mark_replied(ticket=ticket, user=AdvocateFactory(), body="Answered on HN", status=Ticket.Status.OPEN)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert ticket.messages.order_by("-id").first().kind == Message.Kind.OUR_REPLY
