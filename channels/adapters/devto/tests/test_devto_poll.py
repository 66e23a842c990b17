"""Polling a dev.to channel end to end: channel_poll -> DevtoAdapter -> ingest, with HTTP mocked at the edge in the
recorded shapes (fixtures/SOURCES.md), through channels/tests/harness.py."""

import time

import pytest
import responses

from channels.adapters.devto.client import LATEST_URL
from channels.adapters.devto.tests import test_devto_adapter as shapes
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db


@responses.activate
def test_articles_and_their_comments_are_stored_once_with_our_comment_as_our_reply():
    now = int(time.time())
    channel = shapes.devto_channel(config={"tags": ["gitlab"], "articles": [501], "per_page": 5})
    shapes.add_comments(
        501,
        [
            shapes.comment(
                "c1", now - 300, author=shapes.ASKER, children=[shapes.comment("c2", now - 200, author=shapes.OURS)]
            )
        ],
    )
    shapes.add_latest(
        [
            shapes.article(502, now - 100, author=shapes.OTHER, title="GitLab runners on ARM"),
            shapes.article(501, now - 400),
        ]
    )

    result = ingested(poll(channel))

    assert (result.received, result.created, result.our_replies, result.quarantined) == (4, 4, 1, 0)
    shapes.add_comments(502, [])  # taken in by its tag: the next poll reads its comments (none yet)
    assert stored(channel) == ["501", "502", "c1", "c2"]
    ours = Message.objects.get(channel=channel, external_id="c2")
    assert ours.kind == Message.Kind.OUR_REPLY
    assert ours.ticket == Message.objects.get(channel=channel, external_id="c1").ticket
    article_ticket = Message.objects.get(channel=channel, external_id="502").ticket
    assert article_ticket is not None and article_ticket.subject == "GitLab runners on ARM"
    assert channel.health == Channel.Health.OK

    again = ingested(poll(channel))  # the same answers: nothing is handed over twice
    assert again.received == 0
    assert stored(channel) == ["501", "502", "c1", "c2"]


@responses.activate
def test_an_unreadable_article_is_quarantined_and_the_rest_stored():
    now = int(time.time())
    channel = shapes.devto_channel(config={"latest": True, "per_page": 5})
    broken = shapes.article(7, now - 50)
    broken["id"] = "not a number"
    shapes.add_latest([shapes.article(8, now - 40), broken])

    result = ingested(poll(channel))

    assert (result.created, result.quarantined) == (1, 1)
    assert stored(channel) == ["8"] and Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_a_redirect_to_a_malformed_address_fails_the_poll_naming_it_without_its_query(caplog):
    # requests parses a redirect's Location before following it: an unclosed IPv6 bracket raises ValueError there.
    channel = shapes.devto_channel(config={"latest": True})
    responses.get(LATEST_URL, status=302, headers={"Location": "http://[::1/api/articles?signature=s3cret"})

    outcome = poll(channel)

    said = "dev.to latest articles: HTTP 302 redirect to a malformed address 'http://[::1/api/articles?…'"
    assert (outcome.status, outcome.error, channel.last_error) == ("transient_error", said, said)
    assert "redirect to 'http://[::1/api/articles?…', which cannot be read (Invalid IPv6 URL)" in caplog.text
    assert "s3cret" not in caplog.text and stored(channel) == []
