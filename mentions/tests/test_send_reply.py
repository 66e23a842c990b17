"""Replying to a tweet from the desk, against a fake X endpoint (responses)."""

import json

import pytest
import responses
from django.urls import reverse

from channels.adapters.twitter import TWEETS_URL, TwitterAdapter
from channels.tests.factories import ChannelFactory
from mentions.models import Message, Ticket, TicketEvent
from mentions.services import mentions_ingest
from mentions.tests.factories import AdvocateFactory, seen

pytestmark = pytest.mark.django_db

CONFIG = {
    "handles": [
        {"username": "GitLab", "user_id": "2244994945", "role": "main"},
        {"username": "GitLabStatus", "user_id": "1001", "role": "status"},
        {"username": "MovingToGitLab", "user_id": "1002", "role": "other"},
    ],
}
TOKENS = {
    "bearer_token": "app",
    "handles": {"GitLab": {"access_token": "tok-main"}, "GitLabStatus": {"access_token": "tok-status"}},
}


def _tweet(tweet_id, text, *, author="u1", conversation=None, replied_to=None, mentions=()):
    tweet = {
        "id": tweet_id,
        "text": text,
        "author_id": author,
        "created_at": "2026-11-20T10:00:00.000Z",
        "conversation_id": conversation or tweet_id,
        "edit_history_tweet_ids": [tweet_id],
        "entities": {"mentions": [{"start": 0, "end": len(m) + 1, "username": m} for m in mentions]},
    }
    if replied_to:
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    return tweet


def _ticket_from(*tweets):
    channel = ChannelFactory(kind="twitter", name="X", slug="x", config=CONFIG, our_accounts=[])
    channel.credentials = TOKENS
    channel.save()
    payload = {"data": list(tweets), "includes": {"users": [{"id": "u1", "username": "dana_dev", "name": "Dana"}]}}
    mentions_ingest(channel=channel, mentions=TwitterAdapter().parse_payload(payload))
    return Ticket.objects.get()


def _posted(status=201, body=None):
    responses.post(TWEETS_URL, status=status, json=body or {"data": {"id": "1860000000000000009", "text": "ok"}})


@pytest.fixture
def advocate_client(client):
    advocate = AdvocateFactory()
    client.force_login(advocate)
    client.user = advocate
    return client


@responses.activate
def test_a_multi_handle_tweet_is_answered_from_the_main_handle_under_the_latest_requester_tweet(advocate_client):
    ticket = _ticket_from(
        _tweet(
            "1860000000000000001",
            "@GitLab @GitLabStatus how do I cache node_modules?",
            mentions=["GitLab", "GitLabStatus"],
        ),
        _tweet(
            "1860000000000000002",
            "@GitLab also with pnpm?",
            conversation="1860000000000000001",
            replied_to="1860000000000000001",
            mentions=["GitLab"],
        ),
    )
    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="chosen-handle">@GitLab<' in page  # shown before sending
    _posted()

    response = advocate_client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {
            "seen": seen(ticket),
            "body": "Try cache:key with pnpm-lock.yaml",
            "handle": "",
            "token": "t1",
            "status": "solved",
        },
    )

    assert response.status_code == 302
    sent = responses.calls[0].request
    assert json.loads(sent.body) == {
        "text": "Try cache:key with pnpm-lock.yaml",
        "reply": {"in_reply_to_tweet_id": "1860000000000000002"},
    }
    assert sent.headers["Authorization"] == "Bearer tok-main"
    ticket.refresh_from_db()
    assert ticket.first_reply_at is not None and ticket.status == Ticket.Status.SOLVED
    reply = ticket.messages.get(kind=Message.Kind.OUR_REPLY)
    assert reply.external_id == "1860000000000000009"
    assert reply.permalink == "https://x.com/GitLab/status/1860000000000000009"
    event = ticket.events.get(kind=TicketEvent.Kind.REPLY_SENT)
    assert event.data["handle"] == "GitLab" and event.data["url"] == reply.permalink


