"""Polling a Disqus channel end to end: channel_poll -> DisqusAdapter -> ingest, with HTTP mocked at the edge."""

import json
import time

import pytest
import requests
import responses
from django.core.management import CommandError
from django.utils import timezone

from channels.adapters.disqus.tests import test_disqus_adapter as shapes
from channels.models import Channel
from channels.tests.harness import (
    figures,
    ingest_payload,
    ingest_payload_twice,
    ingested,
    poll,
    polled_into_retry_after,
    polled_our_reply,
    stored,
)
from channels.tests.sent import request_url
from mentions.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@responses.activate
def test_every_page_is_stored_once_and_a_reply_joins_its_parents_ticket():
    now = int(time.time())
    channel = shapes.disqus_channel()
    shapes.add_page(
        [shapes.post(1, now - 300), shapes.post(2, now - 200, parent=1, author=shapes.guest("Ann"))], next_cursor="c2"
    )
    shapes.add_page(
        [shapes.post(3, now - 100)], cursor="c2", headers={"X-Ratelimit-Remaining": "990", "X-Ratelimit-Limit": "1000"}
    )

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert ingested(outcome).as_dict() == figures(received=3, created=3, tickets_created=2, threaded=1)
    assert [shapes.params_of(c).get("cursor") for c in responses.calls] == [None, "c2"]
    assert stored(channel, order="number") == ["1", "2", "3"]
    reply = Message.objects.get(channel=channel, external_id="2")
    assert reply.ticket == Message.objects.get(channel=channel, external_id="1").ticket
    assert reply.parent_external_id == "1" and reply.thread_external_id == ""
    assert reply.permalink == "http://www.yvanrodic.com/posts/4522/sydney#comment-2"
    assert reply.ticket is not None
    assert reply.ticket.subject == "Sydney"  # the article's title
    assert channel.cursor["since"] == now - 100
    assert channel.health == Channel.Health.OK
    assert channel.platform_status["ratelimit_remaining"] == 990

    again = poll(channel)  # the same listing: the overlap re-reads it, nothing is stored twice
    assert again.result is not None
    assert again.status == "ok" and again.result.received == 0
    assert stored(channel, order="number") == ["1", "2", "3"] and Ticket.objects.filter(channel=channel).count() == 2


@responses.activate
def test_redelivering_everything_stores_nothing_twice():
    now = int(time.time())
    channel = shapes.disqus_channel()
    shapes.add_page([shapes.post(1, now - 300), shapes.post(2, now - 200, parent=1)])
    assert ingested(poll(channel)).created == 2

    # Redelivery: forget the cursor, so the same posts reach the ingest service again.
    Channel.objects.filter(pk=channel.pk).update(cursor={})
    third = poll(channel)
    assert third.status == "ok"
    assert third.result is not None
    assert (third.result.received, third.result.created, third.result.duplicates) == (2, 0, 2)
    assert Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_a_reply_in_a_later_poll_joins_the_ticket_and_reopens_it():
    now = int(time.time())
    channel = shapes.disqus_channel()
    shapes.add_page([shapes.post(1, now - 3600, author=shapes.guest("Ann"))])
    poll(channel)
    ticket = Ticket.objects.get(channel=channel)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SOLVED, solved_at=timezone.now())

    responses.reset()
    shapes.add_page(
        [
            shapes.post(1, now - 3600, author=shapes.guest("Ann")),
            shapes.post(2, now - 60, parent=1, author=shapes.user("bob", "Bob")),
        ]
    )
    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.as_dict()["threaded"] == 1 and outcome.result.tickets_created == 0
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    # key=str: the column is nullable (messages written on the desk); these two were read from Disqus
    assert sorted(ticket.messages.values_list("external_id", flat=True), key=str) == ["1", "2"]


@responses.activate
def test_our_comment_is_our_reply_on_the_ticket_and_sets_first_reply():
    now = int(time.time())
    channel = shapes.disqus_channel(our_accounts=["gitlab"])
    shapes.add_page(
        [
            shapes.post(1, now - 3600, author=shapes.guest("Ann")),
            shapes.post(
                2, now - 600, parent=1, author=shapes.user("GitLab", "GitLab Team")
            ),  # usernames match case-insensitively
        ]
    )

    ticket, reply = polled_our_reply(channel, "2")
    assert ticket.first_reply_at == reply.platform_created_at
    assert ticket.first_reply_seconds == 3000
    assert (ticket.requester_handle, ticket.requester_name) == ("", "Ann")


@responses.activate
def test_our_reply_in_a_later_poll_sets_first_reply_on_the_existing_ticket():
    now = int(time.time())
    channel = shapes.disqus_channel(our_accounts=["gitlab"])
    shapes.add_page([shapes.post(1, now - 7200, author=shapes.guest("Ann"))])
    poll(channel)
    ticket = Ticket.objects.get(channel=channel)
    assert ticket.first_reply_at is None

    responses.reset()
    shapes.add_page([shapes.post(2, now - 3600, parent=1, author=shapes.user("gitlab", "GitLab"))])
    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.our_replies == 1 and outcome.result.tickets_created == 0
    ticket.refresh_from_db()
    assert ticket.first_reply_seconds == 3600
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.OUR_REPLY_SEEN).count() == 1


