"""The demo's Telegram group polled and answered through the real adapter (channel_poll -> TelegramAdapter ->
intake; the ticket's reply -> sendMessage) against the demo network (DESK_DEMO_REPLAY). The response shapes come from
the replay module (channels/adapters/telegram/replay.py), which follows the recorded answers of tests/fixtures
(SOURCES.md) and core.telegram.org/bots/api; the week's threads are this package's (demo.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.telegram.demo import BOT, DEMO, THREADS
from channels.demo.week import thread_start
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "telegram"
ANCHOR = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then


def test_the_demo_week_polls_into_one_ticket_per_question_with_the_bots_replies_as_ours_and_nothing_twice():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        channel.credentials = DEMO["credentials"]
        channel.save()
        result = ingested(poll(channel))

        expected = demo.assert_week_stored(channel, ANCHOR)
        assert len(expected) == len(THREADS) == result.tickets_created == 3
        ours = Message.objects.filter(channel=channel, author_handle=BOT)
        assert ours.count() == 1 and {m.kind for m in ours} == {Message.Kind.OUR_REPLY}
        for message in Message.objects.filter(channel=channel):
            assert message.permalink.startswith("https://t.me/gitlab_demo_chat/")
        assert channel.cursor["bot_id"] == DEMO["credentials"]["bot_token"].partition(":")[0]

        assert demo.assert_second_poll_stores_nothing(channel).received == 0


def test_a_follow_up_posted_later_is_read_from_the_offset_and_joins_its_question():
    opening = THREADS[0]
    start = thread_start(opening, ANCHOR)
    with time_machine.travel(start + timedelta(minutes=20), tick=False) as clock:
        channel = demo.channel(KIND, ANCHOR)
        channel.credentials = DEMO["credentials"]
        channel.save()
        ingested(poll(channel))
        offset = channel.cursor["offset"]
        demo.assert_week_stored(channel, ANCHOR, start + timedelta(minutes=20))

        clock.move_to(start + timedelta(minutes=60))
        result = ingested(poll(channel))

        channel.refresh_from_db()
        assert channel.cursor["offset"] > offset
        assert (result.created, result.our_replies, result.tickets_created) == (2, 1, 0)
        thanks = Message.objects.get(channel=channel, body=opening.followups[-1][2])
        question = Message.objects.get(channel=channel, body=opening.text)
        assert thanks.ticket == question.ticket and thanks.kind == Message.Kind.INBOUND
        assert Ticket.objects.filter(channel=channel).count() == 1
