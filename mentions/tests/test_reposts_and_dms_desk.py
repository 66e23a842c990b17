"""Reposts (mentions.services.platform_actions.message_repost) and direct messages from the ticket page,
with their history lines and the KPI's activity columns, against the platforms faked with `responses`.

Shapes: X's "Causes the user (in the path) to repost the specified Post" (docs.x.com, `POST /2/users/:id/retweets`
with `{"tweet_id"}` answering `{"data": {"retweeted": true}}`) and its DM answer (test_direct_messages.py says
which page); Mastodon's reblog answers the recorded boost (channels/adapters/mastodon/tests/fixtures/SOURCES.md:
status_reblogged.json); Bluesky's createRecord answer `{uri, cid, commit, validationStatus}` as its HTTP reference
gives it (docs.bsky.app/docs/api/com-atproto-repo-create-record, as test_bluesky_reply.py uses).
"""

import json
import time

import pytest
import responses
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from channels.adapters.bluesky.tests.bsky import CREATE_RECORD, DID, HANDLE, post
from channels.adapters.bluesky.tests.test_bluesky_reply import created, desk
from channels.adapters.mastodon.tests.shapes import STATUSES, ago, connected, load, status
from channels.adapters.mastodon.tests.shapes import channel as mastodon_channel
from channels.adapters.twitter.client import API_ROOT
from mentions.models import Message, TicketEvent
from mentions.services.platform_actions import message_repost
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, seen
from mentions.tests.pages import folds_opened, refused_page, result_slot
from mentions.tests.test_direct_messages import X_DM, _x
from metrics.activity import activity_daily

pytestmark = pytest.mark.django_db

RETWEETS = f"{API_ROOT}/users/2244994945/retweets"


def _today():
    return activity_daily(start=timezone.now().date(), end=timezone.now().date())[0]


@responses.activate
def test_a_mention_is_reposted_once_on_x_mastodon_and_bluesky_and_counted():
    x = _x()
    responses.post(RETWEETS, json={"data": {"retweeted": True}})
    made = mastodon_channel()
    connected(made)
    toot = TicketFactory(channel=made)
    boosted = MessageFactory(ticket=toot, channel=made, external_id="9001", raw=status("9001", at=ago(10)))
    reblog = responses.post(f"{STATUSES}/9001/reblog", json=load("status_reblogged.json"))
    sky, _account = desk(post("3q", time.time() - 600, text=f"@{HANDLE} the new runner is great"))
    responses.post(CREATE_RECORD, json=created("app.bsky.feed.repost", "3mmk6repost"))
    advocate = AdvocateFactory()

    for ticket, mention in ((x.ticket, x.mention), (toot, boosted), (sky, sky.messages.get())):
        assert message_repost(ticket=ticket, message_id=mention.pk, user=advocate) is True
        assert message_repost(ticket=ticket, message_id=mention.pk, user=advocate) is False  # not asked again
        assert Message.objects.get(pk=mention.pk).reposted_at is not None

    (retweet,) = [c for c in responses.calls if c.request.url == RETWEETS]
    assert json.loads(retweet.request.body or b"") == {"tweet_id": x.mention.external_id}
    assert reblog.call_count == 1
    (record,) = [c for c in responses.calls if c.request.url == CREATE_RECORD]
    body = json.loads(record.request.body or b"")
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.repost"
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.REPOSTED).count() == 3
    assert _today()["reposted"] == 3


def test_a_platform_without_reposts_says_so():
    ticket = TicketFactory(channel__kind="hackernews")
    mention = MessageFactory(ticket=ticket, channel=ticket.channel, external_id="4101")
    with pytest.raises(ValidationError, match="The desk cannot repost a post on Hacker News"):
        message_repost(ticket=ticket, message_id=mention.pk, user=AdvocateFactory())


@responses.activate
def test_the_ticket_page_offers_repost_and_dm_under_the_mention_and_shows_the_dm_moved(client):
    case = _x()
    advocate = AdvocateFactory()
    client.force_login(advocate)
    responses.post(RETWEETS, json={"data": {"retweeted": True}})

    page = folds_opened(client, client.get(case.ticket.get_absolute_url()).content.decode())
    assert 'data-testid="repost"' in page and 'data-testid="direct-message"' in page
    assert "Only dana_dev receives it, privately on X, from GitLab" in page
    assert 'maxlength="10000"' in page

    url = reverse("mentions:ticket-direct-message", args=[case.ticket.pk])
    form = {"message": case.mention.pk, "text": "Which e-mail is the account's?", "key": "p1"}
    responses.post(X_DM, status=403, json={"title": "Forbidden", "detail": "You cannot send messages to this user."})
    refused = client.post(url, {**form, "seen": seen(case.ticket)})
    again = refused_page(client, refused, case.ticket, "dm")
    said = result_slot(again, "dm")
    assert "Which e-mail is the account&#x27;s?</textarea>" in again  # the text stays in its form, to send again
    assert "X refused the direct message (403): You cannot send messages to this user." in said  # beside the form
    responses.replace(
        responses.POST, X_DM, status=201, json={"data": {"dm_conversation_id": "1-2", "dm_event_id": "7"}}
    )
    assert client.post(url, {**form, "seen": seen(case.ticket)}).status_code == 302
    assert client.post(url, {**form, "seen": seen(case.ticket)}).status_code == 302  # pressed twice: sent once
    reposted = client.post(
        reverse("mentions:ticket-repost", args=[case.ticket.pk]),
        {"message": case.mention.pk, "seen": seen(case.ticket)},
    )
    assert reposted.status_code == 302

    assert len([c for c in responses.calls if c.request.url == X_DM]) == 2  # the refusal, then the one sent
    page = client.get(case.ticket.get_absolute_url() + "?history=1").content.decode()
    assert 'data-testid="moved-to-dm"' in page and "Our direct message by" in page
    assert "moved the conversation to a direct message: sent to dana_dev as GitLab" in page
    assert "reposted a mention on the platform as GitLab" in page
    assert 'data-testid="reposted"' in page
    today = _today()
    assert (today["messaged"], today["reposted"]) == (1, 1)
