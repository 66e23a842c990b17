"""Replying to a tweet from the desk, against a fake X endpoint (responses)."""

import json
from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from channels.adapters.twitter import TWEETS_URL, TwitterAdapter
from channels.models import Account
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, seen
from mentions.tests.pages import refused_page, result_slot

pytestmark = pytest.mark.django_db

CONFIG = {
    "handles": [
        {"username": "GitLab", "user_id": "2244994945", "role": "main"},
        {"username": "GitLabStatus", "user_id": "1001", "role": "status"},
        {"username": "MovingToGitLab", "user_id": "1002", "role": "other"},
    ],
}
CREDENTIALS = {"bearer_token": "app", "oauth_client_id": "client-1", "oauth_client_secret": "client-secret"}


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


def _account(channel, username, token, *, expires_in=7200, mode=Account.ReplyMode.DESK, position=0):
    account = Account(channel=channel, username=username, reply_mode=mode, position=position)
    if token:
        account.tokens = {"access_token": token, "refresh_token": f"refresh-{token}"}
        account.token_expires_at = timezone.now() + timedelta(seconds=expires_in)
        account.status = Account.Status.CONNECTED
    account.save()
    return account


def _ticket_from(*tweets):
    """A ticket on an X channel whose @GitLab and @GitLabStatus post from the desk (connected) and
    whose @MovingToGitLab replies outside the desk (the handbook's Tweetdeck handle)."""
    channel = ChannelFactory(kind="twitter", name="X", slug="x", config=CONFIG, our_accounts=[])
    channel.credentials = CREDENTIALS
    channel.save()
    _account(channel, "GitLab", "tok-main")
    _account(channel, "GitLabStatus", "tok-status", position=1)
    _account(channel, "MovingToGitLab", "", mode=Account.ReplyMode.OUTSIDE, position=2)
    payload = {"data": list(tweets), "includes": {"users": [{"id": "u1", "username": "dana_dev", "name": "Dana"}]}}
    mentions_ingest(channel=channel, mentions=TwitterAdapter().parse_payload(payload))
    return Ticket.objects.get()


def _posted(status=201, body=None):
    responses.post(TWEETS_URL, status=status, json=body or {"data": {"id": "1860000000000000009", "text": "ok"}})


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
    assert sent.body is not None
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
    assert sent.body is not None
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

    html = refused_page(advocate_client, response, ticket, "send")
    assert "duplicate content" in result_slot(html, "send") and "Same as before</textarea>" in html
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


def _send(client, ticket, body="Hi!", key="t", **extra):
    return client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {"seen": seen(ticket), "body": body, "token": key, "status": "solved", **extra},
    )


