"""Issue 11, item 1: a Hacker News channel with 10,000 hits in its backfill window and the DEFAULT paging
(100 hits a page, 30 requests a poll) drains over successive polls, oldest first, every hit stored once, every
poll making progress. Driven through the real poll service against a fake Algolia that pages like the real one
(newest first, never past the 1,000th hit)."""

import itertools
import random
import time
from typing import Any

import pytest
import responses

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import ingested, stored
from channels.tests.hn import FakeAlgolia, comment_hit, story_hit
from intake.services.polling import channel_poll
from mentions.models import Message

pytestmark = pytest.mark.django_db


def backlog_hits(now, count, *, rng):
    """`count` hits matching "gitlab" in the last 24 hours: spread at random, a burst of 600 sharing one second,
    300 more sharing another; one in five a story, the others comments on one of them."""
    seconds = [now - 86_400 + 120 + rng.randrange(86_400 - 600) for _ in range(count - 900)]
    burst, second_burst = now - 50_000, now - 20_000
    seconds += [burst] * 600 + [second_burst] * 300
    rng.shuffle(seconds)
    hits: list[dict[str, Any]] = []
    stories: list[int] = []
    for n, created in enumerate(seconds, start=1_000_000):
        if n % 5 == 0 or not stories:
            hits.append(story_hit(n, created, title=f"GitLab story {n}"))
            stories.append(n)
        else:
            parent = rng.choice(stories)
            hits.append(comment_hit(n, created, text=f"gitlab comment {n}", parent_id=parent, story_id=parent))
    return hits


def noise(now):
    """Hits the channel must not receive: other words, older than the backfill window, a tag outside the query."""
    other = [comment_hit(9_000_000 + i, now - 3_000 - i, text="github only") for i in range(50)]
    old = [comment_hit(9_100_000 + i, now - 90_000 - i * 60, text="gitlab, but too old") for i in range(50)]
    poll_option = comment_hit(9_200_000, now - 4_000, text="gitlab poll option")
    poll_option["_tags"] = ["pollopt", "author_alice"]
    return [*other, *old, poll_option]


def received_until_drained(channel: Channel) -> list[int]:
    """What each poll received, polling until one receives nothing (30 polls at most)."""
    received: list[int] = []
    for _ in range(30):
        received.append(ingested(channel_poll(channel_id=channel.pk)).received)
        if received[-1] == 0:
            break
    return received


@responses.activate
def test_backlog_of_10000_drains_oldest_first_with_default_paging():
    now = int(time.time())
    hits = backlog_hits(now, 10_000, rng=random.Random(11))
    algolia = FakeAlgolia([*hits, *noise(now)])
    channel = ChannelFactory()  # the default config: {"keywords": ["gitlab"]}, 100 a page, 30 requests a poll
    assert channel.config == {"keywords": ["gitlab"]}

    received, requests_per_poll, cursors = [], [], [channel.cursor]
    for _ in range(40):
        before = len(algolia.requests)
        outcome = channel_poll(channel_id=channel.pk)
        assert outcome.status == "ok", outcome.error
        requests_per_poll.append(len(algolia.requests) - before)
        assert outcome.result is not None
        received.append(outcome.result.received)
        channel.refresh_from_db()
        cursors.append(channel.cursor)
        if outcome.result.received == 0:
            break
    print(f"\nhackernews backlog of 10,000: per-poll received {received}, requests {requests_per_poll}")

    assert received[-1] == 0 and len(received) > 2
    assert all(n > 0 for n in received[:-1])  # every poll made progress until drained
    assert all(a != b for a, b in itertools.pairwise(cursors[:-1]))  # the cursor moved every poll
    assert all(r <= 30 for r in requests_per_poll)
    assert sum(received) == 10_000
    stored = list(Message.objects.filter(channel=channel).order_by("pk").values_list("external_id", "created_at"))
    assert len(stored) == 10_000
    assert {e for e, _ in stored} == {h["objectID"] for h in hits}  # exactly the window's hits, none of the noise
    times = [t for _, t in stored]
    assert times == sorted(times)  # handed over and stored oldest first
    assert channel.health == Channel.Health.OK
    assert channel.cursor["created_at_i"] == max(h["created_at_i"] for h in hits)

    # Drained: a poll with nothing new costs one request; two new hits cost one request and arrive once.
    before = len(algolia.requests)
    assert ingested(channel_poll(channel_id=channel.pk)).received == 0
    assert len(algolia.requests) - before == 1
    algolia.add(comment_hit(2_000_001, now - 5, text="gitlab again"), story_hit(2_000_002, now - 4))
    before = len(algolia.requests)
    assert ingested(channel_poll(channel_id=channel.pk)).received == 2
    assert len(algolia.requests) - before == 1
    assert Message.objects.filter(channel=channel).count() == 10_002


@responses.activate
def test_a_second_holding_more_hits_than_a_page_is_read_whole_across_polls():
    """700 hits in one second, 100 a page and 3 requests a poll: the boundary second's ids in the cursor keep
    every hit exactly once while `from` stays on that second."""
    now = int(time.time())
    second = now - 7_200
    hits = [comment_hit(5_000 + i, second, text="gitlab") for i in range(700)]
    hits += [comment_hit(6_000 + i, second - 100 + i * 300, text="gitlab") for i in range(10)]
    algolia = FakeAlgolia(hits)
    channel = ChannelFactory(config={"keywords": ["gitlab"], "max_requests_per_poll": 3})
    received = received_until_drained(channel)
    print(f"\nhackernews one busy second: per-poll received {received}, {len(algolia.requests)} requests")
    assert stored(channel) == sorted(h["objectID"] for h in hits)
    assert all(n > 0 for n in received[:-1])


@responses.activate
def test_two_keywords_share_the_budget_and_both_drain():
    now = int(time.time())
    gitlab = [comment_hit(10_000 + i, now - 80_000 + i * 30, text="gitlab") for i in range(1_500)]
    runner = [comment_hit(20_000 + i, now - 70_000 + i * 40, text="runner") for i in range(1_200)]
    both = [comment_hit(30_000 + i, now - 60_000 + i, text="gitlab runner") for i in range(20)]
    FakeAlgolia([*gitlab, *runner, *both])
    channel = ChannelFactory(config={"keywords": ["gitlab", "runner"], "max_requests_per_poll": 8})
    received = received_until_drained(channel)
    assert Message.objects.filter(channel=channel).count() == 2_720
    assert all(n > 0 for n in received[:-1])
