"""Bluesky end to end: channel_poll -> BlueskyAdapter -> mentions_ingest, with only HTTP mocked (`responses`).

Shapes: searchPosts `{"posts", "cursor"}` (an offset) and listNotifications `{"notifications", "cursor"}` (a time)
as recorded (fixtures/search_posts_bluepy.json, list_notifications_bluepy.json); posts and notifications are the
recorded items of tests/bsky.py; rate-limit headers and the 429 body as recorded (fixtures/recorded_errors.json).
"""

import time

import pytest
import responses

from channels.adapters.bluesky.platform import budget
from channels.adapters.bluesky.tests import bsky
from channels.freshness import poll_interval
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db


def search_page(posts, *, cursor=None, **headers):
    responses.get(
        bsky.SEARCH, json={"posts": posts, **({"cursor": cursor} if cursor else {})}, headers=bsky.ratelimit(**headers)
    )


def notifications_page(items, *, cursor=None):
    responses.get(
        bsky.NOTIFICATIONS,
        json={"notifications": items, **({"cursor": cursor} if cursor else {})},
        headers=bsky.ratelimit(),
    )


@responses.activate
def test_a_poll_searches_each_keyword_reads_mentions_and_stores_each_post_once():
    now = time.time()
    channel = bsky.bluesky_channel(keywords=["gitlab"])
    bsky.mock_sign_in()
    question = bsky.post("3q", now - 300, text=f"@{bsky.HANDLE} is the runner upgrade safe?")
    other = bsky.post("3o", now - 200, text="gitlab pipelines are green again", handle=bsky.BOB)
    search_page([other, question])  # the mention also matches the keyword: one message
    notifications_page([bsky.notification(question)])

    outcome = poll(channel)

    assert ingested(outcome).created == 2 and ingested(outcome).tickets_created == 2
    assert stored(channel) == sorted([question["uri"], other["uri"]])
    [search] = bsky.calls_to(bsky.SEARCH)
    assert (
        bsky.query(search)["q"] == ["gitlab"]
        and bsky.query(search)["sort"] == ["latest"]
        and "since" in bsky.query(search)
    )
    assert search.request.headers["Authorization"].startswith("Bearer ")
    [listed] = bsky.calls_to(bsky.NOTIFICATIONS)
    assert bsky.query(listed)["reasons"] == ["mention", "reply"] and bsky.query(listed)["limit"] == ["100"]
    message = Message.objects.get(channel=channel, external_id=question["uri"])
    assert message.permalink == f"https://bsky.app/profile/{bsky.ALICE}/post/3q" and message.author_handle == bsky.ALICE

    again = poll(channel)  # the same answers: nothing new, nothing stored twice, no second sign-in
    assert ingested(again).received == 0
    assert len(bsky.calls_to(f"{'https://bsky.social'}/xrpc/com.atproto.server.createSession")) == 1


@responses.activate
def test_a_reply_joins_the_ticket_of_its_root_and_our_team_handles_posts_are_our_replies():
    now = time.time()
    channel = bsky.bluesky_channel(team_handles=[bsky.GABE])
    bsky.mock_sign_in()
    question = bsky.post("3root", now - 600, text=f"@{bsky.HANDLE} how do I pin the runner image?")
    ours = bsky.post(
        "3ours", now - 500, text="Pin it with image: in .gitlab-ci.yml", handle=bsky.GABE, parent=bsky.ref(question)
    )
    follow_up = bsky.post(
        "3more", now - 400, text="thanks, and for services?", parent=bsky.ref(ours), root=bsky.ref(question)
    )
    notifications_page(
        [bsky.notification(follow_up, "reply"), bsky.notification(ours, "reply"), bsky.notification(question)]
    )

    ingested(poll(channel))

    ticket = Ticket.objects.get(channel=channel)
    kinds = dict(Message.objects.filter(channel=channel).values_list("external_id", "kind"))
    assert kinds == {
        question["uri"]: Message.Kind.INBOUND,
        ours["uri"]: Message.Kind.OUR_REPLY,
        follow_up["uri"]: Message.Kind.INBOUND,
    }
    assert set(Message.objects.filter(channel=channel).values_list("ticket_id", flat=True)) == {ticket.pk}
    assert ticket.first_reply_at is not None


