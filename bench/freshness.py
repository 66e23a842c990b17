"""Freshness: how long a mention takes from being posted to being visible in the queue, at default settings.

The desk's own polling loop runs in real time: a beat thread dispatches the channels that are due
every DESK_DISPATCH_SECONDS (`channels_due` + `channel_mark_dispatched`, as the `intake.poll_due`
task does) and two worker threads poll them (`channel_poll`, as the `intake.poll` task does).
Three channels are created with no interval set (each platform's default): Hacker News answered by
the demo replay transport, Reddit and Discourse answered by local fakes in their recorded shapes.
On each, a new mention is posted every `--every` seconds. A mention's latency is the commit time
of its stored message minus its time on the platform. Not modelled: the platforms' own indexing
delay (Algolia's is typically seconds).

Run by hand, from the repository root (DATABASE_URL defaults to a *_bench database, wiped first):

    .venv/bin/python bench/freshness.py [--minutes 5] [--every 3]
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

TARGET_MEDIAN_SECONDS = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--every", type=int, default=3, help="seconds between two new mentions on each platform")
    args = parser.parse_args()
    _common.setup_django()

    import responses
    from django.conf import settings
    from django.db import connection, connections

    from channels.adapters.discourse.tests.test_discourse_adapter import LATEST_URL, iso, latest_page
    from channels.adapters.discourse.tests.test_discourse_adapter import post as discourse_post
    from channels.adapters.hackernews import replay
    from channels.adapters.reddit import API_URL, AUTH_URL
    from channels.adapters.reddit.tests.test_reddit_adapter import RATELIMIT, listing
    from channels.adapters.reddit.tests.test_reddit_adapter import post as reddit_post
    from channels.models import Channel
    from intake.services.polling import channel_mark_dispatched, channel_poll, channels_due
    from mentions.models import Message

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE channels_channel, mentions_ticket, mentions_message, mentions_ticketevent"
            " RESTART IDENTITY CASCADE"
        )
    start = int(time.time()) + 2
    every = args.every

    def posted(now: float) -> int:
        """How many mentions each platform has had by `now` (the n-th at start + n * every)."""
        return max(0, int((now - start) // every) + 1)

    # Hacker News: the demo's replay transport, its timeline starting now.
    replay.EPOCH, replay.SECONDS_PER_ITEM = start, every

    def reddit_new(request):
        if request.params.get("after"):
            return 200, RATELIMIT, json.dumps(listing([]))
        count = posted(time.time())
        things = [reddit_post(f"b{n:05d}", start + n * every, title=f"GitLab question {n}") for n in range(count)]
        return 200, RATELIMIT, json.dumps(listing(list(reversed(things))[:100]))

    def forum_latest(request):
        from datetime import UTC, datetime

        before = request.params.get("before")
        ids = [n + 1 for n in range(posted(time.time()))]
        below = [i for i in reversed(ids) if before is None or i < int(before)][:50]
        made = [
            discourse_post(i, topic=1000 + i, created_at=iso(datetime.fromtimestamp(start + (i - 1) * every, UTC)))
            for i in below
        ]
        return 200, {}, json.dumps(latest_page(made))

    fake = responses.RequestsMock(assert_all_requests_are_fired=False)
    fake.post(AUTH_URL, json={"access_token": "bench", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
    fake.add_callback(responses.GET, f"{API_URL}/r/gitlab/new", callback=reddit_new)
    fake.add_callback(responses.GET, LATEST_URL, callback=forum_latest)

    hn = Channel.objects.create(
        kind="hackernews", name="HN", slug="hn", config={"keywords": ["gitlab"], "replay": True}
    )
    reddit = Channel.objects.create(
        kind="reddit", name="Reddit", slug="reddit", config={"subreddits": ["gitlab"], "include_comments": False}
    )
    reddit.credentials = {"client_id": "bench-app", "client_secret": "bench"}
    reddit.save()
    forum = Channel.objects.create(
        kind="discourse", name="Forum", slug="forum", config={"base_url": "https://forum.example.com"}
    )
    channels = {hn.pk: "Hacker News", reddit.pk: "Reddit", forum.pk: "Discourse"}
    intervals = {name: Channel.objects.get(pk=pk).poll_interval_seconds or "automatic" for pk, name in channels.items()}

    stop = threading.Event()
    due: queue.Queue[int] = queue.Queue()

    def beat() -> None:
        while not stop.is_set():
            for channel_id in channels_due():
                if channel_mark_dispatched(channel_id=channel_id):
                    due.put(channel_id)
            stop.wait(settings.DESK_DISPATCH_SECONDS)
        connections.close_all()

    def worker() -> None:
        while not stop.is_set():
            try:
                channel_id = due.get(timeout=0.5)
            except queue.Empty:
                continue
            channel_poll(channel_id=channel_id)
        connections.close_all()

    print(
        f"Posting a mention every {every} s on each platform for {args.minutes:g} min; "
        f"dispatch every {settings.DESK_DISPATCH_SECONDS} s; intervals set: {intervals}"
    )
    with fake:
        time.sleep(max(0.0, start - time.time()))
        threads = [threading.Thread(target=beat), threading.Thread(target=worker), threading.Thread(target=worker)]
        for thread in threads:
            thread.start()
        time.sleep(args.minutes * 60)
        stop.set()
        for thread in threads:
            thread.join()
    end = time.time()

    print(f"{'platform':<12} {'posted':>6} {'visible':>7} {'median s':>9} {'p90 s':>7} {'max s':>7}  polls")
    worst_median = 0.0
    for pk, name in channels.items():
        seen_at = {
            round(at.timestamp()): (seen - at).total_seconds()
            for at, seen in Message.objects.filter(channel_id=pk).values_list("platform_created_at", "created_at")
        }
        # Everything posted up to a minute before the end counts; one not visible by the end counts with the
        # time it had waited (a lower bound), so a slow default cannot hide in the tail.
        made = posted(end - 60)
        times = [start + n * every for n in range(made)]
        latencies = sorted(seen_at.get(at, end - at) for at in times)
        visible = sum(1 for at in times if at in seen_at)
        if not latencies:
            print(f"{name:<12} {made:>6} {0:>7}  nothing posted")
            continue
        p90 = latencies[int(0.9 * (len(latencies) - 1))]
        median = statistics.median(latencies)
        worst_median = max(worst_median, median)
        polls = (Channel.objects.get(pk=pk).usage or {}).get("polls", "?")
        print(f"{name:<12} {made:>6} {visible:>7} {median:>9.1f} {p90:>7.1f} {latencies[-1]:>7.1f}  {polls}")
    verdict = "meets" if worst_median <= TARGET_MEDIAN_SECONDS else "misses"
    print(f"Target: median <= {TARGET_MEDIAN_SECONDS} s on each: {verdict} (worst median {worst_median:.1f} s).")


if __name__ == "__main__":
    main()
