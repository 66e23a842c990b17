"""The demo's X channel polled through the real adapter (channel_poll -> TwitterAdapter -> intake) against the
demo network (DESK_DEMO_REPLAY). The response shapes come from the replay module
(channels/adapters/twitter/replay.py), which follows the recorded X API v2 responses
tests/fixtures/users_mentions.json and tests/fixtures/search_recent_with_expansions_docs_sample.json (X's own
documentation sample)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import time_machine

from channels.adapters.twitter import replay
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import demo_posts
from channels.demo.week import THREADS, thread_start
from channels.http import build_session
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "twitter"
OURS = DEMO_CHANNELS[KIND]["our_accounts"][0]
MAIN_ID = DEMO_CHANNELS[KIND]["config"]["handles"][0]["user_id"]
ANCHOR = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the demo was seeded at noon: every thread of the week is out
EARLY = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)  # seeded at 7: today's 8 o'clock thread is still to come


def test_the_demo_week_is_polled_through_the_adapter_once():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        result = ingested(poll(channel))

        expected = demo.assert_week_stored(channel, ANCHOR)
        assert len(expected) == 4  # the four X stories of the week, today's included
        assert result.tickets_created == len(expected)
        ours = Message.objects.filter(channel=channel, author_handle=OURS)
        assert ours.count() == 2 and set(ours.values_list("kind", flat=True)) == {Message.Kind.OUR_REPLY}
        assert result.our_replies == 2
        for message in Message.objects.filter(channel=channel):
            assert message.permalink == f"https://x.com/{message.author_handle}/status/{message.raw['id']}"
            assert message.author_url == f"https://x.com/{message.author_handle}"
        assert channel.cursor[f"mentions:{MAIN_ID}"] and channel.cursor[f"search:from:{OURS}"]

        assert demo.assert_second_poll_stores_nothing(channel).received == 0


def test_a_post_still_to_come_is_served_once_its_time_has_come():
    with time_machine.travel(EARLY, tick=False) as clock:
        channel = demo.channel(KIND, EARLY)
        today = next(t for t in THREADS if t.kind == KIND and t.days_ago == 0)
        assert thread_start(today, EARLY) > EARLY  # the morning's thread opens after the demo was seeded

        ingested(poll(channel))

        demo.assert_week_stored(channel, EARLY)
        assert today.text not in {post.text for ticket in demo.conversations(channel) for post in ticket}
        before = set(stored(channel))

        later = thread_start(today, EARLY) + timedelta(minutes=5)
        clock.move_to(later)
        result = ingested(poll(channel))

        assert result.created == 1 and result.tickets_created == 1
        new = set(stored(channel)) - before
        assert len(new) == 1
        message = Message.objects.get(channel=channel, external_id=new.pop())
        assert (message.body, message.author_handle) == (today.text, today.author)
        demo.assert_week_stored(channel, EARLY, later)


# --- the replay's answers, as the adapter's requests ask for them ------------------------------------


BEARER = DEMO_CHANNELS[KIND]["credentials"]["bearer_token"]


def get(url: str, params: dict[str, Any] | None = None, *, signed: bool = True) -> requests.Response:
    headers = {"Authorization": f"Bearer {BEARER}"} if signed else {}
    return build_session().get(url, params=params, headers=headers, timeout=5)


def test_the_mentions_timeline_pages_back_with_its_token_and_stops_at_since_id():
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel(KIND, ANCHOR)
        url = f"https://api.x.com/2/users/{MAIN_ID}/mentions"
        whole = get(url, {"max_results": 100, "expansions": "author_id"}).json()
        ids = [t["id"] for t in whole["data"]]
        assert ids == sorted(ids, key=int, reverse=True) and "next_token" not in whole["meta"]
        authors = {u["id"]: u["username"] for u in whole["includes"]["users"]}
        assert OURS not in authors.values()  # our own posts are not in our mentions timeline
        assert len(ids) == 6

        walked, token = [], None
        while True:
            page = get(url, {"max_results": 5, **({"pagination_token": token} if token else {})}).json()
            walked += [t["id"] for t in page["data"]]
            token = page["meta"].get("next_token")
            if token is None:
                break
        assert walked == ids

        newer = get(url, {"max_results": 5, "since_id": ids[2]}).json()
        assert [t["id"] for t in newer["data"]] == ids[:2] and newer["meta"]["newest_id"] == ids[0]
        assert get(url, {"since_id": ids[0]}).json() == {"meta": {"result_count": 0}}


def test_ids_are_stable_snowflakes_of_the_posts_time():
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel(KIND, ANCHOR)
        posts = demo_posts(KIND)
        first = {p.mention.external_id: p.id for p in replay.demo_posts(posts)}
        assert first == {p.mention.external_id: p.id for p in replay.demo_posts(demo_posts(KIND))}
        for post in replay.demo_posts(posts):
            ms = (post.id >> 22) + 1288834974657
            assert ms == int(post.mention.created_at.timestamp() * 1000)


def test_refusals_are_in_x_shapes():
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel(KIND, ANCHOR)
        search = "https://api.x.com/2/tweets/search/recent"
        unauthorized = get(search, {"query": "gitlab"}, signed=False)
        assert unauthorized.status_code == 401 and unauthorized.json()["title"] == "Unauthorized"
        unknown = get("https://api.x.com/2/spaces/search", {"query": "gitlab"})
        assert unknown.status_code == 404 and unknown.json()["status"] == 404
        bad = get(search, {"query": "gitlab place_country:US"})
        assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-request")
        too_few = get(search, {"query": "gitlab", "max_results": 5})
        assert too_few.status_code == 400
        nobody = get("https://api.x.com/2/users/42").json()
        assert nobody["errors"][0]["resource_id"] == "42" and "data" not in nobody
        assert get(f"https://api.x.com/2/users/{MAIN_ID}").json()["data"]["username"] == OURS


def test_search_reads_the_operators_the_demo_uses():
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel(KIND, ANCHOR)
        search = "https://api.x.com/2/tweets/search/recent"

        def authors(query: str) -> list[str]:
            body = get(search, {"query": query, "expansions": "author_id"}).json()
            users = {u["id"]: u["username"] for u in body.get("includes", {}).get("users", [])}
            return [users[t["author_id"]] for t in body.get("data", [])] if "data" in body else []

        assert authors(f"from:{OURS}") == [OURS, OURS]
        assert set(authors("registry -is:retweet")) == {"k8s_kenji", OURS}
        assert authors(f"from:{OURS} OR from:oss_ola") == ["oss_ola", OURS, OURS]
        assert authors(f'"education licence" -from:{OURS}') == ["oss_ola"]
