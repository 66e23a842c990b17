"""Polling a Telegram channel end to end: channel_poll -> TelegramAdapter -> ingest, with the Bot API mocked at the
edge in the recorded shapes (fixtures/SOURCES.md, helpers.py), through channels/tests/harness.py: nothing lost
(the offset across polls and pages), nothing twice (an update served again), follow-ups threaded (replies and forum
topics), our own posts recognised (the bot and our accounts), a bad update quarantined, a 429 honoured."""

import pytest
import responses

from channels.adapters.telegram.tests.helpers import (
    ASKER,
    BOT,
    GROUP,
    HELPER,
    TEAM,
    add_me,
    add_updates,
    load,
    telegram_channel,
    update,
)
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db


def ids(*mids):
    return sorted(f"{GROUP}:{m}" for m in mids)


@responses.activate
def test_a_thread_is_one_ticket_with_our_replies_and_a_second_poll_stores_nothing_new():
    question = update(10, 100, "Our runner cache is empty after upgrade", author=ASKER)
    add_me()
    add_updates(
        [
            question,
            update(11, 101, "same for me", author=HELPER, reply_to=question["message"]),
            update(12, 102, "Looking into it", author=TEAM, reply_to=question["message"]),
            update(13, 103, "Fixed in 17.1", author=BOT, reply_to=question["message"]),
        ]
    )
    channel = telegram_channel()

    result = ingested(poll(channel))

    assert (result.created, result.our_replies, result.quarantined) == (4, 2, 0)
    assert stored(channel) == ids(100, 101, 102, 103)
    assert Ticket.objects.filter(channel=channel).count() == 1
    ours = Message.objects.filter(channel=channel, kind=Message.Kind.OUR_REPLY)
    assert sorted(str(i) for i in ours.values_list("external_id", flat=True)) == ids(102, 103)
    assert channel.cursor["offset"] == 14 and channel.health == Channel.Health.OK

    add_updates([question], offset=14)  # Telegram serving an update again: stored once
    again = ingested(poll(channel))
    assert again.created == 0 and stored(channel) == ids(100, 101, 102, 103)


@responses.activate
def test_a_restart_between_polls_goes_on_from_the_stored_offset():
    add_me()
    add_updates([update(20, 200, "first", author=ASKER)])
    channel = telegram_channel()
    ingested(poll(channel))
    add_updates([update(21, 201, "second", author=ASKER, reply_to=update(20, 200, "first")["message"])], offset=21)

    ingested(poll(Channel.objects.get(pk=channel.pk)))  # a fresh row: what a restarted worker reads

    assert stored(channel) == ids(200, 201)
    assert Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_a_forum_topics_messages_share_a_ticket():
    add_me()
    add_updates([update(30, 300, "How do I pin a version?", author=ASKER, topic=2391)])
    channel = telegram_channel(keywords=["version"])
    ingested(poll(channel))
    add_updates([update(31, 301, "Try the lock file", author=HELPER, topic=2391)], offset=31)

    ingested(poll(channel))

    assert stored(channel) == ids(300, 301)
    assert Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_a_broken_update_is_quarantined_and_the_rest_stored():
    broken = update(41, 401, "no date", author=ASKER)
    del broken["message"]["date"]
    add_me()
    add_updates([update(40, 400, "fine", author=ASKER), broken, update(42, 402, "also fine", author=ASKER)])
    channel = telegram_channel()

    result = ingested(poll(channel))

    assert (result.created, result.quarantined) == (2, 1)
    assert stored(channel) == ids(400, 402) and channel.cursor["offset"] == 43


@responses.activate
def test_a_429_makes_the_channel_wait_and_moves_nothing():
    add_me()
    add_updates([], status=429, body=load("docs_error_429.json"))
    channel = telegram_channel(cursor={"offset": 7})

    poll(channel)

    assert channel.cursor.get("offset") == 7 and stored(channel) == []
    assert channel.next_poll_at is not None
