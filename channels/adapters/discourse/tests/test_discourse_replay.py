"""The demo forum polled through the real Discourse adapter, with DESK_DEMO_REPLAY on: every request the poll (and
a watched topic's fetch) makes is answered by channels/adapters/discourse/replay.py from the demo week. Shapes
come from that replay module, which follows the recorded responses in fixtures/ (posts_latest_real.json,
topic_2108_view_at_post_452_real.json, topic_2144_posts_page1_real.json, search_devinstance.json; SOURCES.md)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import requests
import time_machine

from channels.adapters.discourse import SEARCH_EXCERPT_NOTE, DiscourseAdapter
from channels.adapters.discourse.replay import FIRST_POST_ID, TOPIC_BASE, answer, slugify
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.week import THREADS, thread_start
from channels.http import build_session
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "discourse"
ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # the demo channel was made then: its week ends that day
OURS = DEMO_CHANNELS[KIND]["our_accounts"][0]


def test_the_demo_week_polls_into_one_ticket_per_topic_with_our_replies_and_nothing_twice():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

        week = demo.assert_week_stored(channel, ANCHOR)
        assert ingested(outcome).created == sum(len(t) for t in week) == 10
        assert len(week) == 4  # the morning's topic too: asked 06:00, answered 06:40, its follow-up 08:30
        ours = Message.objects.filter(channel=channel, author_handle=OURS)
        assert ours.count() == 2 and {m.kind for m in ours} == {Message.Kind.OUR_REPLY}
        # Post ids in the forum's order of creation; permalinks on forum.gitlab.com's /t/<slug>/<topic>/<n>.
        assert stored(channel, order="number") == [str(FIRST_POST_ID + n) for n in range(10)]
        index = next(i for i, t in enumerate(THREADS) if t.kind == KIND)
        opening = Message.objects.get(channel=channel, external_id=str(FIRST_POST_ID))
        slug = slugify(THREADS[index].title)
        assert slug == "pipeline-stuck-in-created-state-after-upgrading-to-18-5"
        assert opening.permalink == f"https://forum.gitlab.com/t/{slug}/{TOPIC_BASE + index}/1"
        assert opening.title == THREADS[index].title
        assert opening.author_url == "https://forum.gitlab.com/u/forum_felix"
        assert channel.cursor["latest"]["high"] == FIRST_POST_ID + 9

        demo.assert_second_poll_stores_nothing(channel)

    assert Message.objects.filter(channel=channel).count() == 10


def test_a_post_not_yet_written_is_served_only_once_its_time_has_come():
    # The first topic opened at 10:00 six days before the anchor: its posts came at +0, +30, +95 and +140 minutes.
    thread = next(t for t in THREADS if t.kind == KIND)
    start = thread_start(thread, ANCHOR)
    channel = demo.channel(KIND, ANCHOR)

    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        first = poll(channel)
    assert ingested(first).created == 2
    assert [p.text for p in demo.conversations(channel)[0]] == [thread.text, thread.followups[0][2]]

    with time_machine.travel(start + timedelta(minutes=100), tick=False):
        second = poll(channel)
    assert ingested(second).created == 1
    assert [p.text for p in demo.conversations(channel)[0]][-1] == thread.followups[1][2]

    with time_machine.travel(ANCHOR, tick=False):
        third = poll(channel)
    assert ingested(third).created == 7  # the last reply (ours), and the three later topics' six posts
    assert len(demo.assert_week_stored(channel, ANCHOR)) == 4


def test_search_mode_reads_the_search_endpoint_with_blurbs_and_its_after_date():
    channel = demo.channel(KIND, ANCHOR, mode="search", query="bookworm")
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)
        again = poll(channel)
    assert ingested(outcome).created == 1
    message = Message.objects.get(channel=channel)
    assert message.body == f"Same here on bookworm.\n\n{SEARCH_EXCERPT_NOTE}"
    assert message.title == "Release day: 18.6 package signature check failing on Debian"
    assert channel.cursor["search"]["newest"] is not None
    assert ingested(again).created == 0


def test_a_watched_topic_is_fetched_through_the_topic_view_with_the_polls_ids():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        poll(channel)
        first = Message.objects.get(channel=channel, external_id=str(FIRST_POST_ID))
        ref = DiscourseAdapter.thread_ref(str(FIRST_POST_ID), first.thread_external_id, first.raw)
        fetched = DiscourseAdapter.fetch_thread(channel=channel, session=build_session(), ref=ref)
    topic = Message.objects.filter(channel=channel, thread_external_id=first.thread_external_id)
    assert ref == str(TOPIC_BASE + next(i for i, t in enumerate(THREADS) if t.kind == KIND))
    assert sorted(m.external_id for m in fetched.mentions) == sorted(str(m.external_id) for m in topic)
    assert len(fetched.mentions) == 4 and fetched.requests_made == 1


def get(path: str, **params) -> requests.PreparedRequest:
    query = f"?{urlencode(params)}" if params else ""
    return requests.Request("GET", f"https://forum.gitlab.com{path}{query}").prepare()


def test_latest_pages_back_by_before_fifty_at_a_time_and_unknown_paths_are_discourse_404s():
    posts = demo.one_post_threads(KIND, ANCHOR, 120, text="Post", title="Topic")
    seen: list[int] = []
    before = None
    while True:
        status, body = answer(get("/posts.json", **({"before": before} if before else {})), posts)
        ids = [p["id"] for p in body["latest_posts"]]
        assert status == 200 and len(ids) <= 50 and ids == sorted(ids, reverse=True)
        if not ids:
            break
        seen += ids
        before = ids[-1]
    assert seen == list(range(FIRST_POST_ID + 119, FIRST_POST_ID - 1, -1))

    for unknown in (get("/t/999.json"), get("/nope"), get("/t/99/posts.json")):
        status, body = answer(unknown, posts)
        assert status == 404 and body["error_type"] == "not_found" and body["errors"]
    status, body = answer(get("/search.json", q="post order:latest", page=2), posts)
    assert status == 200 and len(body["posts"]) == 50
    assert body["grouped_search_result"]["more_full_page_results"] is True
    assert "cooked" not in body["posts"][0] and body["posts"][0]["blurb"] == "Post 69"
    status, body = answer(get("/search.json", q="ab order:latest"), posts)
    assert body["grouped_search_result"]["error"] == "Your search term is too short."
