"""Mastodon end to end: channel_poll -> MastodonAdapter -> mentions_ingest, with only HTTP mocked.

Shapes: the recorded notifications, tag timeline and statuses (fixtures/SOURCES.md) with the fields a test is about
replaced (`shapes.py`), the recorded `Link` and `X-RateLimit-*` headers, the recorded 401 body, and the 429 that
Mastodon's ``rack_attack.rb`` answers."""

import pytest
import requests
import responses
from django.utils import timezone

from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from channels.tests.sent import request_params, request_url
from mentions.models import Message, Ticket

from .shapes import (
    ALICE,
    BASE,
    BOB,
    CONFIG,
    DOMAIN,
    ME,
    NOTIFICATIONS,
    SEARCH,
    TAG,
    TEAM,
    ago,
    answer,
    channel,
    load,
    mention,
    rate,
    search_result,
    status,
)

pytestmark = pytest.mark.django_db
MENTIONS = {"types[]": "mention"}


def calls(url: str) -> list[dict]:
    return [request_params(c.request) for c in responses.calls if request_url(c.request).split("?")[0] == url]


@responses.activate
def test_a_first_poll_reads_mentions_and_the_hashtag_and_threads_our_reply():
    made = channel()
    question = status(9001, at=ago(50), acct=ALICE, html="<p>@gitlab is the runner down?</p>")
    ours = status(9003, at=ago(40), acct=TEAM, reply_to=9001, html="<p>@alice looking into it #gitlab</p>")
    follow_up = status(9004, at=ago(30), acct=ALICE, reply_to=9003, html="<p>thanks!</p>")
    tagged = status(
        9002,
        at=ago(45),
        acct=BOB,
        html='<p>new <a class="mention hashtag" href="x">#<span>gitlab</span></a> release</p>',
    )
    old = status(8000, at=ago(60 * 48), acct=BOB)  # older than backfill_hours (24)
    answer(NOTIFICATIONS, [mention(12, follow_up), mention(11, question)], MENTIONS)
    answer(TAG, [ours, tagged, old])

    result = ingested(poll(made))

    assert stored(made, order="number") == ["9001", "9002", "9003", "9004"]
    assert result.tickets_created == 2  # Alice's question (with our reply and her thanks) and Bob's post
    thread = Message.objects.get(channel=made, external_id="9001").ticket
    assert thread is not None
    assert [(m.external_id, m.kind) for m in thread.messages.order_by("platform_created_at")] == [
        ("9001", Message.Kind.INBOUND),
        ("9003", Message.Kind.OUR_REPLY),
        ("9004", Message.Kind.INBOUND),
    ]
    assert made.cursor["streams"] == {"mentions": {"min_id": "12"}, "tag:gitlab": {"min_id": "9003"}}
    assert calls(NOTIFICATIONS) == [{"types[]": "mention", "limit": "80"}]
    assert calls(TAG) == [{"limit": "40"}]
    assert responses.calls[0].request.headers["Authorization"] == "Bearer desk-token-abc123"
    assert made.platform_status["rate_limit_remaining"] == 299 and made.health == Channel.Health.OK


@responses.activate
def test_the_next_poll_asks_after_each_marks_and_stores_nothing_twice():
    made = channel(config={**CONFIG, "keywords": ["runner down"]})
    question = status(9001, at=ago(50), acct=ALICE)
    answer(NOTIFICATIONS, [mention(11, question)], MENTIONS)
    answer(TAG, [question])  # the same post found by two streams
    answer(SEARCH, search_result([question]), {"q": "runner down", "type": "statuses"})
    assert ingested(poll(made)).created == 1

    responses.reset()
    answer(NOTIFICATIONS, [], {**MENTIONS, "min_id": "11"})
    answer(TAG, [], {"min_id": "9001"})
    answer(SEARCH, search_result([]), {"min_id": "9001", "q": "runner down", "type": "statuses"})
    again = ingested(poll(made))

    assert again.received == 0 and stored(made) == ["9001"]
    assert [c.get("min_id") for c in calls(NOTIFICATIONS) + calls(TAG) + calls(SEARCH)] == ["11", "9001", "9001"]