@responses.activate
def test_our_top_level_comment_is_never_a_ticket_and_a_guest_using_our_name_is_not_us():
    now = int(time.time())
    channel = shapes.disqus_channel(our_accounts=["gitlab"])
    shapes.add_page(
        [
            shapes.post(1, now - 600, author=shapes.user("gitlab", "GitLab")),  # e.g. an announcement under the post
            shapes.post(2, now - 300, author=shapes.guest("gitlab")),  # a guest can sign with any name
        ]
    )

    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.our_replies == 1 and outcome.result.tickets_created == 1
    ours = Message.objects.get(channel=channel, external_id="1")
    assert ours.kind == Message.Kind.OUR_REPLY and ours.ticket is None
    assert Message.objects.get(channel=channel, external_id="2").ticket is not None


@responses.activate
def test_spam_and_unapproved_comments_are_not_stored_and_no_personal_data_is():
    now = int(time.time())
    channel = shapes.disqus_channel()
    item = shapes.post(3, now - 100)
    item["author"]["email"] = "jane@example.com"
    item["ipAddress"] = "203.0.113.7"
    shapes.add_page([shapes.post(1, now - 300, isSpam=True), shapes.post(2, now - 200, isApproved=False), item])

    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.received == 1 and stored(channel, order="number") == ["3"]
    raw = Message.objects.get(channel=channel, external_id="3").raw
    assert {"email", "ipAddress"}.isdisjoint(shapes.keys_anywhere(raw))
    assert "203.0.113.7" not in json.dumps(raw) and "jane@example.com" not in json.dumps(raw)


@responses.activate
def test_a_comment_deleted_inside_the_overlap_is_marked_deleted():
    now = int(time.time())
    channel = shapes.disqus_channel()
    shapes.add_page([shapes.post(1, now - 300, message="GitLab is down?")])
    poll(channel)

    responses.reset()
    shapes.add_page([shapes.post(1, now - 300, message="", raw_message="", isDeleted=True)])
    poll(channel)

    message = Message.objects.get(channel=channel, external_id="1")
    assert message.deleted_at is not None and message.body == "GitLab is down?"
    assert TicketEvent.objects.filter(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_DELETED).count() == 1


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        ({"status": 429, "body": ""}, "HTTP 429"),
        ({"status": 500, "body": "<html>Internal Server Error</html>"}, "HTTP 500"),
        ({"body": requests.exceptions.ConnectTimeout(f"connect timed out api_key={shapes.KEY}")}, "timed out"),
        ({"body": '{"code": 0, "response": [', "content_type": "application/json"}, "not JSON"),
        ({"json": {"code": 13, "response": "You have exceeded the rate limit for this resource."}}, "error 13"),
    ],
    # No 503: the session asks a 502, 503 or 504 again (channels/tests/test_http_layer.py).
    ids=["429", "500", "timeout", "malformed-json", "code-13"],
)
@responses.activate
def test_a_failed_poll_stores_nothing_keeps_the_cursor_and_the_next_poll_stores_everything(failure, error):
    now = int(time.time())
    cursor_before = {"version": 1, "since": now - 1000, "seen": {}}
    channel = shapes.disqus_channel(cursor=cursor_before)
    responses.get(shapes.LIST_URL, **failure)
    shapes.add_page([shapes.post(1, now - 300), shapes.post(2, now - 200, parent=1)])

    failed = poll(channel)

    assert failed.status == "transient_error"
    assert error in channel.last_error and shapes.KEY not in channel.last_error
    assert channel.health == Channel.Health.BACKING_OFF and channel.consecutive_failures == 1
    assert channel.cursor == cursor_before
    assert Message.objects.filter(channel=channel).count() == 0

    recovered = poll(channel)

    assert recovered.status == "ok"
    assert stored(channel, order="number") == ["1", "2"]
    assert channel.health == Channel.Health.OK and channel.consecutive_failures == 0
    assert channel.cursor["since"] == now - 200
    assert shapes.params_of(responses.calls[1])["since"] == str(now - 1000 - 600)  # the same window, read again


@responses.activate
def test_a_failure_on_a_later_page_keeps_the_pages_stored_and_the_next_poll_goes_on_from_there():
    now = int(time.time())
    channel = shapes.disqus_channel()
    shapes.add_page([shapes.post(1, now - 300)], next_cursor="c2")
    responses.get(shapes.LIST_URL, status=503, body="<html>busy</html>")
    assert poll(channel).status == "transient_error"
    # Page 1 was stored with the cursor just after it: the walk goes on at page 2.
    assert stored(channel, order="number") == ["1"]
    assert channel.cursor["since"] == now - 300 and channel.cursor["walk"]["next"] == "c2"

    responses.reset()
    shapes.add_page([shapes.post(2, now - 200)], cursor="c2")
    assert poll(channel).status == "ok"
    assert stored(channel, order="number") == ["1", "2"]
    assert [shapes.params_of(c).get("cursor") for c in responses.calls] == ["c2"]
    assert "walk" not in channel.cursor and channel.cursor["since"] == now - 200