def test_a_post_addressed_only_to_the_tweetdeck_handle_gets_a_link_and_mark_replied(advocate_client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@MovingToGitLab moved today!", mentions=["MovingToGitLab"]))
    html = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="send-panel"' not in html
    assert "@MovingToGitLab replies outside the desk (the post is addressed to it)" in html
    assert f'href="{ticket.messages.get().permalink}"' in html and "1860000000000000001" in html
    assert "Mark replied" in html


@responses.activate
def test_the_rule_chooses_only_among_handles_that_post_from_the_desk(advocate_client):
    ticket = _ticket_from(
        _tweet("1860000000000000001", "@MovingToGitLab @GitLab moved!", mentions=["MovingToGitLab", "GitLab"])
    )
    html = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="chosen-handle">@GitLab<' in html
    assert ">@MovingToGitLab<" not in html  # not offered in "Send as"
    _posted()
    response = _send(advocate_client, ticket, handle="MovingToGitLab")
    page = refused_page(advocate_client, response, ticket, "send")
    assert "MovingToGitLab cannot post replies from the desk here." in result_slot(page, "send")
    assert not responses.calls


@responses.activate
def test_an_expiring_token_is_refreshed_before_the_send(advocate_client):
    from channels.adapters.twitter.oauth import TOKEN_URL

    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    Account.objects.filter(username="GitLab").update(token_expires_at=timezone.now() + timedelta(minutes=2))
    responses.post(
        TOKEN_URL,
        json={"token_type": "bearer", "expires_in": 7200, "access_token": "tok-new", "refresh_token": "refresh-new"},
    )
    _posted()

    assert _send(advocate_client, ticket).status_code == 302

    assert [c.request.url for c in responses.calls] == [TOKEN_URL, TWEETS_URL]
    assert responses.calls[1].request.headers["Authorization"] == "Bearer tok-new"
    assert Account.objects.get(username="GitLab").tokens["refresh_token"] == "refresh-new"


@responses.activate
def test_a_401_mid_send_refreshes_the_token_and_posts_once(advocate_client):
    from channels.adapters.twitter.oauth import TOKEN_URL

    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    responses.post(TWEETS_URL, status=401, json={"title": "Unauthorized", "type": "about:blank", "status": 401})
    responses.post(
        TOKEN_URL,
        json={"token_type": "bearer", "expires_in": 7200, "access_token": "tok-new", "refresh_token": "refresh-new"},
    )
    _posted()

    assert _send(advocate_client, ticket).status_code == 302

    posts = [c for c in responses.calls if c.request.url == TWEETS_URL]
    assert [p.request.headers["Authorization"] for p in posts] == ["Bearer tok-main", "Bearer tok-new"]
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == 1


@responses.activate
def test_a_refused_refresh_keeps_the_draft_and_says_the_account_needs_reconnecting(advocate_client):
    from channels.adapters.twitter.oauth import TOKEN_URL

    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    responses.post(TWEETS_URL, status=401, json={"title": "Unauthorized", "type": "about:blank", "status": 401})
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_request", "error_description": "Token revoked"})

    response = _send(advocate_client, ticket, body="My careful answer")

    html = refused_page(advocate_client, response, ticket, "send")
    assert "GitLab on X needs reconnecting" in result_slot(html, "send") and "My careful answer</textarea>" in html
    account = Account.objects.get(username="GitLab")
    assert account.status == Account.Status.NEEDS_RECONNECT
    ticket.refresh_from_db()
    assert ticket.reply_draft == "My careful answer" and ticket.first_reply_at is None
    # The page now says so before anyone tries again, and offers no send.
    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert "@GitLab needs reconnecting" in page and 'data-testid="send-unavailable"' in page


@responses.activate
def test_a_rate_limit_says_when_to_try_again_and_keeps_the_draft(advocate_client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    reset = int((timezone.now() + timedelta(minutes=12)).timestamp())
    responses.post(
        TWEETS_URL,
        status=429,
        json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers={"x-rate-limit-limit": "200", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    response = _send(advocate_client, ticket, body="Soon")
    html = refused_page(advocate_client, response, ticket, "send")
    said = result_slot(html, "send")
    assert "rate limit for @GitLab is used up: try again after" in said and "nothing was posted" in said
    assert "Soon</textarea>" in html
    assert ticket.reply_sends.get().status == "refused"


@responses.activate
def test_no_answer_leaves_the_send_unknown_and_it_is_never_posted_again(advocate_client):
    import requests

    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    responses.post(TWEETS_URL, body=requests.ReadTimeout("read timed out"))

    first = refused_page(advocate_client, _send(advocate_client, ticket, key="k1"), ticket, "send")
    # the same press again (a retry)
    again = refused_page(advocate_client, _send(advocate_client, ticket, key="k1"), ticket, "send")

    assert "may have been posted" in result_slot(first, "send")
    assert "may have been posted" in result_slot(again, "send")  # answered from the first send, not posted again
    assert len(responses.calls) == 1
    send = ticket.reply_sends.get()
    assert send.status == "unknown"
    # The page gave the form a new key: a deliberate new press is a new send.
    assert 'name="token" value="k1"' not in first
    assert 'name="token" value="' in first


@responses.activate
def test_the_next_poll_sees_our_sent_reply_as_a_duplicate(advocate_client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    _posted()
    _send(advocate_client, ticket, body="Try the cache docs")
    ticket.refresh_from_db()
    first_reply_at = ticket.first_reply_at

    ours = _tweet("1860000000000000009", "Try the cache docs", author="2244994945", replied_to="1860000000000000001")
    payload = {"data": [ours], "includes": {"users": [{"id": "2244994945", "username": "GitLab", "name": "GitLab"}]}}
    result = mentions_ingest(channel=ticket.channel, mentions=TwitterAdapter().parse_payload(payload))

    assert (result.created, result.duplicates, result.our_replies) == (0, 1, 0)
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == 1
    ticket.refresh_from_db()
    assert ticket.first_reply_at == first_reply_at


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_two_presses_at_once_post_once():
    """Two requests with the same key on two real database connections: one post."""
    import threading

    from django.db import connection
    from django.test import Client

    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    advocate = AdvocateFactory()
    version = seen(ticket)
    gate = threading.Barrier(2)
    statuses = []

    def press():
        client = Client()
        client.force_login(advocate)
        gate.wait()
        try:
            response = client.post(
                reverse("mentions:ticket-send", args=[ticket.pk]),
                {"seen": version, "body": "Hi", "token": "same-key", "status": "solved"},
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    _posted()
    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len([c for c in responses.calls if c.request.url == TWEETS_URL]) == 1
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).count() == 1
    assert sorted(statuses) in ([302, 302], [302, 400])  # the second waits for the first, or is told it is sending


# X's weighted length (twitter-text, the reference rules X publishes): a link counts 23 whatever its length,
# CJK characters 2. The long link below is 88 characters; as X counts it, the reply is exactly 280.
LONG_LINK = "https://gitlab.com/gitlab-org/gitlab/-/issues/123456789012345678901234567890?tab=comments"


@responses.activate
def test_a_reply_is_measured_as_x_counts_it_a_long_link_fits_one_character_more_does_not(advocate_client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    _posted()

    too_long = _send(advocate_client, ticket, body="a" * 257 + " " + LONG_LINK, key="long")
    html = refused_page(advocate_client, too_long, ticket, "send")
    assert "The reply is 281 characters; 280 at most here (X counts each link as 23 characters)." in html
    assert not responses.calls

    fits = _send(advocate_client, ticket, body="a" * 256 + " " + LONG_LINK, key="fits")
    assert fits.status_code in (200, 302, 303) and len(responses.calls) == 1
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == 1


def test_cjk_characters_count_twice_on_x_and_the_composer_says_how_links_count(advocate_client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    refused = _send(advocate_client, ticket, body="日本語" * 47, key="cjk")  # 141 characters, 282 as X counts
    assert "The reply is 282 characters; 280 at most here" in refused_page(advocate_client, refused, ticket, "send")
    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert "At most 280 characters here; X counts each link as 23 characters." in page
