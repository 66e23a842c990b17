"""Replying on Disqus from the desk, against Disqus's endpoints faked with `responses`.

Shapes: posts/create answers `{"code": 0, "response": <post>}` with the post as forums/listPosts lists
it, its `thread` an id unless expanded (disqus.com/api/docs/posts/create/); the post here is the
recorded member post of channels/adapters/disqus/tests/fixtures. Errors are `{"code": N, "response": "..."}`
(the recorded disqus/error_code2_missing_argument.json).
"""

import time
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import responses
from django.utils import timezone

from channels.accounts.tokens import accounts_from_handles
from channels.adapters.disqus.oauth import TOKEN_URL
from channels.adapters.disqus.reply import CREATE_URL
from channels.adapters.disqus.tests.test_disqus_adapter import KEY, add_page, disqus_channel, guest, post, user
from channels.models import Account, Channel
from intake.services.polling import channel_poll
from mentions.models import Message, ReplySend, Ticket
from mentions.services.replies import ticket_send_reply
from mentions.tests.factories import AdvocateFactory
from mentions.tests.sending import refused_for_reconnecting, send_refused

pytestmark = pytest.mark.django_db


def _form(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def _ticket(*, expires_in=86400):
    now = int(time.time())
    channel = disqus_channel(our_accounts=["gitlab"])
    channel.credentials = {"api_key": KEY, "oauth_client_id": KEY, "oauth_client_secret": "app-secret"}
    channel.save()
    add_page([post(101, now - 3600, author=guest("Ann"), message="Is the registry down?")])
    assert channel_poll(channel_id=channel.pk).status == "ok"
    (account,) = accounts_from_handles(channel=channel)
    account.tokens = {"access_token": "dq-1", "refresh_token": "dq-ref"}
    account.token_expires_at = timezone.now() + timedelta(seconds=expires_in)
    account.status = Account.Status.CONNECTED
    account.save()
    responses.calls.reset()
    return Ticket.objects.get(channel=channel), account


def _created(pid, now):
    made = post(pid, now, parent="101", author=user("gitlab", "GitLab"), message="<p>Not for us: status.gitlab.com</p>")
    made["thread"] = "297457168"  # posts/create does not expand the thread
    return {"code": 0, "response": made}


@responses.activate
def test_a_reply_is_a_post_under_its_parent_and_the_next_poll_sees_a_duplicate():
    ticket, _account = _ticket()
    now = int(time.time())
    responses.post(CREATE_URL, json=_created(202, now))

    reply = ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Not for us: status.gitlab.com", key="d1")

    (call,) = [c for c in responses.calls if c.request.url == CREATE_URL]
    assert _form(call) == {
        "parent": "101",
        "message": "Not for us: status.gitlab.com",
        "api_key": KEY,
        "access_token": "dq-1",
    }
    assert reply.external_id == "202" and reply.kind == Message.Kind.OUR_REPLY
    assert reply.permalink == "http://www.yvanrodic.com/posts/4522/sydney#comment-202"
    ticket.refresh_from_db()
    assert ticket.first_reply_at.timestamp() == now and ticket.status == Ticket.Status.SOLVED

    Channel.objects.filter(pk=ticket.channel_id).update(next_poll_at=None)
    add_page([post(202, now, parent="101", author=user("gitlab", "GitLab"), message="Not for us: status.gitlab.com")])
    outcome = channel_poll(channel_id=ticket.channel_id)
    assert outcome.result is not None
    assert (outcome.result.duplicates, outcome.result.created) == (1, 0)
    assert Message.objects.filter(channel=ticket.channel, kind=Message.Kind.OUR_REPLY).count() == 1


@responses.activate
def test_an_expiring_token_is_refreshed_before_the_send():
    ticket, account = _ticket(expires_in=60)
    responses.post(
        TOKEN_URL,
        json={
            "access_token": "dq-2",
            "expires_in": 2592000,
            "refresh_token": "dq-ref-2",
            "token_type": "Bearer",
            "scope": "read,write",
            "username": "gitlab",
            "user_id": 42,
        },
    )
    responses.post(CREATE_URL, json=_created(203, int(time.time())))

    ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Answer", key="d2")

    (refresh,) = [c for c in responses.calls if c.request.url == TOKEN_URL]
    assert _form(refresh) == {
        "grant_type": "refresh_token",
        "client_id": KEY,
        "client_secret": "app-secret",
        "refresh_token": "dq-ref",
    }
    assert _form(next(c for c in responses.calls if c.request.url == CREATE_URL))["access_token"] == "dq-2"
    account.refresh_from_db()
    assert account.tokens["refresh_token"] == "dq-ref-2"


@responses.activate
def test_a_token_disqus_no_longer_accepts_is_refreshed_once_then_the_account_needs_reconnecting():
    ticket, account = _ticket()
    unauthenticated = {"code": 4, "response": "You must provide an authenticated user for this method"}
    responses.post(CREATE_URL, status=400, json=unauthenticated)
    responses.post(TOKEN_URL, json={"access_token": "dq-2", "expires_in": 2592000, "refresh_token": "r2"})
    responses.post(CREATE_URL, status=400, json=unauthenticated)

    refused_for_reconnecting(ticket, "Keep me", "d3", account)


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (400, {"code": 2, "response": "Invalid argument, 'parent': Unable to find post"}, "may have been deleted"),
        (403, {"code": 12, "response": "This application does not have enough privileges"}, "may not post here"),
        (429, {"code": 13, "response": "You have exceeded the rate limit for this resource."}, "try again in an hour"),
    ],
)
@responses.activate
def test_a_refusal_is_said_in_words_and_the_draft_is_kept(status, body, said):
    ticket, _account = _ticket()
    responses.post(CREATE_URL, status=status, json=body)

    assert said in send_refused(ticket, "Draft stays", "d4")
    assert ticket.first_reply_at is None
    assert ReplySend.objects.get().status == ReplySend.Status.REFUSED
