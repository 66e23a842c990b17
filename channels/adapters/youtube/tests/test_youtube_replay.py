"""The demo's YouTube channel polled through the real adapter (channel_poll -> YoutubeAdapter -> intake) against the
demo network (DESK_DEMO_REPLAY), and a reply sent through it. The response shapes come from the replay module
(channels/adapters/youtube/replay.py), which follows the recorded answers of tests/fixtures (threads_by_video.json,
comments_by_parent.json, comment_insert.json); the week's threads are this package's (demo.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.youtube.demo import DEMO
from channels.demo.accounts import demo_accounts_ensure
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket
from mentions.services.replies import ticket_send_reply
from mentions.tests.factories import AdvocateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "youtube"
OURS = DEMO["our_accounts"][0]
ANCHOR = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then


def test_the_demo_week_polls_into_one_ticket_per_comment_thread_with_our_replies_and_nothing_twice():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        result = ingested(poll(channel))

        expected = demo.assert_week_stored(channel, ANCHOR)
        assert len(expected) == 3 and result.tickets_created == 3
        ours = Message.objects.filter(channel=channel, author_handle=OURS)
        assert ours.count() == 1 and ours.get().kind == Message.Kind.OUR_REPLY
        for message in Message.objects.filter(channel=channel):
            assert message.permalink.startswith("https://www.youtube.com/watch?v=")
            assert message.permalink.endswith(f"&lc={message.external_id}")
        assert channel.platform_status["quota_spent"] == 1  # one page of the team's channel's threads

        assert demo.assert_second_poll_stores_nothing(channel).received == 0


def test_a_reply_from_the_desk_goes_out_as_the_demo_account_and_the_next_poll_knows_it():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        ingested(poll(channel))
        (account,) = demo_accounts_ensure()
        ticket = Ticket.objects.filter(channel=channel).order_by("id").last()
        assert ticket is not None

        reply = ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Thanks for the report: we are on it.")

        assert account.username == OURS and reply.kind == Message.Kind.OUR_REPLY
        opening = ticket.messages.filter(kind=Message.Kind.INBOUND).order_by("id").first()
        assert opening is not None and str(reply.external_id).startswith(f"{opening.external_id}.")
        assert str(reply.permalink).startswith("https://www.youtube.com/watch?v=")
