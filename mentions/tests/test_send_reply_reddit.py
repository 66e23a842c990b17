"""Replying on Reddit from the desk, against Reddit's endpoints faked with `responses`.

Shapes: the comment in `json.data.things[0]` is the recorded listing comment of
channels/adapters/reddit/tests/fixtures (subreddit_new_comments.json) in the `{"json": {"errors": [],
"data": {"things": [...]}}}` envelope that `api_type=json` answers with (reddit.com/dev/api#POST_api_comment;
PRAW's objector reads the same keys); the RATELIMIT error triple is the one Reddit documents for posting too often
(docs/platforms/reddit.md: `RATELIMIT`, "you are doing that too much. try again in 5 minutes").
"""

import base64
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import responses
from django.core.exceptions import ValidationError
from django.utils import timezone

from channels.accounts.tokens import accounts_from_handles
from channels.adapters.reddit import AUTH_URL
from channels.adapters.reddit.reply import COMMENT_URL
from channels.adapters.reddit.tests.test_reddit_adapter import (
    RATELIMIT,
    comment,
    mock_token,
    page,
    post,
    reddit_channel,
)
from channels.models import Account
from intake.services.polling import channel_poll
from mentions.models import Message, ReplySend, Ticket, TicketEvent
from mentions.services.replies import SendFailed, ticket_send_reply
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db


def _form(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def _ticket(*, expires_in=3600):
    """A Reddit post ticketed by the real poll, and our connected account u/gitlab_team."""
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], our_accounts=["gitlab_team"])
    mock_token()
    page("/r/gitlab/new", [post("p1", now - 3600, author="bob", title="Runner stuck on pending")])
    page("/r/gitlab/comments", [])
    assert channel_poll(channel_id=channel.pk).status == "ok"
    (account,) = accounts_from_handles(channel=channel)  # as admin does on save: one per our_accounts name
    assert account.username == "gitlab_team"
    account.tokens = {"access_token": "acc-1", "refresh_token": "ref-1"}
    account.token_expires_at = timezone.now() + timedelta(seconds=expires_in)
    account.status = Account.Status.CONNECTED
    account.save()
    responses.calls.reset()
    return Ticket.objects.get(channel=channel), account


def _answer(now, *, cid="k7x2q", body="Try `docker system prune` on the runner host."):
    thing = comment(cid, now, body=body, author="gitlab_team", post="p1")
    return {"json": {"errors": [], "data": {"things": [thing]}}}


def _send(ticket, user, text="Try `docker system prune` on the runner host.", key="k1"):
    return ticket_send_reply(ticket=ticket, user=user, body=text, key=key)


@responses.activate
def test_a_reply_is_posted_as_a_comment_on_the_post_and_the_next_poll_sees_a_duplicate():
    ticket, _account = _ticket()
    advocate = AdvocateFactory()
    now = int(time.time())
    responses.post(COMMENT_URL, json=_answer(now), headers=RATELIMIT)

    reply = _send(ticket, advocate)

    (call,) = [c for c in responses.calls if c.request.url == COMMENT_URL]
    assert _form(call) == {
        "api_type": "json",
        "thing_id": "t3_p1",
        "text": "Try `docker system prune` on the runner host.",
    }
    assert call.request.headers["Authorization"] == "bearer acc-1"
    assert (
        "reddit-channel:" in call.request.headers["User-Agent"]
        and "/u/gitlab_team" in call.request.headers["User-Agent"]
    )
    ticket.refresh_from_db()
    assert reply.kind == Message.Kind.OUR_REPLY and reply.external_id == "t1_k7x2q"
    assert reply.permalink == "https://www.reddit.com/r/gitlab/comments/p1/post_p1/k7x2q/"
    assert ticket.first_reply_at == datetime.fromtimestamp(now, UTC)
    assert ticket.status == Ticket.Status.SOLVED and ticket.reply_draft == ""

    # The next poll lists our comment: the same message, not a second reply nor a ticket.
    mock_token()
    page("/r/gitlab/new", [post("p1", now - 3600, author="bob", title="Runner stuck on pending")])
    page("/r/gitlab/comments", [comment("k7x2q", now, author="gitlab_team", post="p1")], headers=RATELIMIT)
    outcome = channel_poll(channel_id=ticket.channel_id)
    assert outcome.result is not None
    assert (outcome.result.received, outcome.result.duplicates, outcome.result.created) == (1, 1, 0)
    assert Message.objects.filter(channel=ticket.channel, kind=Message.Kind.OUR_REPLY).count() == 1
    assert Ticket.objects.filter(channel=ticket.channel).count() == 1