@responses.activate
def test_an_availability_tweet_to_several_handles_is_answered_from_the_status_handle(advocate_client):
    ticket = _ticket_from(
        _tweet(
            "1860000000000000001",
            "@GitLab @GitLabStatus is gitlab.com down? getting 502 on every push",
            mentions=["GitLab", "GitLabStatus"],
        )
    )
    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="chosen-handle">@GitLabStatus<' in page
    _posted()
    advocate_client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {"seen": seen(ticket), "body": "We're on it", "token": "t", "status": "pending"},
    )
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "Bearer tok-status"
    assert json.loads(sent.body)["reply"] == {"in_reply_to_tweet_id": "1860000000000000001"}


@responses.activate
def test_the_advocate_can_override_the_handle(advocate_client):
    ticket = _ticket_from(
        _tweet("1860000000000000001", "@GitLab @GitLabStatus is it down?", mentions=["GitLab", "GitLabStatus"])
    )
    _posted()
    advocate_client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {"seen": seen(ticket), "body": "Hi", "handle": "GitLab", "token": "t", "status": "solved"},
    )
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tok-main"


@responses.activate
def test_a_refused_post_shows_the_platform_error_and_keeps_the_draft(advocate_client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    _posted(
        403,
        {
            "title": "Forbidden",
            "detail": "You are not allowed to create a Tweet with duplicate content.",
            "type": "about:blank",
            "status": 403,
        },
    )

    response = advocate_client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {"seen": seen(ticket), "body": "Same as before", "token": "t", "status": "solved"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "duplicate content" in html and "Same as before" in html
    ticket.refresh_from_db()
    assert ticket.reply_draft == "Same as before"
    assert ticket.first_reply_at is None and ticket.status != Ticket.Status.SOLVED
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY_FAILED).count() == 1
    assert "tok-main" not in html


@responses.activate
def test_a_double_submit_posts_once(advocate_client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    _posted()
    for _ in range(2):
        advocate_client.post(
            reverse("mentions:ticket-send", args=[ticket.pk]),
            {"seen": seen(ticket), "body": "Hi!", "token": "same", "status": "pending"},
        )
    assert len(responses.calls) == 1
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == 1


def test_channels_that_cannot_post_show_no_send_form(advocate_client):
    from mentions.tests.factories import MessageFactory, TicketFactory

    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    assert 'data-testid="send-panel"' not in advocate_client.get(ticket.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "hostile_mentions",
    [
        "GitLabStatus",
        ["GitLabStatus"],
        [{"username": 42}, {"username": None}, {"username": ["GitLabStatus"]}],
        [{"start": 0}, None, 7],
        {"username": "GitLabStatus"},
    ],
)
def test_ticket_page_survives_hostile_stored_entities(advocate_client, hostile_mentions):
    """The handle choice reads Message.mentioned, never the raw payload: a stored post whose
    entities.mentions is a string, or holds non-string usernames, no longer 500s its page."""
    ticket = _ticket_from(
        _tweet("1860000000000000001", "@GitLab @GitLabStatus is it down?", mentions=["GitLab", "GitLabStatus"])
    )
    stored = ticket.messages.get()
    stored.raw = {**stored.raw, "entities": {"mentions": hostile_mentions}}
    stored.save(update_fields=["raw"])

    response = advocate_client.get(ticket.get_absolute_url())

    assert response.status_code == 200
    assert stored.mentioned == ["GitLab", "GitLabStatus"]
    assert 'data-testid="chosen-handle">@GitLabStatus<' in response.content.decode()


def test_stored_x_posts_get_their_mentioned_handles_from_the_payload_once(django_db_blocker):
    """The migration fills Message.mentioned from what was stored before it, skipping junk."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("mentions.migrations.0013_message_mentioned")
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hi", mentions=["GitLab"]))
    stored = ticket.messages.get()
    stored.mentioned = []
    stored.raw = {"entities": {"mentions": [{"username": "GitLab"}, {"username": 5}, "x", {"username": "GitLab"}]}}
    stored.save(update_fields=["mentioned", "raw"])

    migration.mentioned_from_raw(apps, None)

    stored.refresh_from_db()
    assert stored.mentioned == ["GitLab"]
