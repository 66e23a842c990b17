"""Polling a Stack Exchange channel end to end: channel_poll -> adapter -> ingest, with HTTP mocked at the edge."""

import json
import time
from datetime import timedelta

import pytest
import requests
import responses
from django.utils import timezone

from channels.adapters.stackexchange.tests import test_stackexchange_adapter as shapes
from channels.models import Channel, DeadLetter
from channels.tests.harness import (
    figures,
    ingested,
    poll,
    polled_into_retry_after,
    polled_our_reply,
    polled_twice_then_redelivered,
    stored,
)
from intake.services.quarantine import dead_letter_retry
from mentions.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

OUR_ID = 4242


@responses.activate
def test_every_page_is_stored_and_the_cursor_moves_to_the_newest_question():
    now = int(time.time())
    channel = shapes.stackexchange_channel(config={"site": "stackoverflow", "tags": ["gitlab"], "pagesize": 2})
    shapes.add_questions([shapes.question(1, now - 300), shapes.question(2, now - 200)], page=1, has_more=True)
    shapes.add_questions([shapes.question(3, now - 100)], page=2)
    shapes.add_answers([])
    shapes.add_comments([])

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert ingested(outcome).as_dict() == figures(received=3, created=3, tickets_created=3)
    assert shapes.calls_to(shapes.QUESTIONS_URL)[1].request.url.count("page=2") == 1
    assert stored(channel) == ["q1", "q2", "q3"]
    assert channel.cursor["tags"]["gitlab"]["since"] == now - 100
    assert channel.health == Channel.Health.OK
    # What the API said about our allowance is kept on the channel for admin.
    assert channel.platform_status["quota_remaining"] == 9876
    assert channel.platform_status["quota_max"] == 10000
    assert channel.platform_status["backoff_until"] == {}


@responses.activate
def test_polling_twice_and_redelivering_stores_nothing_twice():
    now = int(time.time())
    channel = shapes.stackexchange_channel()
    shapes.add_questions([shapes.question(1, now - 300)])
    shapes.add_answers([shapes.answer(2, 1, now - 200)])
    shapes.add_comments([shapes.comment(3, 2, now - 100)])

    first, second, third = polled_twice_then_redelivered(channel)
    # The overlap re-reads everything; the cursor's ids drop it before ingest.
    assert (first.created, second.received) == (3, 0)
    # Redelivery: forget the cursor, so the same items reach the ingest service again.
    assert (third.received, third.created, third.duplicates) == (3, 0, 3)
    assert stored(channel) == ["a2", "c3", "q1"]
    assert Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_our_answer_is_our_reply_on_the_question_ticket_and_sets_first_reply():
    now = int(time.time())
    channel = shapes.stackexchange_channel(our_accounts=[str(OUR_ID)])
    shapes.add_questions([shapes.question(1, now - 3600)])
    shapes.add_answers([shapes.answer(2, 1, now - 600, owner=shapes.owner(OUR_ID, "GitLab Team"))])
    shapes.add_comments([])

    ticket, reply = polled_our_reply(channel, "a2")
    assert reply.parent_external_id == reply.thread_external_id == "q1"
    assert ticket.first_reply_at == reply.platform_created_at
    assert ticket.first_reply_seconds == 3000
    assert ticket.requester_handle == "2327697"


@responses.activate
def test_new_answers_and_comments_on_a_watched_question_join_its_ticket():
    now = int(time.time())
    channel = shapes.stackexchange_channel(our_accounts=[str(OUR_ID)])
    shapes.add_questions([shapes.question(1, now - 3600)])
    shapes.add_answers([])
    shapes.add_comments([])
    poll(channel)
    ticket = Ticket.objects.get(channel=channel)
    assert channel.cursor["watch"]["questions"] == [[1, now - 3600]]

    # Later: someone answers, we answer, and a comment arrives on the first answer.
    responses.reset()
    shapes.add_questions([shapes.question(1, now - 3600)])
    shapes.add_answers(
        [shapes.answer(2, 1, now - 300), shapes.answer(3, 1, now - 200, owner=shapes.owner(OUR_ID, "GitLab Team"))]
    )
    shapes.add_comments([shapes.comment(4, 2, now - 100, body="Thanks, that worked 🎉")])

    outcome = poll(channel)

    assert ingested(outcome).as_dict() == figures(received=3, created=3, threaded=2, our_replies=1)
    assert Ticket.objects.filter(channel=channel).count() == 1
    by_id = {m.external_id: m for m in ticket.messages.all()}
    assert set(by_id) == {"q1", "a2", "a3", "c4"}
    assert by_id["c4"].parent_external_id == "a2" and by_id["c4"].thread_external_id == "q1"
    assert by_id["c4"].body == "Thanks, that worked 🎉"
    assert by_id["a3"].kind == Message.Kind.OUR_REPLY
    ticket.refresh_from_db()
    assert ticket.first_reply_at == by_id["a3"].platform_created_at
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.MESSAGE).count() == 2


