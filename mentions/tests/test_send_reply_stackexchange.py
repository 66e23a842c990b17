"""Replying on Stack Exchange from the desk (a comment, or an answer), against the API faked with `responses`.

Shapes: comments/add and answers/add answer with the common wrapper (`items`, `has_more`, `quota_max`,
`quota_remaining`) around the new comment or answer, the same item shapes as the recorded
channels/adapters/stackexchange/tests/fixtures listings (api.stackexchange.com/docs/create-comment,
/docs/create-answer); errors are the wrapper's `error_id`/`error_name`/`error_message`
(api.stackexchange.com/docs/error-handling).
"""

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import responses
from django.core.exceptions import ValidationError
from django.utils import timezone

from channels.adapters.stackexchange.client import API_ROOT
from channels.adapters.stackexchange.tests.test_stackexchange_adapter import (
    add_answers,
    add_comments,
    add_questions,
    answer,
    comment,
    question,
    stackexchange_channel,
    wrapper,
)
from channels.models import Account, Channel
from intake.services.polling import channel_poll
from mentions.models import Message, ReplySend, Ticket
from mentions.services.replies import SendFailed, reply_plan, ticket_send_reply
from mentions.tests.factories import AdvocateFactory
from mentions.tests.sending import refused_for_reconnecting, send_refused

pytestmark = pytest.mark.django_db

COMMENT_ADD = f"{API_ROOT}/posts/7001/comments/add"
ANSWER_ADD = f"{API_ROOT}/questions/7001/answers/add"
OURS = {"user_id": 4242, "display_name": "GitLab Team", "account_id": 99, "user_type": "registered"}


def _form(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def _ticket(*, expires=None):
    now = int(time.time())
    channel = stackexchange_channel(our_accounts=["4242"])
    channel.credentials = {"key": "app-key", "oauth_client_id": "1234", "oauth_client_secret": "shh"}
    channel.save()
    add_questions([question(7001, now - 3600, title="Runner cannot pull from the registry")])
    add_answers([])
    add_comments([])
    assert channel_poll(channel_id=channel.pk).status == "ok"
    account = Account(channel=channel, username="GitLab Team", status=Account.Status.CONNECTED)
    account.tokens = {"access_token": "se-token"}
    account.token_expires_at = expires
    account.save()
    responses.calls.reset()
    return Ticket.objects.get(channel=channel), account


@responses.activate
def test_a_comment_on_the_question_is_sent_and_the_next_poll_sees_a_duplicate():
    ticket, _account = _ticket()
    now = int(time.time())
    posted = comment(90001, 7001, now, body="Which runner version is this?", owner=OURS)
    responses.post(COMMENT_ADD, json=wrapper([posted], quota_remaining=9870))

    plan = reply_plan(ticket)
    assert plan is not None
    assert plan.chosen == "GitLab Team" and plan.styles == [("comment", "Comment"), ("answer", "Answer")]
    reply = ticket_send_reply(
        ticket=ticket, user=AdvocateFactory(), body="Which runner version is this?", style="comment", key="s1"
    )

    (call,) = [c for c in responses.calls if c.request.url == COMMENT_ADD]
    assert _form(call) == {
        "body": "Which runner version is this?",
        "access_token": "se-token",
        "site": "stackoverflow",
        "preview": "false",
        "key": "app-key",
    }
    assert reply.external_id == "c90001" and reply.permalink == "https://stackoverflow.com/posts/comments/90001"
    ticket.refresh_from_db()
    assert ticket.first_reply_at == datetime.fromtimestamp(now, UTC)

    Channel.objects.filter(pk=ticket.channel_id).update(next_poll_at=None)
    add_questions([])
    add_answers([])
    add_comments([posted])
    outcome = channel_poll(channel_id=ticket.channel_id)
    assert outcome.status == "ok"
    assert outcome.result is not None
    assert (outcome.result.duplicates, outcome.result.created) == (1, 0)
    assert Message.objects.filter(channel=ticket.channel, kind=Message.Kind.OUR_REPLY).count() == 1


@responses.activate
def test_an_answer_goes_to_the_question():
    ticket, _account = _ticket()
    now = int(time.time())
    text = "Log in to the registry in before_script with CI_REGISTRY_PASSWORD; see the docs."
    responses.post(ANSWER_ADD, json=wrapper([answer(80001, 7001, now, body=f"<p>{text}</p>", owner=OURS)]))

    reply = ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body=text, style="answer", key="s2")

    (call,) = [c for c in responses.calls if c.request.url == ANSWER_ADD]
    assert _form(call)["body"] == text and _form(call)["access_token"] == "se-token"
    assert reply.external_id == "a80001"


@responses.activate
def test_a_token_stack_exchange_refuses_cannot_be_refreshed_the_account_needs_reconnecting():
    ticket, account = _ticket()
    refused = {"error_id": 402, "error_name": "invalid_access_token", "error_message": "access_token is invalid"}
    responses.post(COMMENT_ADD, status=400, json=refused)

    refused_for_reconnecting(ticket, "Which runner version is this?", "s3", account)
    assert len([c for c in responses.calls if c.request.url == COMMENT_ADD]) == 1  # nothing to refresh with


@responses.activate
def test_an_expired_token_is_not_sent_and_says_to_reconnect():
    ticket, account = _ticket(expires=timezone.now() - timedelta(minutes=1))

    with pytest.raises(SendFailed, match="needs reconnecting"):
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Which runner version is this?", key="s4")

    assert not responses.calls
    account.refresh_from_db()
    assert account.status == Account.Status.NEEDS_RECONNECT


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (
            400,
            {"error_id": 407, "error_name": "write_failed", "error_message": "You need 50 reputation to comment"},
            "Stack Exchange refused the reply: You need 50 reputation to comment.",
        ),
        (
            400,
            {
                "error_id": 502,
                "error_name": "throttle_violation",
                "error_message": "too many requests from this IP, more requests available in 60 seconds",
            },
            "too many requests: too many requests from this IP, more requests available in 60 seconds",
        ),
        (
            404,
            {"error_id": 404, "error_name": "no_method", "error_message": "post not found"},
            "post not found",
        ),
    ],
)
@responses.activate
def test_a_refusal_is_said_in_words_and_the_draft_is_kept(status, body, said):
    ticket, _account = _ticket()
    responses.post(COMMENT_ADD, status=status, json=body)

    assert said in send_refused(ticket, "Which runner version is this?", "s5")
    assert ReplySend.objects.get().status == ReplySend.Status.REFUSED


@responses.activate
def test_a_comment_outside_stack_exchanges_length_is_refused_before_asking():
    ticket, _account = _ticket()
    with pytest.raises((SendFailed, ValidationError), match="15 to 600 characters"):
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Too short", key="s6")
    assert not responses.calls
