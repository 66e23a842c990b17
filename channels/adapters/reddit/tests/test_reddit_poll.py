"""Reddit end to end: channel_poll -> RedditAdapter -> mentions_ingest, with only HTTP mocked."""

import time
from datetime import UTC, datetime

import pytest
import requests
import responses
from django.utils import timezone
from responses import matchers

from channels.adapters.reddit import API_URL
from channels.adapters.reddit.tests import test_reddit_adapter as shapes
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@responses.activate
def test_a_poll_pages_back_with_after_and_stores_every_new_item_once():
    now = int(time.time())
    channel = shapes.reddit_channel(subreddits=["gitlab"], include_comments=False)
    shapes.mock_token()
    shapes.page("/r/gitlab/new", [shapes.post("p4", now - 10), shapes.post("p3", now - 20)], after="t3_p3")
    shapes.page(
        "/r/gitlab/new", [shapes.post("p2", now - 30), shapes.post("p1", now - 40)], after="t3_p1", from_="t3_p3"
    )
    shapes.page("/r/gitlab/new", [shapes.post("old", now - 3 * 86400)], after="t3_old", from_="t3_p1")

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert outcome.result is not None
    assert outcome.result.created == 4 and outcome.result.tickets_created == 4
    assert stored(channel) == [
        "t3_p1",
        "t3_p2",
        "t3_p3",
        "t3_p4",
    ]
    # The listing's pages (after them the poll may ask for its authors' karma: people.karma's own tests).
    listings = [c for c in shapes.api_calls() if "/r/gitlab/new" in c.request.url]
    assert [shapes.query(c).get("after") for c in listings] == [None, "t3_p3", "t3_p1"]
    assert channel.cursor["streams"]["r/gitlab/new"]["created_utc"] == now - 10
    assert channel.health == Channel.Health.OK

    again = poll(channel)  # the same listing: nothing new, nothing stored twice
    assert again.result is not None
    assert again.status == "ok" and again.result.received == 0
    assert Message.objects.filter(channel=channel).count() == 4 and Ticket.objects.filter(channel=channel).count() == 4


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 429, "headers": {"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "1"}, "body": ""},
        {"status": 500, "body": "<html>Internal Server Error</html>"},
        {"status": 503, "body": "<html>all our servers are busy</html>"},
        {"body": requests.exceptions.ConnectTimeout("connect timed out")},
        {"status": 200, "body": '{"kind": "Listing", "data": {"children": [', "content_type": "application/json"},
    ],
    ids=["429", "500", "503", "timeout", "malformed-json"],
)
@responses.activate
def test_a_failed_poll_keeps_the_cursor_and_the_next_one_loses_nothing(failure):
    now = int(time.time())
    channel = shapes.reddit_channel(subreddits=["gitlab"], include_comments=False)
    shapes.mock_token()
    shapes.page("/r/gitlab/new", [shapes.post("p1", now - 60)])
    assert poll(channel).status == "ok"
    cursor = channel.cursor

    responses.replace(responses.GET, API_URL + "/r/gitlab/new", **failure)
    outcome = poll(channel)

    assert outcome.status == "transient_error"
    assert channel.health == Channel.Health.BACKING_OFF and channel.consecutive_failures == 1
    assert channel.cursor == cursor
    assert Message.objects.filter(channel=channel).count() == 1
    if "headers" in failure:
        time.sleep(1.1)  # Reddit's window (x-ratelimit-reset: 1) is over

    responses.remove(responses.GET, API_URL + "/r/gitlab/new")
    newest = shapes.page(
        "/r/gitlab/new", [shapes.post("p3", now - 5), shapes.post("p2", now - 30), shapes.post("p1", now - 60)]
    )
    assert poll(channel).status == "ok"
    assert stored(channel) == [
        "t3_p1",
        "t3_p2",
        "t3_p3",
    ]
    assert channel.consecutive_failures == 0 and channel.health == Channel.Health.OK

    assert ingested(poll(channel)).received == 0
    assert Message.objects.filter(channel=channel).count() == 3
    assert newest.call_count == 2


@responses.activate
def test_a_429_waits_until_reddits_reset_and_sends_nothing_before_it():
    channel = shapes.reddit_channel(subreddits=["gitlab"], include_comments=False, overlap_seconds=0)
    shapes.mock_token()
    responses.get(
        API_URL + "/r/gitlab/new", status=429, headers={"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "900"}
    )
    assert poll(channel).status == "transient_error"
    assert (channel.next_poll_at - timezone.now()).total_seconds() > 890
    assert "429" in channel.last_error
    sent = len(responses.calls)

    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)  # polled early anyway
    assert poll(channel).status == "transient_error"
    assert len(responses.calls) == sent
    assert "rate-limit window" in channel.last_error


