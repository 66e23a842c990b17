"""Polling a Discourse channel end to end: channel_poll -> adapter -> ingest, with HTTP mocked at the edge."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses
from django.core.management import CommandError
from django.utils import timezone
from responses import matchers

from channels.adapters.discourse.tests.test_discourse_adapter import (
    BASE,
    CONFIG,
    FIXTURES,
    LATEST_URL,
    LOGIN_PAGE,
    SEARCH_CONFIG,
    START,
    add_latest,
    add_search,
    discourse_channel,
    iso,
    post,
    search_post,
)
from channels.models import Channel
from channels.tests.harness import (
    figures,
    ingest_payload,
    ingest_payload_twice,
    ingested,
    poll,
    polled_twice_then_redelivered,
    stored,
)
from mentions.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def latest_cursor(high, **latest):
    return {"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": high, **latest}, "topics": {}}


def seconds_until(moment):
    return (moment - timezone.now()).total_seconds()


@responses.activate
def test_pages_are_walked_with_before_and_the_cursor_moves_to_the_highest_post():
    channel = discourse_channel(cursor=latest_cursor(100))
    add_latest([post(104, topic=4), post(103, topic=3), post(102, topic=2)])
    add_latest([post(101, topic=1), post(100, topic=1)], before=102)

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert ingested(outcome).as_dict() == figures(received=4, created=4, tickets_created=4)
    assert [c.request.url for c in responses.calls] == [LATEST_URL, LATEST_URL + "?before=102"]
    assert stored(channel, order="number") == ["101", "102", "103", "104"]
    assert channel.cursor["latest"]["high"] == 104 and channel.cursor["latest"]["gap"] is None
    assert channel.health == Channel.Health.OK
    assert channel.platform_status["backlog"] is False and channel.platform_status["rate_limited_until"] is None
    ticket = Ticket.objects.get(channel=channel, messages__external_id="104")
    assert ticket.subject == "Topic 4"
    assert ticket.requester_handle == "someone"
    message = ticket.messages.get()
    assert message.body == "Runner fails with exit code 104"
    assert message.permalink == f"{BASE}/t/topic-4/4/1"
    assert message.thread_external_id == "topic:4"
    assert message.platform_created_at == START + timedelta(minutes=104)


@responses.activate
def test_polling_twice_and_redelivering_stores_nothing_twice():
    channel = discourse_channel()
    add_latest([post(12, number=3), post(11, number=2), post(10, number=1)])
    add_latest([], before=10)  # the first poll walks back for its backfill until the forum has no more

    first, second, third = polled_twice_then_redelivered(channel)
    # The newest page is always re-read; what was handed over is dropped before the ingest.
    assert (first.created, second.received) == (3, 0)
    # Redelivery: forget the cursor, so the same posts reach the ingest service again.
    assert (third.received, third.created, third.duplicates) == (3, 0, 3)
    assert stored(channel, order="number") == ["10", "11", "12"]
    assert Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_posts_of_one_topic_join_one_ticket_across_polls():
    channel = discourse_channel(cursor=latest_cursor(9))
    add_latest([post(10, topic=7, number=1), post(9, topic=3)])
    poll(channel)
    ticket = Ticket.objects.get(channel=channel)

    # Later: a reply to the first post, a reply to that reply, and a new topic.
    responses.reset()
    add_latest(
        [
            post(13, topic=8, number=1),
            post(12, topic=7, number=3, reply_to_post_number=2),
            post(11, topic=7, number=2, reply_to_post_number=1),
            post(10, topic=7, number=1),
        ]
    )
    outcome = poll(channel)

    assert ingested(outcome).as_dict() == figures(received=3, created=3, tickets_created=1, threaded=2)
    by_id = {m.external_id: m for m in ticket.messages.all()}
    assert set(by_id) == {"10", "11", "12"}
    assert (by_id["11"].parent_external_id, by_id["12"].parent_external_id) == ("10", "11")
    assert {m.thread_external_id for m in by_id.values()} == {"topic:7"}
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.MESSAGE).count() == 2
    assert Ticket.objects.filter(channel=channel).count() == 2
    assert channel.cursor["topics"]["7"] == [[1, 10], [2, 11], [3, 12]]


@responses.activate
def test_a_post_by_our_account_is_our_reply_and_sets_the_first_reply_time():
    channel = discourse_channel(cursor=latest_cursor(9), our_accounts=["gitlab-team"])
    add_latest([post(10, topic=7, number=1), post(9, topic=3)])
    poll(channel)

    responses.reset()
    replied_at = START + timedelta(minutes=40)
    add_latest(
        [
            post(11, topic=7, number=2, username="GitLab-Team", created_at=iso(replied_at), reply_to_post_number=1),
            post(10, topic=7, number=1),
        ]
    )
    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.our_replies == 1 and outcome.result.tickets_created == 0
    ticket = Ticket.objects.get(channel=channel, messages__external_id="10")
    reply = ticket.messages.get(external_id="11")
    assert reply.kind == Message.Kind.OUR_REPLY
    assert ticket.first_reply_at == replied_at
    assert ticket.first_reply_seconds == 30 * 60
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.OUR_REPLY_SEEN).count() == 1


@responses.activate
def test_an_edit_seen_later_updates_the_stored_text_and_keeps_the_old_one():
    channel = discourse_channel(cursor=latest_cursor(9))
    add_latest([post(10), post(9)])
    poll(channel)
    message = Message.objects.get(channel=channel, external_id="10")
    assert message.body == "Runner fails with exit code 10" and message.edited_at is None

    responses.reset()
    edited_at = START + timedelta(hours=2)
    add_latest(
        [post(10, version=2, updated_at=iso(edited_at), cooked="<p>Runner fails with exit code 137 (OOM) 🙈</p>")]
    )
    outcome = poll(channel)

    assert outcome.result is not None
    assert (outcome.result.received, outcome.result.created, outcome.result.duplicates) == (1, 0, 1)
    message.refresh_from_db()
    assert message.body == "Runner fails with exit code 137 (OOM) 🙈"
    assert message.edited_at == edited_at
    event = TicketEvent.objects.get(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_EDITED)
    assert event.data == {"external_id": "10", "previous_text": "Runner fails with exit code 10"}
    assert channel.cursor["latest"]["recent"]["10"] == f"2|{iso(edited_at)}|0"

    # The same edit seen again changes nothing.
    assert ingested(poll(channel)).received == 0
    assert TicketEvent.objects.filter(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_EDITED).count() == 1


@responses.activate
def test_a_deletion_seen_later_marks_the_message_and_keeps_its_text():
    channel = discourse_channel(cursor=latest_cursor(9))
    add_latest([post(10), post(9)])
    poll(channel)

    responses.reset()
    add_latest([post(10, deleted_at=iso(START + timedelta(hours=1)))])
    poll(channel)

    message = Message.objects.get(channel=channel, external_id="10")
    assert message.deleted_at is not None
    assert message.body == "Runner fails with exit code 10"
    assert TicketEvent.objects.filter(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_DELETED).count() == 1


@pytest.mark.parametrize(
    ("failure", "error"),
    # A 500 (a 502, 503 or 504 the session asks again: channels/tests/test_http_layer.py).
    [
        ({"status": 500, "body": "Internal Server Error"}, "HTTP 500"),
        ({"status": 500, "json": {"errors": ["upstream"]}}, "HTTP 500"),
        ({"body": requests.exceptions.ConnectTimeout("connect timed out")}, "timed out after"),
        ({"body": "{'latest_posts': [oops"}, "not JSON"),
        ({"body": LOGIN_PAGE, "content_type": "text/html"}, "HTML page ('Log In - GitLab Forum')"),
        ({"json": {"latest": []}}, 'no "latest_posts" list'),
    ],
)
@responses.activate
def test_a_failed_poll_stores_nothing_keeps_the_cursor_and_the_next_poll_stores_everything(failure, error):
    cursor_before = latest_cursor(100, gap=None, recent={})
    channel = discourse_channel(cursor=cursor_before)
    add_latest([post(103), post(102)])
    # The second page fails once, then answers.
    before = [matchers.query_param_matcher({"before": "102"})]
    responses.get(LATEST_URL, match=before, **failure)
    add_latest([post(101), post(100)], before=102)

    failed = poll(channel)

    assert failed.status == "transient_error"
    assert error in channel.last_error
    assert channel.health == Channel.Health.BACKING_OFF and channel.consecutive_failures == 1
    assert channel.cursor == cursor_before
    assert Message.objects.filter(channel=channel).count() == 0

    recovered = poll(channel)

    assert recovered.status == "ok"
    assert stored(channel, order="number") == ["101", "102", "103"]
    assert channel.health == Channel.Health.OK and channel.consecutive_failures == 0
    assert channel.cursor["latest"]["high"] == 103
    assert len(responses.calls) == 4


@responses.activate
def test_a_429_on_the_first_call_waits_as_long_as_discourse_says_and_keeps_the_cursor():
    channel = discourse_channel(poll_interval_seconds=60, cursor=latest_cursor(100))
    responses.get(
        LATEST_URL,
        status=429,
        json={"errors": ["You have performed this action too many times."], "extras": {"wait_seconds": 700}},
        headers={"Retry-After": "700"},
    )

    outcome = poll(channel)

    assert outcome.status == "transient_error"
    assert seconds_until(channel.next_poll_at) > 650
    assert "HTTP 429" in channel.last_error
    assert channel.cursor == latest_cursor(100)
    assert Message.objects.filter(channel=channel).count() == 0


@responses.activate
def test_a_429_part_way_keeps_the_cursor_and_the_next_poll_drains_the_gap_oldest_first():
    channel = discourse_channel(poll_interval_seconds=60, cursor=latest_cursor(100))
    add_latest([post(103), post(102)])
    responses.get(
        LATEST_URL,
        status=429,
        json={"errors": ["Slow down"], "error_type": "rate_limit", "extras": {"wait_seconds": 600}},
        match=[matchers.query_param_matcher({"before": "102"})],
    )
    add_latest([post(101), post(100)], before=102)

    first = poll(channel)

    assert first.status == "ok" and channel.health == Channel.Health.OK
    assert stored(channel, order="number") == []  # 101 is handed over before the newest page
    assert 590 < seconds_until(channel.next_poll_at) <= 600  # not the 60 s interval: Discourse asked for 600 s
    assert channel.cursor["latest"]["gap"] == {"top": 102, "low": 100, "step": 1}
    assert channel.platform_status["rate_limited_until"] is not None and channel.platform_status["backlog"] is True

    second = poll(channel)

    assert second.status == "ok"
    assert stored(channel, order="number") == ["101", "102", "103"]
    assert channel.cursor["latest"]["gap"] is None and channel.cursor["latest"]["high"] == 103
    assert channel.platform_status["rate_limited_until"] is None and channel.platform_status["backlog"] is False


@responses.activate
def test_a_refused_key_marks_the_channel_failing_without_showing_the_key():
    channel = discourse_channel()
    channel.credentials = {"api_key": "sekrit-key", "api_username": "system"}
    channel.save()
    responses.get(LATEST_URL, status=403, json={"errors": ["You are not permitted to view the requested resource."]})

    assert poll(channel).status == "failing"
    assert channel.health == Channel.Health.FAILING
    assert "refused the API key" in channel.last_error and "sekrit" not in channel.last_error
    assert responses.calls[0].request.headers["Api-Key"] == "sekrit-key"


@responses.activate
def test_a_wrong_base_url_marks_the_channel_failing():
    channel = discourse_channel()
    responses.get(LATEST_URL, status=404, body="<html>Not Found</html>")
    assert poll(channel).status == "failing"
    assert "no Discourse forum answers at https://forum.example.com" in channel.last_error


@responses.activate
def test_search_polls_store_each_post_once():
    channel = discourse_channel(config=SEARCH_CONFIG)
    add_search([search_post(30, number=2), search_post(29, number=1)])

    first = poll(channel)

    assert ingested(first).as_dict() == figures(received=2, created=2, tickets_created=1, threaded=1)
    ticket = Ticket.objects.get(channel=channel)
    assert ticket.subject == "Topic 7"

    responses.reset()
    after = (START.date() - timedelta(days=1)).isoformat()
    add_search([search_post(31, number=3), search_post(30, number=2)], q=f"gitlab order:latest after:{after}")
    second = poll(channel)

    assert second.result is not None
    assert (second.result.received, second.result.created, second.result.threaded) == (1, 1, 1)
    assert stored(channel, order="number") == ["29", "30", "31"]
    assert ticket.messages.count() == 3


# --- saved payloads through `manage.py ingest_payload` -------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "count", "tickets", "threaded"),
    [
        # Topics 2148, 2144 (three replies: 30 answers 29 on the page, 31 joins by topic) and 2132.
        ("posts_latest_real.json", 5, 3, 2),
        ("topic_2144_posts_page1_real.json", 8, 1, 7),
        ("topic_2108_view_at_post_452_real.json", 3, 1, 2),
        ("posts_before_devinstance.json", 3, 3, 0),
        ("post_single_devinstance.json", 1, 1, 0),
        ("search_devinstance.json", 1, 1, 0),
    ],
)
def test_every_recorded_payload_ingests_once(fixture, count, tickets, threaded):
    cursor = latest_cursor(42)
    channel = discourse_channel(
        name="Forum demo",
        slug="forum-demo",
        config={"base_url": "https://discuss.criticalfallibilism.com", "staff_are_ours": False},
        cursor=cursor,
    )
    first, second = ingest_payload_twice(channel, FIXTURES / fixture)
    assert first == figures(received=count, created=count, tickets_created=tickets, threaded=threaded)
    assert (second["created"], second["duplicates"], second["tickets_created"]) == (0, count, 0)
    assert Message.objects.filter(channel=channel).count() == count
    channel.refresh_from_db()
    assert channel.cursor == cursor


def test_a_recorded_topic_with_our_staff_in_our_accounts():
    channel = discourse_channel(name="Forum demo", slug="forum-demo", our_accounts=["elliot"])

    result = ingest_payload("--channel", "forum-demo", str(FIXTURES / "topic_2144_posts_page1_real.json"))

    # Elliot opened the topic (our post: no ticket); the first reply opens the ticket, Elliot answers twice.
    assert result == figures(received=8, created=8, tickets_created=1, threaded=4, our_replies=3)
    ticket = Ticket.objects.get(channel=channel)
    assert ticket.requester_handle == "Eternity" and ticket.requester_name == "Nihal Noorunnabi"
    assert ticket.first_reply_at == datetime(2026, 1, 11, 5, 49, 30, 731000, tzinfo=UTC)
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == 2
    opening = Message.objects.get(channel=channel, external_id="20089")
    assert opening.kind == Message.Kind.OUR_REPLY and opening.ticket is None


def test_non_post_payloads_are_refused_by_ingest_payload(tmp_path):
    channel = discourse_channel(name="Forum demo", slug="forum-demo")
    basic_info = tmp_path / "basic-info.json"
    basic_info.write_text(json.dumps({"title": "GitLab Forum", "description": "Get help"}))
    with pytest.raises(CommandError, match="not a valid Discourse forum payload: expected a Discourse response"):
        ingest_payload("--channel", "forum-demo", str(basic_info))
    errors = tmp_path / "error.json"
    errors.write_text(json.dumps({"errors": ["not found"], "error_type": "not_found"}))
    with pytest.raises(CommandError, match="Discourse error response"):
        ingest_payload("--channel", "forum-demo", str(errors))
    assert Message.objects.filter(channel=channel).count() == 0


def test_the_config_of_a_discourse_channel_is_validated_on_save():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="must start with https://"):
        discourse_channel(config={**CONFIG, "base_url": "http://forum.gitlab.com"})


@responses.activate
@pytest.mark.parametrize(("staff_are_ours", "kind"), [(True, Message.Kind.OUR_REPLY), (False, Message.Kind.INBOUND)])
def test_a_staff_post_is_our_reply_when_staff_are_ours(staff_are_ours, kind):
    channel = discourse_channel(config={**CONFIG, "staff_are_ours": staff_are_ours}, cursor=latest_cursor(9))
    add_latest([post(11, number=2, username="moderator-mo", moderator=True, staff=True), post(10), post(9)])
    poll(channel)
    reply = Message.objects.get(channel=channel, external_id="11")
    assert reply.kind == kind
    ticket = Ticket.objects.get(channel=channel)
    assert reply.ticket == ticket
    assert (ticket.first_reply_at == reply.platform_created_at) is staff_are_ours