@responses.activate
def test_images_are_kept_in_the_messages_raw_payload():
    channel = bsky.bluesky_channel(keywords=["m4"], read_notifications=False, backfill_hours=720)
    bsky.mock_sign_in()
    [images] = [v for v in bsky.load("atat_post_views.json") if v.get("uri", "").endswith("/3lhmggpkbw22v")]
    images["record"]["createdAt"] = images["indexedAt"] = bsky.post("x", time.time() - 60)["record"]["createdAt"]
    search_page([images])

    ingested(poll(channel))

    raw = Message.objects.get(channel=channel).raw
    assert raw["media"][0]["kind"] == "image" and raw["media"][0]["fullsize"].endswith("@jpeg")
    assert raw["embed"]["$type"] == "app.bsky.embed.images#view"


@responses.activate
def test_rate_limit_headers_reach_the_channels_status_and_budget():
    channel = bsky.bluesky_channel(keywords=["gitlab", "runner"], read_notifications=False)
    bsky.mock_sign_in()
    search_page([], limit=1500, window=60, remaining=1400)

    poll(channel)

    status = channel.platform_status["rate_limit"]
    assert status["limit"] == 1500 and status["window"] == 60 and status["remaining"] == 1400
    assert status["host"] == "morel.us-east.host.bsky.network"
    [bucket] = budget(channel, channel.config)
    assert (bucket.requests, bucket.limit, bucket.window_seconds) == (2, 1500, 60)  # a page per keyword
    assert bucket.label == "Bluesky (https://bsky.social): 1,500 requests a minute per IP"
    # 2 requests a poll within half of 1,500 a minute: the 20 s floor.
    assert poll_interval(channel, others=[]).seconds == 20


@responses.activate
def test_no_request_left_stops_every_channel_on_that_host_until_the_reset():
    channel = bsky.bluesky_channel(keywords=["gitlab"], read_notifications=False)
    bsky.mock_sign_in()
    search_page([], remaining=0, reset_in=120)

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert channel.next_poll_at is not None and channel.next_poll_at.timestamp() >= time.time() + 100
    other = bsky.bluesky_channel(keywords=["runner"], read_notifications=False)
    assert poll(other).status != "ok"  # no request goes out before the reset
    assert len(bsky.calls_to(bsky.SEARCH)) == 1


@responses.activate
def test_a_429_after_a_finished_stream_keeps_what_was_read_and_waits_for_the_reset():
    now = time.time()
    channel = bsky.bluesky_channel(keywords=["gitlab"])
    bsky.mock_sign_in()
    search_page([bsky.post("3a", now - 60, text="gitlab runners")])
    recorded = bsky.load("recorded_errors.json")["rate_limited_create_session"]
    responses.get(bsky.NOTIFICATIONS, status=429, json=recorded["body"], headers=bsky.ratelimit(0, reset_in=600))

    outcome = poll(channel)

    assert ingested(outcome).created == 1
    assert "notifications" not in channel.cursor["streams"] or "mark" not in channel.cursor["streams"]["notifications"]
    assert channel.next_poll_at is not None and channel.next_poll_at.timestamp() >= time.time() + 500
    assert channel.health == Channel.Health.OK


@responses.activate
def test_a_backlog_larger_than_one_poll_is_read_over_the_next_polls_without_a_gap():
    now = time.time()
    channel = bsky.bluesky_channel(keywords=["gitlab"], read_notifications=False, max_requests_per_poll=2)
    bsky.mock_sign_in()
    posts = [bsky.post(f"3p{n:03d}", now - 60 * n, text=f"gitlab question {n}") for n in range(1, 6)]
    search_page(posts[:2], cursor="2")
    search_page(posts[2:4], cursor="4")

    first = poll(channel)

    assert ingested(first).created == 4 and "resume" in channel.cursor["streams"]["search:gitlab"]
    resume = channel.cursor["streams"]["search:gitlab"]["resume"]
    responses.reset()
    search_page([])  # nothing new on top
    search_page(posts[4:])  # the backlog, read until the oldest time reached

    second = poll(channel)

    assert ingested(second).created == 1 and "resume" not in channel.cursor["streams"]["search:gitlab"]
    backlog = bsky.calls_to(bsky.SEARCH)[1]
    assert bsky.query(backlog)["until"] == [resume["until"]] and "cursor" not in bsky.query(backlog)
    assert len(stored(channel)) == 5


@responses.activate
def test_a_bad_app_password_marks_the_channel_failing_in_words():
    channel = bsky.bluesky_channel(keywords=["gitlab"])
    responses.post(
        "https://bsky.social/xrpc/com.atproto.server.createSession",
        status=401,
        json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
    )

    outcome = poll(channel)

    assert channel.health == Channel.Health.FAILING
    assert "app password" in channel.last_error and "Invalid identifier or password" in channel.last_error
    assert outcome.status != "ok" and bsky.DID not in channel.last_error