@responses.activate
def test_reddits_remaining_zero_on_a_good_poll_pushes_the_next_poll_past_the_reset():
    now = int(time.time())
    channel = shapes.reddit_channel(subreddits=["gitlab"], include_comments=False)
    shapes.mock_token()
    headers = {"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "700", "x-ratelimit-used": "600"}
    shapes.page("/r/gitlab/new", [shapes.post("p1", now - 60)], headers=headers)
    assert poll(channel).status == "ok"
    assert Message.objects.filter(channel=channel).count() == 1
    assert 690 < (channel.next_poll_at - timezone.now()).total_seconds() <= 700


@responses.activate
def test_a_comment_joins_its_posts_ticket():
    now = int(time.time())
    channel = shapes.reddit_channel(subreddits=["gitlab"])
    shapes.mock_token()
    shapes.page("/r/gitlab/new", [shapes.post("p1", now - 600, author="bob")])
    shapes.page("/r/gitlab/comments", [])
    poll(channel)
    ticket = Ticket.objects.filter(channel=channel).get()

    responses.reset()
    shapes.page("/r/gitlab/new", [shapes.post("p1", now - 600, author="bob")])
    shapes.page(
        "/r/gitlab/comments",
        [shapes.comment("c2", now - 30, post="p1", parent="t1_c1"), shapes.comment("c1", now - 60, post="p1")],
    )
    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.created == 2 and outcome.result.threaded == 2 and outcome.result.tickets_created == 0
    assert list(ticket.messages.order_by("platform_created_at").values_list("external_id", flat=True)) == [
        "t3_p1",
        "t1_c1",
        "t1_c2",
    ]
    assert ticket.requester_handle == "bob"


@responses.activate
def test_a_comment_by_one_of_our_accounts_is_our_reply_and_sets_the_first_reply_time():
    now = int(time.time())
    channel = shapes.reddit_channel(subreddits=["gitlab"], our_accounts=["gitlab_team"])
    shapes.mock_token()
    shapes.page("/r/gitlab/new", [shapes.post("p1", now - 3600, author="bob")])
    shapes.page(
        "/r/gitlab/comments", [shapes.comment("c1", now - 600, post="p1", author="GitLab_Team", body="Thanks, fixed!")]
    )

    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.result.our_replies == 1 and outcome.result.tickets_created == 1
    ticket = Ticket.objects.filter(channel=channel).get()
    reply = Message.objects.filter(channel=channel).get(external_id="t1_c1")
    assert reply.kind == Message.Kind.OUR_REPLY and reply.ticket == ticket
    assert ticket.first_reply_at == datetime.fromtimestamp(now - 600, tz=UTC)
    assert ticket.first_reply_seconds == 3000


@responses.activate
def test_the_empty_before_trap_does_not_stall_polling():
    now = int(time.time())
    channel = shapes.reddit_channel(subreddits=["gitlab"], include_comments=True)
    shapes.mock_token()
    shapes.page("/r/gitlab/new", [])
    shapes.page("/r/gitlab/comments", [shapes.comment("c2", now - 30), shapes.comment("c1", now - 60)])
    poll(channel)
    assert Message.objects.filter(channel=channel).count() == 2

    # c2, the newest comment we saw, is deleted. A `before=t1_c2` request would now get the
    # recorded empty listing forever (PRAW's 2016 cassette); the newest-first read does not.
    responses.get(
        API_URL + "/r/gitlab/comments",
        json=shapes.load("subreddit_comments_empty_before.json"),
        match=[matchers.query_param_matcher({"before": "t1_c2"}, strict_match=False)],
    )
    responses.replace(
        responses.GET,
        API_URL + "/r/gitlab/comments",
        json=shapes.listing([shapes.comment("c3", now - 5), shapes.comment("c1", now - 60)]),
        match=[matchers.query_param_matcher({"limit": "100", "raw_json": "1"}, strict_match=True)],
    )
    for _ in range(2):
        assert poll(channel).status == "ok"

    assert stored(channel) == [
        "t1_c1",
        "t1_c2",
        "t1_c3",
    ]
    assert all("before" not in shapes.query(c) for c in shapes.api_calls())
    assert len(shapes.token_calls()) == 1


@responses.activate
def test_an_edit_and_a_removal_seen_later_reach_the_stored_message():
    now = int(time.time())
    channel = shapes.reddit_channel(subreddits=["gitlab"], include_comments=False)
    shapes.mock_token()
    shapes.page("/r/gitlab/new", [shapes.post("p1", now - 120, selftext="GitLab is down?")])
    poll(channel)
    message = Message.objects.filter(channel=channel).get()

    responses.replace(
        responses.GET,
        API_URL + "/r/gitlab/new",
        json=shapes.listing([shapes.post("p1", now - 120, selftext="Edit: it is back", edited=float(now - 10))]),
    )
    assert poll(channel).status == "ok"
    message.refresh_from_db()
    assert message.body == "Edit: it is back"
    assert message.edited_at == datetime.fromtimestamp(now - 10, tz=UTC)
    assert TicketEvent.objects.filter(ticket__channel=channel, kind=TicketEvent.Kind.MESSAGE_EDITED).count() == 1

    responses.replace(
        responses.GET,
        API_URL + "/r/gitlab/new",
        json=shapes.listing([shapes.post("p1", now - 120, selftext="[removed]", edited=float(now - 10))]),
    )
    assert poll(channel).status == "ok"
    assert ingested(poll(channel)).received == 0  # handed over once, not at every poll
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == "Edit: it is back"
    assert Message.objects.filter(channel=channel).count() == 1


@responses.activate
def test_a_missing_subreddit_marks_the_channel_failing_with_a_readable_error():
    channel = shapes.reddit_channel(subreddits=["gitlabb"], include_comments=False)
    shapes.mock_token()
    responses.get(
        API_URL + "/r/gitlabb/new",
        status=302,
        headers={"Location": "https://oauth.reddit.com/subreddits/search.json?q=gitlabb&raw_json=1"},
    )
    assert poll(channel).status == "failing"
    assert channel.health == Channel.Health.FAILING
    assert "no such subreddit" in channel.last_error and "/r/gitlabb/new" in channel.last_error
    assert channel.next_poll_at is None  # not retried until an admin fixes the config
    assert len(shapes.api_calls()) == 1