def _fails_then_recovers(failure):
    """Questions and answers answer normally; comments fail once with `failure`, then answer."""
    now = int(time.time())
    shapes.add_questions([shapes.question(1, now - 300)])
    shapes.add_answers([shapes.answer(2, 1, now - 200)])
    responses.get(shapes.COMMENTS_URL, **failure)
    shapes.add_comments([shapes.comment(3, 1, now - 100)])
    return now


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        # A 500: a 502, 503 or 504 the session asks again (channels/tests/test_http_layer.py).
        ({"status": 500, "body": "Internal Server Error"}, "HTTP 500"),
        ({"body": requests.exceptions.ConnectTimeout("connect timed out")}, "timed out"),
        ({"body": "{'items': [oops"}, "not JSON"),
        ({"body": b"\x1f\x8b broken", "headers": {"Content-Encoding": "gzip"}}, "could not be decoded"),
    ],
)
@responses.activate
def test_a_failed_call_keeps_the_pages_read_before_it_and_the_next_poll_stores_the_rest(failure, error):
    # Each page is stored with the cursor just after it (issue 11): a failure costs only what was not read yet.
    cursor_before = {"version": 1, "tags": {}, "watch": {"questions": [], "answers": []}}
    channel = shapes.stackexchange_channel(cursor=cursor_before)
    now = _fails_then_recovers(failure)

    failed = poll(channel)

    assert failed.status == "transient_error"
    assert error in channel.last_error
    assert channel.health == Channel.Health.BACKING_OFF and channel.consecutive_failures == 1
    assert stored(channel) == ["a2", "q1"]
    assert channel.cursor["tags"]["gitlab"]["since"] == now - 300
    assert channel.cursor["answers"]["since"] == now - 200
    assert channel.cursor["comments"] is None  # the failed stream had not started

    recovered = poll(channel)

    assert recovered.status == "ok"
    assert recovered.result is not None
    assert recovered.result.created == 1
    assert stored(channel) == ["a2", "c3", "q1"]
    assert channel.health == Channel.Health.OK
    assert channel.cursor["comments"] == {"since": now - 100, "seen": {"c3": now - 100}}
    assert len(shapes.calls_to(shapes.COMMENTS_URL)) == 2


@responses.activate
def test_a_throttle_violation_waits_as_long_as_the_api_says_and_keeps_what_was_read():
    # A throttle after a successful call ends the poll's calls: the pages read are kept, the rest waits.
    now = int(time.time())
    channel = shapes.stackexchange_channel(poll_interval_seconds=60)
    channel.credentials = {"key": "sekrit-key"}
    channel.save()
    shapes.add_questions([shapes.question(1, now - 300)])
    responses.get(
        shapes.ANSWERS_URL,
        status=400,
        json={
            "error_id": 502,
            "error_name": "throttle_violation",
            "error_message": "too many requests from this IP, more requests available in 900 seconds",
        },
    )

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert stored(channel) == ["q1"]
    assert channel.cursor["answers"] == {"since": now - 300, "seen": {}}  # not read: starts at the question
    assert shapes.calls_to(shapes.COMMENTS_URL) == []  # no call after the throttle
    assert (channel.next_poll_at - timezone.now()).total_seconds() > 850
    assert "sekrit" not in str(channel.platform_status) and "sekrit" not in str(channel.cursor)


@responses.activate
def test_an_http_429_waits_for_retry_after():
    channel = shapes.stackexchange_channel(poll_interval_seconds=60)
    polled_into_retry_after(channel, shapes.QUESTIONS_URL)