@responses.activate
def test_a_rate_limit_on_a_later_page_stores_what_was_read_and_waits():
    now = int(time.time())
    channel = shapes.disqus_channel(poll_interval_seconds=60)
    shapes.add_page([shapes.post(1, now - 300)], next_cursor="c2")
    responses.get(shapes.LIST_URL, json={"code": 13, "response": "You have exceeded the rate limit for this resource."})

    first = poll(channel)

    assert first.status == "ok" and channel.health == Channel.Health.OK
    assert stored(channel, order="number") == ["1"]
    assert channel.cursor["since"] == now - 300
    assert (channel.next_poll_at - timezone.now()).total_seconds() > 800  # not the 60 s interval

    responses.reset()
    shapes.add_page([shapes.post(2, now - 200)], cursor="c2")  # the walk resumes at the page it could not read
    second = poll(channel)
    assert second.result is not None
    assert (second.result.received, second.result.created) == (1, 1)
    assert stored(channel, order="number") == ["1", "2"]


@responses.activate
def test_an_http_429_waits_for_retry_after_and_no_call_goes_out_before():
    channel = shapes.disqus_channel(poll_interval_seconds=60)
    polled_into_retry_after(channel, shapes.LIST_URL)

    # An admin's "poll now" meanwhile: refused without calling Disqus.
    assert poll(channel).status == "transient_error"
    assert "no requests left for this API key" in channel.last_error
    assert len(responses.calls) == 1


@responses.activate
def test_a_refused_key_marks_the_channel_failing_without_showing_the_key():
    channel = shapes.disqus_channel()
    responses.get(shapes.LIST_URL, status=400, json={"code": 5, "response": "Invalid API key"})

    assert poll(channel).status == "failing"
    assert channel.health == Channel.Health.FAILING
    assert "public API key was refused" in channel.last_error and shapes.KEY not in channel.last_error
    assert f"api_key={shapes.KEY}" in request_url(responses.calls[0].request)  # it was sent, as `api_key=`


@responses.activate
def test_a_missing_argument_marks_the_channel_failing_with_disqus_message():
    channel = shapes.disqus_channel()
    responses.get(
        shapes.LIST_URL,
        status=400,
        json=json.loads((shapes.FIXTURES / "error_code2_missing_argument.json").read_text()),
    )
    assert poll(channel).status == "failing"
    assert "Missing required argument: 'user'" in channel.last_error


# --- saved payloads through `manage.py ingest_payload` -------------------------------------


@pytest.mark.parametrize("fixture", shapes.RECORDED_POSTS)
def test_every_recorded_post_payload_ingests_once(fixture):
    count, _, _, tickets, threaded = shapes.RECORDED_POSTS[fixture]
    channel = shapes.disqus_channel(name="Blog comments", slug="blog-comments", cursor={"version": 1, "since": 1})
    first, second = ingest_payload_twice(channel, shapes.FIXTURES / fixture)
    assert (first["received"], first["created"], first["tickets_created"], first["threaded"]) == (
        count,
        count,
        tickets,
        threaded,
    )
    assert (second["created"], second["duplicates"]) == (0, count)
    assert Message.objects.filter(channel=channel).count() == count
    for raw in Message.objects.filter(channel=channel).values_list("raw", flat=True):
        assert {"email", "ipAddress"}.isdisjoint(shapes.keys_anywhere(raw))
    channel.refresh_from_db()
    assert channel.cursor == {"version": 1, "since": 1}


def test_a_recorded_comment_by_our_account_is_our_reply_and_a_reply_to_it_opens_a_ticket():
    channel = shapes.disqus_channel(name="Blog comments", slug="blog-comments", our_accounts=["twitter-72943267"])
    result = ingest_payload("--channel", "blog-comments", str(shapes.FIXTURES / "threads_listPosts.json"))
    assert (result["our_replies"], result["tickets_created"]) == (1, 1)
    ours = Message.objects.get(channel=channel, external_id="199054391")
    assert ours.kind == Message.Kind.OUR_REPLY and ours.ticket is None
    answer = Message.objects.get(channel=channel, external_id="199088808")
    assert answer.ticket is not None
    assert answer.parent_external_id == "199054391" and answer.ticket.requester_name == "cat"


@pytest.mark.parametrize(
    "fixture", ["forums_listThreads.json", "threads_details.json", "error_code2_missing_argument.json"]
)
def test_non_post_payloads_are_refused_by_ingest_payload(fixture):
    channel = shapes.disqus_channel(name="Blog comments", slug="blog-comments")
    with pytest.raises(CommandError, match="not a valid Disqus comments payload"):
        ingest_payload("--channel", "blog-comments", str(shapes.FIXTURES / fixture))
    assert Message.objects.filter(channel=channel).count() == 0
