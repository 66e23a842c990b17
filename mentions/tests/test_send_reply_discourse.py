"""Replying on a Discourse forum from the desk, against the forum faked with `responses`.

Shapes: POST /posts.json answers with the created post, the same object /posts.json lists (the
recorded channels/adapters/discourse/tests/fixtures/posts_latest_real.json entry the `post` helper starts from);
refusals are `{"errors": [...], "error_type": ...}` and a 429 adds `extras.wait_seconds`
(meta.discourse.org/t/78612, the discourse_api gem's error handling).
"""

import json
from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from channels.adapters.discourse.tests.test_discourse_adapter import (
    BASE,
    START,
    add_latest,
    discourse_channel,
    iso,
    post,
)
from channels.adapters.discourse.tests.test_discourse_poll import latest_cursor
from channels.models import Account, Channel
from intake.services.polling import channel_poll
from mentions.models import Message, ReplySend, Ticket
from mentions.services.replies import ticket_send_reply
from mentions.tests.factories import AdvocateFactory, UserFactory
from mentions.tests.sending import refused_for_reconnecting, send_refused

pytestmark = pytest.mark.django_db

POSTS_URL = BASE + "/posts.json"


def _ticket(*, tokens=None):
    channel = discourse_channel(our_accounts=["gitlab-team"], cursor=latest_cursor(99))
    add_latest([post(100, topic=7, number=3, username="someone")])
    assert channel_poll(channel_id=channel.pk).status == "ok"
    account = Account(channel=channel, username="gitlab-team", status=Account.Status.CONNECTED)
    account.tokens = tokens or {"access_token": "user-api-key-1"}
    account.save()
    responses.calls.reset()
    return Ticket.objects.get(channel=channel), account


def _created(pid=150, *, number=4):
    made = post(pid, topic=7, number=number, username="gitlab-team")
    made.update(topic_slug="topic-7", created_at=iso(START + timedelta(minutes=pid)), raw="Pin the runner version.")
    return made


@responses.activate
def test_a_reply_goes_into_the_topic_under_the_post_and_the_next_poll_sees_a_duplicate():
    ticket, _account = _ticket()
    responses.post(POSTS_URL, json=_created())

    reply = ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Pin the runner version.", key="f1")

    (call,) = [c for c in responses.calls if c.request.url == POSTS_URL]
    assert call.request.body is not None
    assert json.loads(call.request.body) == {"topic_id": 7, "raw": "Pin the runner version.", "reply_to_post_number": 3}
    assert call.request.headers["User-Api-Key"] == "user-api-key-1" and "Api-Key" not in call.request.headers
    assert reply.external_id == "150" and reply.permalink == f"{BASE}/t/topic-7/7/4"
    ticket.refresh_from_db()
    assert ticket.first_reply_at == START + timedelta(minutes=150)

    Channel.objects.filter(pk=ticket.channel_id).update(next_poll_at=None)
    add_latest([_created(), post(100, topic=7, number=3, username="someone")])
    outcome = channel_poll(channel_id=ticket.channel_id)
    assert outcome.status == "ok" and outcome.result is not None
    assert outcome.result.created == 0 and outcome.result.duplicates >= 1
    assert Message.objects.filter(channel=ticket.channel, kind=Message.Kind.OUR_REPLY).count() == 1


@responses.activate
def test_with_the_admin_api_key_the_reply_is_posted_as_the_account():
    ticket, _account = _ticket(tokens={"access_token": "admin-key", "api_username": "gitlab-team"})
    responses.post(POSTS_URL, json=_created())

    ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Pin the runner version.", key="f2")

    (call,) = [c for c in responses.calls if c.request.url == POSTS_URL]
    assert call.request.headers["Api-Key"] == "admin-key" and call.request.headers["Api-Username"] == "gitlab-team"


@responses.activate
def test_a_revoked_key_cannot_be_refreshed_the_account_needs_reconnecting_and_the_draft_stays():
    ticket, account = _ticket()
    invalid = {
        "errors": ["You are not permitted to view the requested resource. The API username or key is invalid."],
        "error_type": "invalid_access",
    }
    responses.post(POSTS_URL, status=403, json=invalid)

    refused_for_reconnecting(ticket, "Pin the runner version.", "f3", account)


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (
            422,
            {"errors": ["This topic is closed; it no longer accepts new replies."], "error_type": "invalid_parameters"},
            "Discourse refused the reply (422): This topic is closed; it no longer accepts new replies.",
        ),
        (
            429,
            {
                "errors": [
                    "You have performed this action too many times. Please wait 12 seconds before trying again."
                ],
                "error_type": "rate_limit",
                "extras": {"wait_seconds": 12},
            },
            "Discourse's rate limit for gitlab-team is used up: try again in 12 s (nothing was posted).",
        ),
        (
            403,
            {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"},
            "the account may not post in this topic or category",
        ),
    ],
)
@responses.activate
def test_a_refusal_is_said_in_words_and_the_draft_is_kept(status, body, said):
    ticket, account = _ticket()
    responses.post(POSTS_URL, status=status, json=body)

    assert said in send_refused(ticket, "Pin the runner version.", "f4")
    assert ticket.first_reply_at is None
    assert ReplySend.objects.get().status == ReplySend.Status.REFUSED
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED  # only a refused key needs reconnecting


@responses.activate
def test_an_admin_connects_an_account_with_the_forums_admin_key_after_the_forum_confirms_who_it_is(client):
    ticket, account = _ticket()
    account.status, account.tokens_encrypted = Account.Status.NOT_CONNECTED, ""
    account.save()
    channel = ticket.channel
    channel.credentials = {"api_key": "the-admin-key", "api_username": "system"}
    channel.save()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    responses.get(BASE + "/session/current.json", json={"current_user": {"id": 9, "username": "gitlab-team"}})

    url = reverse("channels:account-channel-key", args=[account.pk])
    assert "Api-Username: gitlab-team" in client.get(url).content.decode()
    response = client.post(url, follow=True)

    page = response.content.decode()
    assert "is connected with the forum&#x27;s admin API key." in page  # (admin capitalises the message)
    (asked,) = responses.calls
    assert (
        asked.request.headers["Api-Key"] == "the-admin-key" and asked.request.headers["Api-Username"] == "gitlab-team"
    )
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED
    assert account.tokens == {"api_username": "gitlab-team", "access_token": "the-admin-key"}
    assert "the-admin-key" not in response.content.decode()
    assert timezone.now() - account.connected_at < timedelta(minutes=1)
