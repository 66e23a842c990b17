"""The demo's Lobsters channel polled through the real adapter (channel_poll -> LobstersAdapter -> intake) against
the demo network (DESK_DEMO_REPLAY). The response shapes come from the replay module
(channels/adapters/lobsters/replay.py), which follows the recorded pages of tests/fixtures (hottest.json,
s_tdfoqh.json); the week's threads are this package's (demo.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.lobsters.demo import DEMO, THREADS
from channels.demo.week import thread_start
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "lobsters"
OURS = DEMO["our_accounts"][0]
ANCHOR = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then


def test_the_demo_week_polls_into_one_ticket_per_story_with_our_replies_and_nothing_twice():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        result = ingested(poll(channel))

        expected = demo.assert_week_stored(channel, ANCHOR)
        assert len(expected) == 3 and result.tickets_created == 3
        subjects = set(Ticket.objects.filter(channel=channel).values_list("subject", flat=True))
        assert subjects == {thread.title for thread in THREADS}
        ours = Message.objects.filter(channel=channel, author_handle=OURS)
        assert ours.count() == 2 and {m.kind for m in ours} == {Message.Kind.OUR_REPLY}
        for message in Message.objects.filter(channel=channel):
            story = message.thread_external_id or message.external_id
            assert message.permalink.startswith("https://lobste.rs/")
            assert message.author_url == f"https://lobste.rs/~{message.author_handle}"
            assert story in channel.cursor["stories"]
        assert set(channel.cursor["streams"]) == {"t/devops,vcs"}

        assert demo.assert_second_poll_stores_nothing(channel).received == 0


def test_a_comment_posted_later_joins_its_story_at_a_later_poll():
    opening = THREADS[-1]  # this morning's story; its comments come in the hour after it
    start = thread_start(opening, ANCHOR)
    with time_machine.travel(start + timedelta(minutes=30), tick=False) as clock:
        channel = demo.channel(KIND, ANCHOR)
        ingested(poll(channel))
        demo.assert_week_stored(channel, ANCHOR, start + timedelta(minutes=30))

        clock.move_to(start + timedelta(minutes=45))  # before the story is due to be read again: nothing is asked
        assert ingested(poll(channel)).received == 0

        clock.move_to(start + timedelta(minutes=95))
        result = ingested(poll(channel))

        demo.assert_week_stored(channel, ANCHOR, start + timedelta(minutes=95))
        assert (result.created, result.our_replies, result.tickets_created) == (1, 1, 0)
        joined = Message.objects.get(channel=channel, body=opening.followups[-1][2])
        assert joined.kind == Message.Kind.OUR_REPLY
        assert joined.ticket == Message.objects.get(channel=channel, title=opening.title).ticket
