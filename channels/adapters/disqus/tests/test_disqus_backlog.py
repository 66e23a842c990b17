"""A Disqus backlog larger than one poll's request budget drains over successive polls through the real poll
service (`channel_poll`), oldest first, each page committed with the cursor just after it."""

import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from django.utils import timezone

from channels.adapters.disqus.tests.test_disqus_adapter import CONFIG, LIST_URL, disqus_channel, guest, post
from channels.tests.harness import poll, stored
from mentions.models import Message

pytestmark = pytest.mark.django_db


class Forum:
    """forums/listPosts of one forum: posts with `createdAt >= since`, oldest first (`order=asc`), 100 a page,
    `cursor.next` naming the position of the next page in that listing (as Disqus's opaque cursors do)."""

    def __init__(self, posts):
        self.posts = list(posts)
        self.requests = []
        responses.add_callback(responses.GET, LIST_URL, callback=self.answer)

    def answer(self, request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        self.requests.append(query)
        assert query["order"] == "asc" and query["limit"] == "100"
        since = int(query["since"])
        listing = [p for p in self.posts if _epoch(p["createdAt"]) >= since]
        start = int(query["cursor"].split(":")[1]) if "cursor" in query else 0
        page = listing[start : start + 100]
        more = start + 100 < len(listing)
        cursor = {"prev": None, "hasNext": more, "next": f"{since}:{start + 100}:0", "hasPrev": start > 0}
        return (
            200,
            {},
            json.dumps(
                {
                    "cursor": {**cursor, "total": None, "id": f"{since}:{start}:0", "more": more},
                    "code": 0,
                    "response": page,
                }
            ),
        )


def _epoch(created):
    return int(datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp())


@responses.activate
def test_disqus_backlog_larger_than_budget_drains_over_successive_polls():
    now = int(time.time())
    base = now - 2 * 86400
    backlog = [post(i, base + i * 30, author=guest(f"Reader {i}")) for i in range(1, 2351)]  # 2,350 comments
    forum = Forum(backlog)
    budget = 5  # 500 comments a poll
    channel = disqus_channel(
        config={**CONFIG, "max_requests_per_poll": budget},
        cursor={"version": 1, "since": base, "seen": {}},
    )

    per_poll, cursors, handed = [], [dict(channel.cursor)], []
    for number in range(1, 30):
        calls_before = len(forum.requests)
        outcome = poll(channel)
        assert outcome.status == "ok", outcome.error
        assert len(forum.requests) - calls_before <= budget
        assert outcome.result is not None
        per_poll.append(outcome.result.received)
        assert channel.cursor != cursors[-1] or outcome.result.received == 0  # the cursor moved with what was read
        cursors.append(dict(channel.cursor))
        handed += [q.get("cursor") for q in forum.requests[calls_before:]]
        if number == 2:
            # Comments arriving mid-drain come after the backlog (ascending order), not before it.
            forum.posts += [post(9001, now - 60), post(9002, now - 30)]
        if "walk" in channel.cursor:
            # A backlog remains: the next poll comes soon, not after the channel's interval.
            assert (channel.next_poll_at - timezone.now()).total_seconds() <= 16
        if outcome.result.received == 0:
            break

    print(f"disqus backlog: 2352 comments, budget {budget} requests, per-poll received {per_poll}")
    ids = list(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == 2352  # every comment stored exactly once
    assert per_poll == [500, 500, 500, 500, 352, 0]
    assert len([c for c in handed if c is None]) == 2  # a new walk only after one ended: the first and the last poll
    assert cursors[-1]["since"] == now - 30 and "walk" not in cursors[-1]
    in_order = stored(channel, order="stored")
    assert [int(i) for i in in_order] == sorted(int(i) for i in in_order)  # stored oldest first, chunk by chunk
