"""The demo's dev.to channel polled through the real adapter (channel_poll -> DevtoAdapter -> intake) against the demo
network (DESK_DEMO_REPLAY). The response shapes come from the replay module (channels/adapters/devto/replay.py),
which follows the recorded answers of tests/fixtures (articles_username_gereltuyamz.json, comments_tree.json); the
week's threads are this package's (demo.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.devto.demo import DEMO, THREADS
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "devto"
OURS = DEMO["our_accounts"][0]
ANCHOR = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then


def test_the_demo_articles_poll_into_tickets_and_their_comments_follow_at_the_next_poll_and_nothing_twice():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False) as clock:
        channel = demo.channel(KIND, ANCHOR)
        first = ingested(poll(channel))
        assert (first.tickets_created, first.created) == (3, 3)  # the articles; their comments are read next
        assert set(Ticket.objects.filter(channel=channel).values_list("subject", flat=True)) == {
            thread.title for thread in THREADS
        }

        clock.shift(timedelta(minutes=1))
        second = ingested(poll(channel))
        assert (second.created, second.our_replies, second.tickets_created) == (4, 1, 0)
        demo.assert_week_stored(channel, ANCHOR)
        ours = Message.objects.get(channel=channel, author_handle=OURS)
        assert ours.kind == Message.Kind.OUR_REPLY
        for message in Message.objects.filter(channel=channel):
            assert message.permalink.startswith("https://dev.to/")

        assert demo.assert_second_poll_stores_nothing(channel).received == 0
