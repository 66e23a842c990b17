"""Polling a feed channel end to end: channel_poll -> FeedAdapter -> quarantine and ingest, with HTTP mocked at the
edge by `responses` in the recorded feeds' shapes (fixtures/SOURCES.md), through channels/tests/harness.py; and the
channel's page in admin showing each feed's state (the "Platform says" row of the channel's health and usage)."""

import json

import pytest
import responses
from django.urls import reverse

from channels.adapters.feed.tests.test_feed_adapter import ATOM, BLOG, OTO, atom, feed_channel, load, serve
from channels.models import Channel, DeadLetter
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db


@responses.activate
def test_entries_are_stored_once_each_a_ticket_and_ours_as_our_reply():
    serve(ATOM, atom(), headers={"ETag": '"a"'})
    channel = feed_channel(our_accounts=["gitlab-team"])
    # One of the releases is our own post (its author is one of our accounts).
    responses.replace(
        responses.GET, ATOM, body=atom().replace("<name>hajimehoshi</name>", "<name>gitlab-team</name>", 1)
    )

    result = ingested(poll(channel))

    assert (result.received, result.created, result.our_replies, result.quarantined) == (4, 4, 1, 0)
    assert stored(channel) == [OTO + t for t in ("v2.0.2", "v2.1.0-alpha.3", "v2.1.0-alpha.4", "v2.1.0-alpha.5")]
    assert Message.objects.get(channel=channel, external_id=OTO + "v2.1.0-alpha.5").kind == Message.Kind.OUR_REPLY
    ticket = Message.objects.get(channel=channel, external_id=OTO + "v2.0.2").ticket
    assert ticket is not None and ticket.subject == "v2.0.2: darwin: Bug fix: Make Suspend and Resume concurrent-safe"
    assert channel.health == Channel.Health.OK and channel.platform_status["feeds"] == {ATOM: "OK"}

    # The same feed again (a 200 without validators honoured): nothing is stored twice.
    again = ingested(poll(channel))
    assert again.created == 0 and len(stored(channel)) == 4


@responses.activate
def test_a_304_stores_nothing_and_keeps_the_cursor():
    serve(ATOM, atom(), headers={"ETag": '"a"'})
    channel = feed_channel()
    poll(channel)
    cursor = channel.cursor
    responses.reset()
    serve(ATOM, status=304)

    result = ingested(poll(channel))

    assert (result.received, result.created) == (0, 0)
    assert channel.cursor == cursor and responses.calls[0].request.headers["If-None-Match"] == '"a"'


@responses.activate
def test_an_unreadable_entry_is_quarantined_and_the_rest_stored():
    # An entry with neither id, link nor title cannot be told from another: it is kept as a dead letter.
    body = atom().replace("<id>tag:github.com,2008:Repository/90259571/v2.0.2</id>", "")
    body = body.replace(
        '<link rel="alternate" type="text/html" href="https://github.com/hajimehoshi/oto/releases/tag/v2.0.2"/>', ""
    )
    body = body.replace("<title>v2.0.2: darwin: Bug fix: Make Suspend and Resume concurrent-safe</title>", "")
    serve(ATOM, body)
    channel = feed_channel()

    result = ingested(poll(channel))

    assert (result.created, result.quarantined) == (3, 1)
    assert Ticket.objects.filter(channel=channel).count() == 3
    assert json.loads(DeadLetter.objects.get(channel=channel).payload)["feed"] == ATOM


@responses.activate
def test_a_feed_gone_marks_the_channel_failing_with_the_reason_and_admin_shows_each_feed(admin_client):
    serve(ATOM, "Gone", status=410, content_type="text/plain")
    channel = feed_channel()

    outcome = poll(channel)

    assert outcome.status == "failing" and channel.health == Channel.Health.FAILING
    assert "HTTP 410 Gone: the site removed the feed" in channel.last_error
    assert channel.cursor["feeds"][ATOM]["gone"]  # stored before the poll failed

    # A second feed added: the channel reads it, and its page says what became of each.
    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")
    channel.config = {"feeds": [ATOM, BLOG]}
    channel.cursor = {**channel.cursor, "feeds": {**channel.cursor["feeds"], BLOG: {"since": 0}}}
    channel.mark_config_changed()
    channel.save()
    assert ingested(poll(channel)).created == 3 and channel.health == Channel.Health.OK

    page = admin_client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert "HTTP 410 Gone: the site removed the feed; no longer read (remove it from the channel&#x27;s feeds)" in page
    assert f"{BLOG}&quot;: &quot;OK" in page


@responses.activate
def test_a_malformed_feed_backs_the_channel_off_with_the_reason():
    serve(ATOM, load("wordpress_dieworkwear.rss")[:700] + "<<", content_type="application/rss+xml")
    channel = feed_channel()

    outcome = poll(channel)

    assert outcome.status == "transient_error" and channel.health == Channel.Health.BACKING_OFF
    assert channel.last_error.startswith(f"feed {ATOM}: malformed feed, no entry could be read")
    assert channel.cursor["feeds"][ATOM]["failures"] == 1