@responses.activate
def test_an_expired_token_is_refreshed_before_the_send_and_a_401_refreshes_once_more():
    ticket, account = _ticket(expires_in=30)  # inside the refresh margin
    advocate = AdvocateFactory()
    responses.post(AUTH_URL, json={"access_token": "acc-2", "token_type": "bearer", "expires_in": 3600})
    responses.post(COMMENT_URL, status=401, json={"message": "Unauthorized", "error": 401})
    responses.post(AUTH_URL, json={"access_token": "acc-3", "token_type": "bearer", "expires_in": 3600})
    responses.post(COMMENT_URL, json=_answer(int(time.time())))

    _send(ticket, advocate)

    refreshes = [c for c in responses.calls if c.request.url == AUTH_URL]
    assert [_form(c) for c in refreshes] == [{"grant_type": "refresh_token", "refresh_token": "ref-1"}] * 2
    app = refreshes[0].request.headers["Authorization"]
    client_id = ticket.channel.credentials["client_id"]
    assert app == "Basic " + base64.b64encode(f"{client_id}:s".encode()).decode()
    sends = [c.request.headers["Authorization"] for c in responses.calls if c.request.url == COMMENT_URL]
    assert sends == ["bearer acc-2", "bearer acc-3"]
    account.refresh_from_db()
    assert account.tokens["access_token"] == "acc-3" and account.tokens["refresh_token"] == "ref-1"
    assert account.token_expires_at > timezone.now() + timedelta(minutes=50)


@pytest.mark.parametrize(
    ("errors", "said"),
    [
        ([["THREAD_LOCKED", "Comments are locked.", "parent"]], "the thread is locked: nobody can comment"),
        ([["DELETED_COMMENT", "that comment has been deleted", "parent"]], "was deleted"),
        ([["TOO_OLD", "that's a piece of history now", "parent"]], "archived"),
        (
            [["RATELIMIT", "you are doing that too much. try again in 5 minutes.", "ratelimit"]],
            "posting limit for this account: you are doing that too much. try again in 5 minutes.",
        ),
    ],
)
@responses.activate
def test_a_refusal_is_said_in_words_and_the_draft_is_kept(errors, said):
    ticket, _account = _ticket()
    advocate = AdvocateFactory()
    responses.post(COMMENT_URL, json={"json": {"errors": errors}})

    with pytest.raises(SendFailed) as refused:
        _send(ticket, advocate, text="Draft that must survive")

    assert said in str(refused.value.message)
    ticket.refresh_from_db()
    assert ticket.reply_draft == "Draft that must survive"
    assert ticket.first_reply_at is None and ticket.status == Ticket.Status.NEW
    assert ReplySend.objects.get().status == ReplySend.Status.REFUSED
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLY_FAILED).count() == 1


@responses.activate
def test_a_429_says_when_to_try_again_and_posts_nothing():
    ticket, _account = _ticket()
    responses.post(COMMENT_URL, status=429, headers={"x-ratelimit-reset": "212", "x-ratelimit-remaining": "0"})

    with pytest.raises(SendFailed) as refused:
        _send(ticket, AdvocateFactory(), text="Kept")

    assert "Reddit's rate limit is used up: try again in about 212 s (nothing was posted)." in str(
        refused.value.message
    )
    ticket.refresh_from_db()
    assert ticket.reply_draft == "Kept"


@responses.activate
def test_a_refused_refresh_marks_the_account_needs_reconnecting_and_keeps_the_draft():
    ticket, account = _ticket(expires_in=10)
    responses.post(AUTH_URL, status=400, json={"error": "invalid_grant"})

    with pytest.raises(SendFailed) as refused:
        _send(ticket, AdvocateFactory(), text="Kept too")

    assert "gitlab_team on" in str(refused.value.message) and "needs reconnecting" in str(refused.value.message)
    account.refresh_from_db()
    assert account.status == Account.Status.NEEDS_RECONNECT
    ticket.refresh_from_db()
    assert ticket.reply_draft == "Kept too"
    assert not [c for c in responses.calls if c.request.url == COMMENT_URL]
    with pytest.raises(ValidationError, match="needs reconnecting"):
        _send(ticket, AdvocateFactory(), key="k2")
