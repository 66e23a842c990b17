"""A Discourse backlog larger than one poll's request budget drains over successive polls, oldest first, each
chunk committed with the cursor just after it (the way the poll loop drives `fetch_chunks`)."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from channels.adapters.discourse import DiscourseAdapter
from channels.adapters.discourse.tests.test_discourse_adapter import (
    CONFIG,
    LATEST_URL,
    SEARCH_URL,
    START,
    discourse_channel,
    iso,
    latest_page,
    post,
    search_post,
)
from channels.http import build_session

pytestmark = pytest.mark.django_db

adapter = DiscourseAdapter()


def poll(channel):
    """One poll as the poll loop runs it: every chunk's cursor saved before the next chunk is asked for."""
    chunks = []
    for chunk in adapter.fetch_chunks(channel=channel, session=build_session()):
        channel.cursor = chunk.cursor
        chunks.append(chunk)
    return chunks


class Forum:
    """/posts.json of a forum whose visible post ids are `visible`: the 50 newest, or the 50 newest below
    `before`, newest first (what Discourse's PostsController#latest returns)."""

    def __init__(self, visible):
        self.visible = set(visible)
        self.requests = 0
        responses.add_callback(responses.GET, LATEST_URL, callback=self.answer)

    def answer(self, request):
        self.requests += 1
        before = parse_qs(urlsplit(request.url).query).get("before")
        below = sorted((i for i in self.visible if before is None or i < int(before[0])), reverse=True)
        return 200, {}, json.dumps(latest_page([post(i, topic=1 + i // 40, number=i % 40 + 1) for i in below[:50]]))


@responses.activate
def test_discourse_backlog_larger_than_budget_drains():
    # 3,000 post ids above the cursor, a seventh of them invisible (private messages, deleted posts): about
    # 2,570 posts, 52 pages, against a budget of 5 requests a poll.
    high = 1000
    backlog = [i for i in range(high + 1, high + 3001) if i % 7]
    forum = Forum([*range(900, high + 1), *backlog])
    channel = discourse_channel(
        config={**CONFIG, "max_requests_per_poll": 5},
        cursor={"version": 1, "base_url": CONFIG["base_url"], "mode": "latest", "latest": {"high": high}},
    )

    handed: list[int] = []
    per_poll = []
    marks = [high]
    for _ in range(200):
        chunks = poll(channel)
        assert sum(c.requests_made for c in chunks) <= 5
        for chunk in chunks:
            got = [int(m.external_id) for m in chunk.mentions]
            assert got == sorted(got)  # oldest first inside a chunk
            if handed and got:
                assert got[0] > handed[-1]  # and across chunks and polls
            handed += got
            mark = chunk.cursor["latest"]["high"]
            assert mark >= marks[-1]  # the cursor never moves back
            if got:
                assert mark >= got[-1] and mark > marks[-1]
            marks.append(mark)
        per_poll.append(sum(len(c.mentions) for c in chunks))
        if not chunks[-1].more:
            break

    print(f"discourse backlog: {len(backlog)} posts, per-poll counts {per_poll}, {forum.requests} requests")
    assert handed == backlog  # every post exactly once, oldest first
    assert channel.cursor["latest"]["high"] == backlog[-1] and channel.cursor["latest"]["gap"] is None
    assert len(per_poll) > 5 and all(n > 0 for n in per_poll[:-1])  # it took several polls, each made progress

    # New posts after the drain: one request, handed over once.
    forum.visible |= {high + 3001, high + 3002}
    [chunk] = poll(channel)
    assert [m.external_id for m in chunk.mentions] == [str(high + 3001), str(high + 3002)]
    assert chunk.requests_made == 1 and chunk.more is False


@responses.activate
def test_discourse_backlog_drains_with_a_budget_of_one_request():
    high = 100
    backlog = list(range(high + 1, high + 181))
    Forum([*range(1, high + 1), *backlog])
    channel = discourse_channel(
        config={**CONFIG, "max_requests_per_poll": 1},
        cursor={"version": 1, "base_url": CONFIG["base_url"], "mode": "latest", "latest": {"high": high}},
    )
    handed = []
    for _ in range(20):
        chunks = poll(channel)
        handed += [int(m.external_id) for c in chunks for m in c.mentions]
        if not chunks[-1].more and channel.cursor["latest"]["gap"] is None and handed:
            break
    assert handed == backlog


@responses.activate
def test_discourse_search_backlog_larger_than_budget_drains():
    # 12 pages of search results, newest first, against a budget of 3 requests a poll.
    newest = START
    after = (newest.date() - timedelta(days=1)).isoformat()
    results = [search_post(i, created_at=iso(START + timedelta(minutes=i))) for i in range(600, 0, -1)]

    def answer(request):
        query = parse_qs(urlsplit(request.url).query)
        assert query["q"] == [f"gitlab order:latest after:{after}"]
        page = int(query["page"][0])
        posts = results[(page - 1) * 50 : page * 50]
        grouped = {"post_ids": [p["id"] for p in posts], "more_full_page_results": page * 50 < len(results) or None}
        return 200, {}, json.dumps({"posts": posts, "topics": [], "grouped_search_result": grouped})

    responses.add_callback(responses.GET, SEARCH_URL, callback=answer)
    channel = discourse_channel(
        config={**CONFIG, "mode": "search", "query": "gitlab", "max_requests_per_poll": 3},
        cursor={
            "version": 1,
            "base_url": CONFIG["base_url"],
            "mode": "search",
            "search": {"query": "gitlab", "newest": iso(newest), "seen": {}},
        },
    )
    handed = []
    for _ in range(10):
        chunks = poll(channel)
        handed += [int(m.external_id) for c in chunks for m in c.mentions]
        if not chunks[-1].more:
            break
    assert sorted(handed) == list(range(1, 601)) and len(handed) == 600
    assert channel.cursor["search"]["newest"] == iso(START + timedelta(minutes=600))
    assert "resume" not in channel.cursor["search"]
