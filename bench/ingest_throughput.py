"""Ingest throughput: 100,000 Hacker News items (20% re-deliveries) through the real path.

Algolia search responses shaped like channels/tests/hn.py are built up front, parsed with
HackerNewsAdapter().parse_payload (timed separately) and stored with mentions_ingest in
pages of 1,000 with a cursor, as a poll does. Only the mentions_ingest calls are timed.

Run by hand, from the repository root:

    .venv/bin/python bench/ingest_throughput.py [--items 100000] [--page-size 1000] [--dup-rate 0.2]

It wipes the channel, ticket, message and event tables of the benchmark database
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/triage_bench) before it starts.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
from _detector_floor import detector_floor
from _detector_worker import DetectorWorker
from _ingest_dataset import Dataset, dataset_build, pages_generate

TARGET_PER_SECOND = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=100_000, help="items delivered, re-deliveries included")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--dup-rate", type=float, default=0.20, help="share of delivered items that are re-deliveries")
    parser.add_argument(
        "--analyze-every",
        type=int,
        default=10,
        help="ANALYZE the tables (untimed) every N ingest calls, as autovacuum keeps statistics fresh in a "
        "long-running deployment; 0 = never (cold statistics: the tables were just truncated)",
    )
    parser.add_argument(
        "--backfill",
        type=int,
        default=0,
        help="instead: stream this many items (e.g. 1000000) page by page, generated, parsed and stored one page "
        "at a time as a backfill does, and print the process's peak RSS as it goes",
    )
    parser.add_argument(
        "--stories",
        action="store_true",
        help="also run the story detector (stories.detection.detector.stories_detect, what the after-ingest hook "
        "runs in the worker) after each call, timed apart, and print what it costs the ingest's throughput "
        "(target <= 15%%)",
    )
    parser.add_argument(
        "--journey",
        action="store_true",
        help="also run the contributor journey's part of the worker's after-ingest task (people.journey.asked: each "
        'new ticket its requester\'s "asked" activity, their points and level) after each call, timed apart',
    )
    parser.add_argument(
        "--stories-worker",
        action="store_true",
        help="instead of --stories: run the story detector as a deployed desk does, in a process of its own beside "
        "the ingest, and print the ingest's throughput with it and how far the detector lagged behind",
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="cProfile the ingest calls and print this many top functions"
    )
    args = parser.parse_args()

    _common.setup_django()
    if args.backfill:
        backfill(args)
        return

    from django.db import connection

    from channels.adapters.hackernews import HackerNewsAdapter
    from channels.models import Channel
    from intake.pipeline import IngestResult, mentions_ingest
    from mentions.models import Message, Ticket, TicketEvent

    _common.machine_print()
    _common.truncate(*INGEST_TABLES)
    channel = Channel(kind="hackernews", name="Bench HN", slug="bench-hn", config={"keywords": ["gitlab"]})
    channel.save()

    t0 = time.perf_counter()
    data = dataset_build(items=args.items, page_size=args.page_size, dup_rate=args.dup_rate)
    print(
        f"payloads: {len(data.pages)} Algolia pages of {args.page_size}, {data.delivered:,} items delivered, "
        f"{data.distinct:,} distinct ids ({data.stories:,} stories, {data.comments:,} comments), "
        f"{data.redelivered:,} re-deliveries ({data.redelivered / data.delivered:.0%}); "
        f"built in {time.perf_counter() - t0:.1f}s (not timed)",
        flush=True,
    )

    adapter = HackerNewsAdapter()
    t0 = time.perf_counter()
    batches = [(adapter.parse_payload(page), page["_bench_cursor"]) for page in data.pages]
    parse_seconds = time.perf_counter() - t0
    assert sum(len(b) for b, _ in batches) == data.delivered

    # Production holds one page at a time: keep the prepared payloads out of the collector's way.
    gc.collect()
    gc.freeze()

    total = IngestResult()
    page_seconds: list[float] = []
    detect_seconds: list[float] = []
    detected = [0, 0, 0]
    if args.stories:
        from stories.detection.detector import stories_detect
    worker = DetectorWorker() if args.stories_worker else None
    journey_seconds: list[float] = []
    journey_moved = 0
    if args.journey:
        from mentions.models import Ticket
        from people.journey.asked import journey_after_ingest

        last_ticket = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    profile = cProfile.Profile() if args.profile else None
    for n, (batch, cursor) in enumerate(batches):
        if args.analyze_every and n and n % args.analyze_every == 0:
            with connection.cursor() as cur:
                cur.execute("ANALYZE mentions_message, mentions_ticket, mentions_ticketevent")
        if profile:
            profile.enable()
        t = time.perf_counter()
        result = mentions_ingest(channel=channel, mentions=batch, cursor=cursor)
        page_seconds.append(time.perf_counter() - t)
        if profile:
            profile.disable()
        for name, value in result.as_dict().items():
            setattr(total, name, getattr(total, name) + value)
        if args.journey:
            new = list(Ticket.objects.filter(pk__gt=last_ticket).values_list("pk", flat=True))  # untimed
            last_ticket = max(new, default=last_ticket)
            t = time.perf_counter()
            journey_moved += journey_after_ingest(ticket_ids=new, now=None, coverage=None).get(
                "journey_people_moved", 0
            )
            journey_seconds.append(time.perf_counter() - t)
        if args.stories:
            t = time.perf_counter()
            found = stories_detect()
            detect_seconds.append(time.perf_counter() - t)
            detected = [detected[0] + found.read, detected[1] + found.joined, detected[2] + found.made]
    ingest_seconds = sum(page_seconds)
    alongside = worker.finish() if worker else None
    gc.unfreeze()

    rate = data.delivered / ingest_seconds
    ordered = sorted(page_seconds)
    tenth = max(1, len(page_seconds) // 10)
    first_rate = sum(len(b) for b, _ in batches[:tenth]) / sum(page_seconds[:tenth])
    last_rate = sum(len(b) for b, _ in batches[-tenth:]) / sum(page_seconds[-tenth:])
    print()
    print("figures:")
    parse_rate = data.delivered / parse_seconds
    print(f"  parse (HackerNewsAdapter.parse_payload): {parse_seconds:.2f}s, {parse_rate:,.0f} items/s")
    stats = (
        f"ANALYZE every {args.analyze_every} calls, untimed" if args.analyze_every else "no ANALYZE: cold statistics"
    )
    print(f"  ingest (mentions_ingest, {len(batches)} calls; {stats}): {ingest_seconds:.2f}s wall")
    print(
        f"  throughput: {rate:,.0f} mentions/s delivered "
        f"({total.created / ingest_seconds:,.0f} new messages/s)  target >= {TARGET_PER_SECOND:,}/s: "
        f"{'PASS' if rate >= TARGET_PER_SECOND else 'MISS'}"
    )
    print(
        f"  per call: p50 {_common.percentile(ordered, 50) * 1000:.0f} ms, "
        f"p95 {_common.percentile(ordered, 95) * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms; "
        f"first {tenth} calls {first_rate:,.0f}/s, last {tenth} calls {last_rate:,.0f}/s"
    )
    print(
        f"  IngestResult sums: received {total.received:,}, created {total.created:,}, "
        f"duplicates {total.duplicates:,}, tickets_created {total.tickets_created:,}, threaded {total.threaded:,}, "
        f"our_replies {total.our_replies:,}"
    )

    if args.journey:
        spent = sum(journey_seconds)
        print(
            f"  journey in the worker (people.journey.asked after each call, {len(journey_seconds)} runs): "
            f"{spent:.2f}s, {spent / len(journey_seconds) * 1000:.0f} ms a page; {journey_moved:,} people's points "
            f"moved; ingest + journey {data.delivered / (ingest_seconds + spent):,.0f} mentions/s"
        )
    if args.stories:
        spent = sum(detect_seconds)
        both = data.delivered / (ingest_seconds + spent)
        cost = 1 - both / rate
        print(
            f"  story detector (stories_detect after each call, {len(detect_seconds)} runs): {spent:.2f}s; "
            f"{detected[0]:,} tickets read, {detected[1]:,} joined stories, {detected[2]:,} new stories"
        )
        print(
            f"  ingest + detector: {both:,.0f} mentions/s against {rate:,.0f}/s for the ingest alone: "
            f"{cost:.1%} of the throughput (target <= 15%: {'PASS' if cost <= 0.15 else 'MISS'})"
        )
    if alongside:
        print(
            f"  story detector in its own process beside the ingest: {alongside.runs:,} runs, "
            f"{alongside.busy_seconds:.2f}s busy; {alongside.read:,} tickets read, {alongside.joined:,} joined "
            f"stories, {alongside.made:,} new stories; done {alongside.drain_seconds:.2f}s after the ingest's end"
        )
        print(
            f"  ingest to the last ticket read: {data.delivered / (ingest_seconds + alongside.drain_seconds):,.0f} "
            "mentions/s (compare the ingest's throughput with a run without the detector)"
        )
    print(f"  load avg at the end: {_common.load_average()}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
    print()
    print("checks:")
    check = _common.Checks()

    messages = Message.objects.count()
    check("messages == distinct ids", messages == data.distinct, f"{messages:,} vs {data.distinct:,}")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM (SELECT 1 FROM mentions_message WHERE external_id IS NOT NULL "
            "GROUP BY channel_id, external_id HAVING count(*) > 1) d"
        )
        twice = cur.fetchone()[0]
        # A stored reply must sit in its parent's ticket; without a stored parent, in its story's.
        cur.execute(
            "SELECT count(*) FROM mentions_message m "
            "LEFT JOIN mentions_message p ON p.channel_id = m.channel_id AND p.external_id = m.parent_external_id "
            "LEFT JOIN mentions_message s ON s.channel_id = m.channel_id AND s.external_id = m.thread_external_id "
            "WHERE COALESCE(p.id, s.id) IS NOT NULL AND m.ticket_id IS DISTINCT FROM COALESCE(p.ticket_id, s.ticket_id)"
        )
        misthreaded = cur.fetchone()[0]
    check("no (channel, external_id) twice", twice == 0, f"{twice} repeated")
    check("created == distinct ids", total.created == data.distinct, f"{total.created:,}")
    check("duplicates == re-deliveries", total.duplicates == data.redelivered, f"{total.duplicates:,}")
    tickets = Ticket.objects.count()
    check(
        "tickets == expected",
        tickets == total.tickets_created == data.expected_tickets,
        f"{tickets:,} in DB, {total.tickets_created:,} reported, {data.expected_tickets:,} expected",
    )
    check(
        "threaded == expected",
        total.threaded == data.expected_threaded,
        f"{total.threaded:,} reported, {data.expected_threaded:,} expected",
    )
    check("replies in their parent's ticket", misthreaded == 0, f"{misthreaded} elsewhere")
    created_events = TicketEvent.objects.filter(kind=TicketEvent.Kind.CREATED).count()
    check("one 'created' event per ticket", created_events == tickets, f"{created_events:,}")
    channel.refresh_from_db()
    check("cursor saved", channel.cursor == batches[-1][1], f"created_at_i={channel.cursor.get('created_at_i')}")
    if args.stories:
        detector_floor(len(detect_seconds) and sum(detect_seconds), ingest_seconds)
    floor = copy_floor()
    print()
    print("floor (PostgreSQL COPY of exactly the rows stored above, same tables, triggers on, one transaction):")
    for table, (rows, seconds) in floor.items():
        print(f"  {table}: {rows:,} rows in {seconds:.2f}s")
    floor_seconds = sum(seconds for _, seconds in floor.values())
    mentions_floor = sum(seconds for table, (_, seconds) in floor.items() if table in FLOOR_TABLES)
    # mentions_ingest's time includes stage 7 (each message tied to its author's person, each new ticket to its
    # requester): the floor counts the people rows it wrote too, so the ratio compares the same work (issue 41).
    print(
        f"  COPY floor: {floor_seconds:.2f}s with the people rows ({mentions_floor:.2f}s without) = "
        f"{data.delivered / floor_seconds:,.0f} delivered mentions/s; mentions_ingest {ingest_seconds:.2f}s "
        f"(people linking included): ratio {ingest_seconds / floor_seconds:.2f}x "
        f"(target <= 1.8x: {'PASS' if ingest_seconds <= 1.8 * floor_seconds else 'MISS'}; "
        f"{ingest_seconds / mentions_floor:.2f}x the floor without the people rows)"
    )
    per_mention = {t: rows / data.distinct for t, (rows, _) in floor.items()}
    print("  rows per new mention: " + ", ".join(f"{t} {n:.2f}" for t, n in per_mention.items()))
    check.exit_if_failed()


# What an ingest writes: the people tables go with people_person (CASCADE), so each run meets new authors.
INGEST_TABLES = (
    "channels_channel",
    "mentions_message",
    "mentions_ticketevent",
    "mentions_ticket_tags",
    "mentions_ticket",
    "people_person",
    # The story detector's own counts (its other tables go with mentions_ticket).
    "stories_termday",
    "stories_detectorstate",
    "stories_story",
)
FLOOR_TABLES = ("mentions_ticket", "mentions_message", "mentions_ticketevent", "mentions_ticket_tags")
# What stage 7 (authors) writes for a page: the people, their handles, who wrote each message, who asked each ticket;
# with --journey, also each ticket as its requester's "asked" activity (issue 46: the worker's part, timed apart).
PEOPLE_TABLES: tuple[str, ...] = ("people_person", "people_identity", "people_authorship", "people_requester")
PEOPLE_TABLES += ("people_personevent", "people_activity")


def copy_floor() -> dict[str, tuple[int, float]]:
    """Dump what ingest stored, empty the tables, and time COPY putting the same rows back."""
    import io

    from django.db import connection, transaction

    dumps: dict[str, tuple[str, io.StringIO, int]] = {}
    with connection.cursor() as cur:
        for table in FLOOR_TABLES + PEOPLE_TABLES:
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_generated = 'NEVER' "
                "ORDER BY ordinal_position",
                [table],
            )
            columns = ", ".join(row[0] for row in cur.fetchall())
            buffer = io.StringIO()
            cur.cursor.copy_expert(f"COPY (SELECT {columns} FROM {table} ORDER BY 1) TO STDOUT", buffer)
            cur.execute(f"SELECT count(*) FROM {table}")
            rows = cur.fetchone()[0]
            if rows or table in FLOOR_TABLES:
                dumps[table] = (columns, buffer, rows)
        cur.execute(f"TRUNCATE {', '.join(dumps)} CASCADE")
        cur.execute("CHECKPOINT")
    timings: dict[str, tuple[int, float]] = {}
    with transaction.atomic(), connection.cursor() as cur:
        for table, (columns, buffer, rows) in dumps.items():
            buffer.seek(0)
            t = time.perf_counter()
            cur.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            timings[table] = (rows, time.perf_counter() - t)
        t = time.perf_counter()
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign key checks, counted with the rows
        first = next(iter(timings))
        timings[first] = (timings[first][0], timings[first][1] + time.perf_counter() - t)
    return timings


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def backfill(args: argparse.Namespace) -> None:
    """A backfill of `args.backfill` items: generated, parsed and stored one page at a time."""
    import resource

    from channels.adapters.hackernews import HackerNewsAdapter
    from channels.models import Channel
    from intake.pipeline import IngestResult, mentions_ingest
    from mentions.models import Message

    _common.machine_print()
    _common.truncate(*INGEST_TABLES)
    channel = Channel(kind="hackernews", name="Bench HN", slug="bench-hn", config={"keywords": ["gitlab"]})
    channel.save()
    adapter = HackerNewsAdapter()
    data = Dataset()
    total = IngestResult()
    pages = pages_generate(data, items=args.backfill, page_size=args.page_size, dup_rate=args.dup_rate, window=20)
    start_rss = _rss_mib()
    print(f"backfill: {args.backfill:,} items in pages of {args.page_size:,}; RSS at start {start_rss:.0f} MiB")
    t0 = time.perf_counter()
    report_every = max(1, 100_000 // args.page_size)
    from django.db import connection

    for n, page in enumerate(pages, start=1):
        if args.analyze_every and n % args.analyze_every == 0:
            with connection.cursor() as cur:  # as autovacuum would (it may be off on a bench machine)
                cur.execute("ANALYZE mentions_message, mentions_ticket, mentions_ticketevent")
        total.add(mentions_ingest(channel=channel, mentions=adapter.parse_payload(page), cursor=page["_bench_cursor"]))
        if n % report_every == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {total.received:>9,} items: RSS {_rss_mib():.0f} MiB, peak {peak:.0f} MiB, "
                f"{total.received / (time.perf_counter() - t0):,.0f} items/s (parse included)",
                flush=True,
            )
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"done: {total.received:,} received, {total.created:,} created, {total.duplicates:,} duplicates, "
        f"{total.tickets_created:,} tickets in {seconds:.0f}s; messages in the database {Message.objects.count():,}"
    )
    print(f"peak RSS {peak:.0f} MiB (start {start_rss:.0f} MiB)")


if __name__ == "__main__":
    main()