@responses.activate
def test_our_replies_written_in_an_app_are_read_from_our_accounts_posts():
    made = channel(config={**CONFIG, "own_replies": True})
    me = {**load("verify_credentials.json"), "id": "4242", "acct": TEAM}
    own = f"{BASE}/api/v1/accounts/4242/statuses"
    question = status(9001, at=ago(50), acct=ALICE, html="<p>@gitlab is the runner down?</p>")
    reply = status(9002, at=ago(20), acct=TEAM, reply_to=9001, html="<p>@alice yes, fixed now</p>")
    announcement = status(9003, at=ago(10), acct=TEAM, html="<p>Release day!</p>")  # not a reply: not ours to store
    responses.get(ME, json=me, headers=rate())
    answer(NOTIFICATIONS, [mention(11, question)], MENTIONS)
    answer(own, [announcement, reply], {"exclude_reblogs": "true"})
    answer(TAG, [])

    ingested(poll(made))

    assert stored(made) == ["9001", "9002"]
    ours = Message.objects.get(channel=made, external_id="9002")
    assert ours.kind == Message.Kind.OUR_REPLY and ours.ticket == Message.objects.get(external_id="9001").ticket
    assert ours.ticket is not None and ours.ticket.first_reply_at is not None
    assert made.cursor["streams"]["own:4242"] == {"min_id": "9003"}
    assert made.cursor["account"]["id"] == "4242"

    responses.reset()
    answer(NOTIFICATIONS, [], {**MENTIONS, "min_id": "11"})
    answer(own, [], {"min_id": "9003"})
    answer(TAG, [])
    ingested(poll(made))
    assert calls(ME) == [] and calls(own) == [{"exclude_reblogs": "true", "limit": "40", "min_id": "9003"}]


@responses.activate
def test_a_429_waits_for_the_instances_reset():
    made = channel(config={**CONFIG, "mentions": False})
    responses.get(TAG, status=429, json={"error": "Too many requests"}, headers=rate(0, reset_in=280))

    outcome = poll(made)

    assert outcome.status == "transient_error" and "Too many requests" in made.last_error
    assert made.next_poll_at is not None and 270 < (made.next_poll_at - timezone.now()).total_seconds() <= 290
    assert made.cursor == {}


@responses.activate
def test_a_low_remaining_count_stores_what_was_read_and_waits_for_the_reset():
    made = channel()
    answer(NOTIFICATIONS, [mention(11, status(9001, at=ago(5)))], MENTIONS, headers=rate(8, reset_in=200))

    outcome = poll(made)

    assert stored(made) == ["9001"] and outcome.status == "ok"
    assert calls(TAG) == []  # the hashtag waits for the next poll
    assert made.next_poll_at is not None and 190 < (made.next_poll_at - timezone.now()).total_seconds() <= 200


@responses.activate
def test_a_revoked_token_marks_the_channel_failing_in_words():
    made = channel()
    responses.get(NOTIFICATIONS, status=401, json=load("error_401_invalid_token.json"), headers=rate())

    outcome = poll(made)

    assert outcome.status == "failing" and made.health == Channel.Health.FAILING
    assert "The access token is invalid" in made.last_error and "desk-token-abc123" not in made.last_error


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503, "body": "<html><title>Mastodon is down for maintenance</title></html>"},
        {"body": requests.exceptions.ConnectTimeout("connect timed out")},
        {"status": 200, "body": '[{"id": "9002", ', "content_type": "application/json"},
    ],
    ids=["503", "timeout", "malformed-json"],
)
@responses.activate
def test_a_failed_poll_keeps_the_cursor_and_the_next_one_loses_nothing(failure):
    made = channel(config={**CONFIG, "mentions": False})
    answer(TAG, [status(9001, at=ago(30))])
    poll(made)
    cursor = made.cursor
    responses.reset()
    responses.get(TAG, **failure)

    assert poll(made).status == "transient_error"
    assert made.cursor == cursor and made.health == Channel.Health.BACKING_OFF

    responses.reset()
    answer(TAG, [status(9003, at=ago(1)), status(9002, at=ago(2))], {"min_id": "9001"})
    Channel.objects.filter(pk=made.pk).update(next_poll_at=None)
    assert ingested(poll(made)).created == 2
    assert stored(made) == ["9001", "9002", "9003"] and made.health == Channel.Health.OK


@responses.activate
def test_a_deleted_parent_still_leaves_its_reply_a_ticket_of_its_own():
    made = channel(config={**CONFIG, "mentions": False})
    answer(TAG, [status(9005, at=ago(5), reply_to=8999, acct=BOB)])  # the post it answers was never seen
    poll(made)
    message = Message.objects.get(channel=made, external_id="9005")
    assert message.parent_external_id == "8999" and Ticket.objects.filter(channel=made).count() == 1
    assert message.permalink == f"https://{DOMAIN}/@{BOB}/9005" and message.author_url == f"{BASE}/@{BOB}"
