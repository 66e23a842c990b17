"""The demo's Reddit channel polled through the real adapter (channel_poll -> RedditAdapter -> intake) against
the demo network (DESK_DEMO_REPLAY). The response shapes come from the replay module
(channels/adapters/reddit/replay.py), which follows the recorded Listings of tests/fixtures
(subreddit_new_submissions.json, subreddit_comments_page1.json, search_all.json, goreddit_post_comment_page.json)
and the token answer of Reddit's OAuth2 documentation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.core.cache import cache

from channels.adapters.reddit import RedditAdapter, replay
from channels.adapters.reddit.auth import credentials_of
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.week import THREADS, thread_start
from channels.http import build_session
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "reddit"
OURS = DEMO_CHANNELS[KIND]["our_accounts"][0]
SUB = DEMO_CHANNELS[KIND]["config"]["subreddits"][0]
ANCHOR = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then
FIRST = THREADS.index(next(t for t in THREADS if t.kind == KIND))  # the week's first Reddit thread
API = "https://oauth.reddit.com"


def test_the_demo_week_is_polled_through_the_adapter_once():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        result = ingested(poll(channel))

        expected = demo.assert_week_stored(channel, ANCHOR)
        assert len(expected) == 4  # the four Reddit stories of the week
        assert result.tickets_created == len(expected)
        ours = Message.objects.filter(channel=channel, author_handle=OURS)
        # Our answer on the home-lab thread, and our word after the asker's thanks.
        assert ours.count() == 2 and {m.kind for m in ours} == {Message.Kind.OUR_REPLY}
        posts = Message.objects.filter(channel=channel, parent_external_id="")
        assert {m.title for m in posts} == {t.title for t in THREADS if t.kind == KIND}
        for message in Message.objects.filter(channel=channel):
            post_id = (message.thread_external_id or message.external_id or "").removeprefix("t3_")
            assert message.permalink.startswith(f"https://www.reddit.com/r/{SUB}/comments/{post_id}/")
            assert message.author_url == f"https://www.reddit.com/user/{message.author_handle}"
        assert set(channel.cursor["streams"]) == {f"r/{SUB}/new", f"r/{SUB}/comments", "search:gitlab"}

        assert demo.assert_second_poll_stores_nothing(channel).received == 0


def test_posts_are_served_as_their_time_comes():
    """The clock walks through the demo's week (anchored on the day it was seeded): a follow-up still to come at
    the first poll is not served, and joins its thread's ticket at a later poll, with the threads opened since."""
    opening = THREADS[FIRST]
    start = thread_start(opening, ANCHOR)
    last_minutes = opening.followups[-1][0]
    early = start + timedelta(minutes=last_minutes - 1)  # before the thread's last follow-up
    with time_machine.travel(early, tick=False) as clock:
        channel = demo.channel(KIND, ANCHOR)
        ingested(poll(channel))

        demo.assert_week_stored(channel, ANCHOR, early)
        assert len(demo.conversations(channel)[0]) == len(opening.followups)  # the opening post and all but the last
        before = set(stored(channel))

        clock.move_to(ANCHOR)
        result = ingested(poll(channel))

        expected = demo.assert_week_stored(channel, ANCHOR)
        assert result.threaded >= 1 and result.tickets_created == len(expected) - 1
        joined = Message.objects.get(channel=channel, body=opening.followups[-1][2])
        assert joined.external_id not in before
        assert joined.ticket == Message.objects.get(channel=channel, body=opening.text).ticket


def test_a_stale_token_is_replaced_and_a_watched_thread_is_read():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        credentials = credentials_of(channel)
        stale = {"access_token": "from-another-run", "expires_at": ANCHOR.timestamp() + 3600}
        cache.set(credentials.token_key, stale, timeout=3600)

        ingested(poll(channel))

        assert cache.get(credentials.token_key)["access_token"] == replay.ACCESS_TOKEN
        post = Message.objects.get(channel=channel, body=THREADS[FIRST].text)
        assert post.external_id is not None
        fetched = RedditAdapter.fetch_thread(channel=channel, session=build_session(), ref=post.external_id)
        assert sorted(m.external_id for m in fetched.mentions) == stored_in(post.ticket)


def stored_in(ticket: Ticket | None) -> list[str]:
    return sorted(m.external_id or "" for m in Message.objects.filter(ticket=ticket))


# --- the replay's answers, as the adapter's requests ask for them ------------------------------------


def get(path: str, params: dict[str, Any] | None = None, *, signed: bool = True) -> requests.Response:
    headers = {"Authorization": f"bearer {replay.ACCESS_TOKEN}"} if signed else {}
    return build_session().get(API + path, params={"raw_json": 1, **(params or {})}, headers=headers, timeout=5)


def names(listing: dict[str, Any]) -> list[str]:
    return [child["data"]["name"] for child in listing["data"]["children"]]


def test_listings_page_back_with_after():
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel(KIND, ANCHOR)
        whole = get(f"/r/{SUB}/comments", {"limit": 100}).json()
        assert whole["kind"] == "Listing" and whole["data"]["after"] is None
        created = [child["data"]["created_utc"] for child in whole["data"]["children"]]
        assert created == sorted(created, reverse=True) and len(created) == 7

        walked, after = [], None
        while True:
            page = get(f"/r/{SUB}/comments", {"limit": 3, **({"after": after} if after else {})}).json()
            walked += names(page)
            after = page["data"]["after"]
            if after is None:
                break
        assert walked == names(whole)
        assert names(get(f"/r/{SUB}/new", {"limit": 2, "after": "t3_gone"}).json()) == []


def test_refusals_and_escaping_are_reddits():
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel(KIND, ANCHOR)
        assert get(f"/r/{SUB}/new", signed=False).status_code == 401
        other = get("/r/python/new")
        assert other.status_code == 404 and other.json() == {"message": "Not Found", "error": 404}
        assert get("/api/v1/me/karma").status_code == 404
        token = build_session().post(
            "https://www.reddit.com/api/v1/access_token", data={"grant_type": "client_credentials"}
        )
        assert token.status_code == 401 and token.json() == {"message": "Unauthorized", "error": 401}

        raw = get(f"/r/{SUB}/new").json()["data"]["children"][0]["data"]["selftext_html"]
        escaped = build_session().get(
            API + f"/r/{SUB}/new", headers={"Authorization": f"bearer {replay.ACCESS_TOKEN}"}, timeout=5
        )
        assert raw.startswith('<div class="md">')
        assert escaped.json()["data"]["children"][0]["data"]["selftext_html"].startswith("&lt;div")
        found = get("/search", {"q": "duo copilot", "sort": "new", "type": "link"}).json()
        assert [c["data"]["title"] for c in found["data"]["children"]] == [
            t.title for t in THREADS if t.kind == KIND and "Duo" in t.title
        ]
