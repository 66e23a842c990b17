"""Polling a Lobsters channel end to end: channel_poll -> LobstersAdapter -> ingest, with HTTP mocked at the edge in
the recorded shapes (fixtures/SOURCES.md), through channels/tests/harness.py."""

import time

import pytest
import responses

from channels.adapters.lobsters.client import NEWEST_URL
from channels.adapters.lobsters.tests.test_lobsters_adapter import (
    ASKER,
    OURS,
    add_page,
    add_story,
    comment,
    lobsters_channel,
    story,
)
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db


@responses.activate
def test_a_story_and_its_comments_are_one_ticket_stored_once_with_our_comment_as_our_reply():
    now = int(time.time())
    channel = lobsters_channel()
    comments = [comment("cm0001", now - 300, author=ASKER), comment("cm0002", now - 200, author=OURS, parent="cm0001")]
    listed = [story("st0001", now - 400, title="GitLab runners on ARM"), story("st0002", now - 500, title="Zig")]
    add_page(NEWEST_URL, listed)
    add_story(story("st0001", now - 400, comments=comments))

    result = ingested(poll(channel))

    assert (result.received, result.created, result.our_replies, result.quarantined) == (3, 3, 1, 0)
    assert stored(channel) == ["c_cm0001", "c_cm0002", "st0001"]
    ticket = Message.objects.get(channel=channel, external_id="st0001").ticket
    assert ticket is not None and ticket.subject == "GitLab runners on ARM"
    assert {m.ticket_id for m in Message.objects.filter(channel=channel)} == {ticket.pk}
    assert Message.objects.get(channel=channel, external_id="c_cm0002").kind == Message.Kind.OUR_REPLY
    assert channel.health == Channel.Health.OK

    assert ingested(poll(channel)).received == 0  # the same answers: nothing is handed over twice

    Channel.objects.filter(pk=channel.pk).update(cursor={})  # a lost cursor: everything is handed over again
    again = ingested(poll(channel))
    assert (again.received, again.created) == (3, 0)
    assert stored(channel) == ["c_cm0001", "c_cm0002", "st0001"]


@responses.activate
def test_an_unreadable_story_is_quarantined_and_the_rest_stored():
    now = int(time.time())
    channel = lobsters_channel(config={"newest": True, "watch_days": 0})
    broken = story("st0009", now - 50)
    broken["created_at"] = "yesterday-ish"
    add_page(NEWEST_URL, [story("st0008", now - 40), broken])

    result = ingested(poll(channel))

    assert (result.created, result.quarantined) == (1, 1)
    assert stored(channel) == ["st0008"] and Ticket.objects.filter(channel=channel).count() == 1