@responses.activate
def test_a_backoff_skips_the_method_delays_the_next_poll_and_loses_nothing():
    now = int(time.time())
    channel = shapes.stackexchange_channel(poll_interval_seconds=60)
    channel.credentials = {"key": "app-key"}  # without a key 300 requests a day would not allow 60 s
    channel.save()
    shapes.add_questions([shapes.question(1, now - 300)], backoff=600)
    shapes.add_answers([shapes.answer(2, 1, now - 200)])
    shapes.add_comments([])

    first = poll(channel)

    assert first.status == "ok" and channel.health == Channel.Health.OK
    assert stored(channel) == ["a2", "q1"]
    wait = (channel.next_poll_at - timezone.now()).total_seconds()
    assert 590 < wait <= 600  # not the 60 s interval: the API asked for 600 s
    assert list(channel.platform_status["backoff_until"]) == ["/questions"]
    tag_cursor = channel.cursor["tags"]

    # Polled again at once (an admin's "poll now"): /questions is not called, the rest is.
    shapes.add_comments([shapes.comment(3, 2, now - 100)])
    second = poll(channel)

    assert second.status == "ok"
    assert len(shapes.calls_to(shapes.QUESTIONS_URL)) == 1
    assert len(shapes.calls_to(shapes.ANSWERS_URL)) == 2 and len(shapes.calls_to(shapes.COMMENTS_URL)) == 2
    assert len(responses.calls) == 5
    assert channel.cursor["tags"] == tag_cursor
    assert stored(channel) == ["a2", "c3", "q1"]


@responses.activate
def test_a_refused_key_marks_the_channel_failing_without_showing_the_key():
    channel = shapes.stackexchange_channel()
    channel.credentials = {"key": "sekrit-key"}
    channel.save()
    responses.get(
        shapes.QUESTIONS_URL,
        status=400,
        json={"error_id": 400, "error_name": "bad_parameter", "error_message": "key"},
    )

    assert poll(channel).status == "failing"
    assert channel.health == Channel.Health.FAILING
    assert "app key was refused" in channel.last_error and "sekrit" not in channel.last_error
    assert "key=sekrit-key" in shapes.calls_to(shapes.QUESTIONS_URL)[0].request.url  # it was sent, as `key=`


@responses.activate
def test_a_gzip_response_is_stored_like_any_other():
    now = int(time.time())
    channel = shapes.stackexchange_channel()
    responses.get(
        shapes.QUESTIONS_URL,
        **shapes.gzipped(shapes.wrapper([shapes.question(1, now - 60, title="Caf&#233; &amp; CI")])),
    )
    shapes.add_answers([])
    shapes.add_comments([])
    assert poll(channel).status == "ok"
    assert Ticket.objects.get(channel=channel).subject == "Café & CI"


@responses.activate
def test_a_later_poll_after_the_backfill_reads_from_the_cursor_with_overlap():
    now = int(time.time())
    channel = shapes.stackexchange_channel(
        cursor={
            "version": 1,
            "tags": {"gitlab": {"since": now - 1000, "seen": {}}},
            "watch": {"questions": [], "answers": []},
            "answers": None,
            "comments": None,
        }
    )
    shapes.add_questions([])
    assert poll(channel).status == "ok"
    assert f"fromdate={now - 1300}" in shapes.calls_to(shapes.QUESTIONS_URL)[0].request.url
    # Nothing watched: no answers or comments calls at all.
    assert len(responses.calls) == 1
    assert channel.next_poll_at > timezone.now() + timedelta(seconds=200)


@responses.activate
def test_a_poison_item_is_quarantined_the_rest_of_its_page_stored_and_a_retry_reads_it_again():
    now = int(time.time())
    channel = shapes.stackexchange_channel()
    poison = shapes.question(2, now - 200, creation_date=float("nan"))  # NaN: not a time
    responses.get(
        shapes.QUESTIONS_URL,
        body=json.dumps(shapes.wrapper([shapes.question(1, now - 300), poison, shapes.question(3, now - 100)])),
        content_type="application/json",
    )
    shapes.add_answers([])
    shapes.add_comments([])

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert outcome.result is not None
    assert (outcome.result.received, outcome.result.created, outcome.result.quarantined) == (3, 2, 1)
    assert stored(channel) == ["q1", "q3"]
    assert channel.cursor["tags"]["gitlab"]["since"] == now - 100  # the cursor moved past the poison item
    dead = DeadLetter.objects.get(channel=channel)
    assert (dead.stage, dead.external_id) == ("parse", "2") and "bad creation_date" in dead.error

    # The item is read again by the adapter's parse_item (its stored payload keeps NaN as null): still no usable
    # time, so it stays open.
    stored_ok, message = dead_letter_retry(dead)
    assert stored_ok is False and "Item q2 has no creation_date" in message
