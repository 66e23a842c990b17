"""The story detector over an imported history: N tickets spread over a year (default 1,000,000), loaded in
PostgreSQL with set-based INSERT ... SELECT, then read by the detector as the deployed desk reads them after an
import (`manage.py stories_update`: stories_detect(sweep=True)). Prints tickets/s, the total time, the stories
formed and the peak RSS.

Run by hand, from the repository root:

    .venv/bin/python bench/stories_history.py [--tickets 1000000] [--reuse]

The history: ordinary mentions written in bench/_pages_vocabulary.py's Zipf-like vocabulary, one every
~30 s at 1,000,000 tickets, and every BLOCK tickets a burst of BURST mentions within 50 minutes that tell one
story, in turn a release ("gitlab 17.4 released ... <feature words>"), an outage ("gitlab.com down, 502 ...",
tagged #downtime by the triage rules as the seeded rule does) and a shared link (a blog post's URL, written in
different ways). Ticket ids follow time, as an import in posting order gives them.

It wipes the ticket, message, tag and story tables of the benchmark database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/triage_bench_stories) before it loads; `--reuse` keeps the loaded tickets
and only wipes the detector's tables (to time the detector again on the same history).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_stories")
if os.environ.get("BENCH_CODE"):  # time another tree's detector (a "before") on the same history
    sys.path.insert(0, os.environ["BENCH_CODE"])
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # so _common does not put this tree first
import _common
from _cpu import CpuMeter
from _pages_vocabulary import vocabulary

BLOCK = 5000  # tickets between the starts of two bursts
BURST = 150  # mentions of one burst

# Tickets in posting order: ordinary ones evenly over the year, a burst's compressed into 50 minutes in the
# middle of its block (ids are given by the ORDER BY, so they follow time).
LOAD_TICKETS = """
INSERT INTO mentions_ticket (
    subject, status, priority, high_priority, requester_handle, requester_name, requester_url, reply_draft,
    requested_at, first_reply_at, first_reply_seconds, first_reply_business_seconds, solved_at,
    created_at, updated_at, assignee_id, channel_id, served_to_id, served_view_id,
    reply_from_role, sla_due_at, sla_target, sla_breached, followup_at, merged_into_id,
    judgement, intent, sentiment, language, judgement_reason, judged_by
)
SELECT subject, 'solved', 'normal', false, 'user' || (g * 7919 %% 250000), 'User ' || (g * 7919 %% 250000),
       'https://example.com/u/' || (g * 7919 %% 250000), '',
       requested_at, NULL, NULL, NULL, requested_at + interval '3 hours',
       now(), now(), NULL, channel_id, NULL, NULL, '', requested_at + interval '1 day', 'all', false, NULL, NULL,
       '', '', '', '', '', ''
FROM (
    SELECT g, (%(channels)s::bigint[])[1 + (g * 31) %% cardinality(%(channels)s::bigint[])] AS channel_id,
           CASE WHEN burst THEN
                %(start)s::timestamptz + (%(year)s::float8 * (g - pos + %(block)s / 2) / %(n)s) * interval '1 second'
                + pos * (3000.0 / %(burst)s) * interval '1 second'
           ELSE %(start)s::timestamptz + (%(year)s::float8 * g / %(n)s) * interval '1 second'
                + (g * 17 %% 60) * interval '1 second' END AS requested_at,
           CASE WHEN burst AND b %% 3 = 0 THEN 'GitLab 17.' || (b %% 12) || ' ' || v[300 + b %% 1500] || ' '
                     || v[1800 + b %% 1200]
                WHEN burst AND b %% 3 = 1 THEN 'gitlab.com down? 502 ' || v[2100 + b %% 900]
                WHEN burst THEN 'Read this: ' || v[400 + b %% 1400] || ' ' || v[2400 + b %% 600]
                ELSE (SELECT string_agg(w[floor(power(cardinality(w), random()))::int], ' ')
                        FROM (SELECT v AS w) AS voc, generate_series(1, 4 + g %% 6)) END AS subject
    FROM (
        SELECT g, g %% %(block)s AS pos, g / %(block)s AS b, (g %% %(block)s) < %(burst)s AS burst,
               %(vocab)s::text[] AS v
        FROM generate_series(1::bigint, %(n)s) AS g
    ) AS c
    ORDER BY requested_at, g
) AS s
"""

# One inbound message per ticket (its first mention): a burst's share its story's words and, for a shared
# link, the link in one of the ways people paste it; the rest 8-40 Zipf-drawn words.
LOAD_MESSAGES = """
INSERT INTO mentions_message (
    ticket_id, channel_id, kind, external_id, parent_external_id, thread_external_id, author_handle,
    author_name, author_url, author_user_id, title, body, permalink, platform_created_at, raw, mentioned,
    edited_at, deleted_at, created_at, updated_at
)
SELECT t.id, t.channel_id, 'inbound', 't' || t.id, '', 't' || t.id, t.requester_handle, t.requester_name,
       t.requester_url, NULL, t.subject,
       CASE WHEN t.subject LIKE 'GitLab 17.%%' THEN 'just upgraded, ' || t.subject || ' ' || words
            WHEN t.subject LIKE 'gitlab.com down? 502%%' THEN 'anyone else? pipelines stuck, ' || t.subject
                 || ' ' || words
            WHEN t.subject LIKE 'Read this: %%' THEN
                 (ARRAY['https://blog.example.com/posts/', 'http://www.blog.example.com/posts/',
                        'https://blog.example.com/posts/'])[1 + t.id %% 3]
                 || replace(substr(t.subject, 12), ' ', '-')
                 || (ARRAY['', '/', '?utm_source=twitter'])[1 + t.id %% 3] || ' ' || words
            ELSE words END,
       'https://example.com/t/' || t.id, t.requested_at, '{}'::jsonb, '[]'::jsonb, NULL, NULL,
       t.requested_at, t.requested_at
FROM mentions_ticket t
CROSS JOIN LATERAL (
    SELECT string_agg(v[floor(power(cardinality(v), random()))::int], ' ') AS words
    FROM (SELECT %(vocab)s::text[] AS v) AS voc, generate_series(1, 8 + (t.id * 7) %% 33)
) AS w
"""

# ~30% of tickets get a tag (Zipf-like), and an outage's mentions #downtime, as the seeded rule tags them.
LOAD_TICKET_TAGS = """
INSERT INTO mentions_ticket_tags (ticket_id, tag_id)
SELECT DISTINCT ticket_id, tag_id FROM (
    SELECT t.id AS ticket_id,
           (%(tags)s::bigint[])[floor(power(cardinality(%(tags)s::bigint[]), random()))::int] AS tag_id
    FROM mentions_ticket t WHERE t.id %% 10 < 3
    UNION ALL
    SELECT t.id, %(downtime)s FROM mentions_ticket t WHERE t.subject LIKE 'gitlab.com down? 502%%'
) AS picked
"""

TAGS = ["ci", "registry", "runner", "pricing", "downtime", "kubernetes", "docker", "security", "billing", "bug",
        "docs", "performance", "release"]  # fmt: skip
CHANNELS = (("twitter", "X / Twitter"), ("reddit", "Reddit"), ("hackernews", "Hacker News"))
DETECTOR_TABLES = (
    "stories_membership",
    "stories_signature",
    "stories_key",
    "stories_exclusion",
    "stories_spikealert",
    "stories_statusincident",
    "stories_story",
    "stories_termday",
    "stories_meaningday",
    "stories_detectorstate",
)


def load(n: int, days: float) -> None:
    from django.db import connection

    from mentions.models import Tag

    _common.truncate(
        "mentions_ticketevent", "mentions_message", "mentions_ticket_tags", "mentions_ticket", "mentions_tag",
        *DETECTOR_TABLES,
    )  # fmt: skip
    vocab = vocabulary()
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM mentions_view_channels")
        cur.execute("DELETE FROM channels_channel WHERE slug LIKE 'bench-%%'", [])
        channel_ids = []
        for i, (kind, name) in enumerate(CHANNELS):
            cur.execute(
                """
                INSERT INTO channels_channel (kind, name, slug, enabled, high_priority, poll_interval_seconds, config,
                    our_accounts, slack_channel, credentials_encrypted, platform_status, usage, cursor, health,
                    last_error, consecutive_failures, lease_token, created_at, updated_at)
                VALUES (%s, %s, %s, true, false, 300, '{}', '[]', '', '', '{}', '{}', '{}', 'ok', '', 0, '', now(),
                    now())
                RETURNING id
                """,
                [kind, f"Bench {name}", f"bench-{i}"],
            )
            channel_ids.append(cur.fetchone()[0])
    tags = {name: Tag.objects.create(name=name).pk for name in TAGS}
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE mentions_ticket DISABLE TRIGGER USER")  # a bulk import: no KPI rollups
        try:
            step = time.perf_counter()
            cur.execute(
                LOAD_TICKETS,
                {
                    "n": n, "channels": channel_ids, "vocab": vocab, "block": BLOCK, "burst": BURST,
                    "start": "2025-11-01T00:00:00Z", "year": days * 86400.0,
                },
            )  # fmt: skip
            print(f"  tickets:  {time.perf_counter() - step:.0f}s", flush=True)
            step = time.perf_counter()
            cur.execute(LOAD_MESSAGES, {"vocab": vocab})
            print(f"  messages: {time.perf_counter() - step:.0f}s", flush=True)
            step = time.perf_counter()
            cur.execute(LOAD_TICKET_TAGS, {"tags": list(tags.values()), "downtime": tags["downtime"]})
            print(f"  tags:     {time.perf_counter() - step:.0f}s", flush=True)
        finally:
            cur.execute("ALTER TABLE mentions_ticket ENABLE TRIGGER USER")
        for table in ("mentions_ticket", "mentions_message", "mentions_ticket_tags"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*) FROM mentions_ticket")
        loaded = cur.fetchone()[0]
    print(f"loaded {loaded:,} tickets in {time.perf_counter() - started:.0f}s", flush=True)


def meanings_compute() -> None:
    """Each ticket's meaning vector, as the judgement task stores it after the ingest (mentions.meaning): computed
    once per ticket, before the detector is timed, which only reads it. Skipped for tickets that have one."""
    from django.db.models import Exists, OuterRef

    from mentions.meaning import ticket_vectors
    from mentions.models import Ticket, TicketMeaning

    # NOT EXISTS: the ORM's NOT IN over a million vectors is planned as a subplan rescanned per ticket.
    stored = TicketMeaning.objects.filter(ticket_id=OuterRef("pk"))
    missing = list(Ticket.objects.filter(~Exists(stored)).order_by("pk").values_list("pk", flat=True))
    if not missing:
        return
    started = time.perf_counter()
    with CpuMeter() as meter:
        for i in range(0, len(missing), 500):
            ticket_vectors(missing[i : i + 500])
    spent = time.perf_counter() - started
    print(
        f"meanings (the judgement's, once per ticket): {len(missing):,} embedded in {spent:.0f}s, "
        f"{meter.cpu.total * 1000 / len(missing):.1f} ms of CPU each",
        flush=True,
    )


HASHED_DIMS = 384  # all-MiniLM-L6-v2's width, so the detector reads them as it reads the model's


def meanings_hash() -> None:
    """Each ticket's meaning vector made from its words instead of the model: a fixed random direction per word,
    summed over the words of its subject and first mention, plus a direction every mention shares (every mention
    of a product is a little alike), L2-normalised and stored as the model's are (float16, under the model's name).
    A burst's mentions share words, so they are near each other in meaning as the model puts them; ordinary ones
    are not. The model costs ~24 ms of CPU a ticket on this bench's texts (6.7 hours for a million, the judgement's
    work, not the detector's); this costs a few microseconds, so a million-ticket history can be timed. The
    detector's work is the same whatever the vectors hold."""
    import re

    import numpy as np
    from django.db import connection

    from advocacy.embeddings import model_name

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM mentions_ticket t WHERE NOT EXISTS "
            "(SELECT 1 FROM mentions_ticketmeaning m WHERE m.ticket_id = t.id)"
        )
        if not cur.fetchone()[0]:
            return
    started = time.perf_counter()
    rng = np.random.default_rng(41)
    shared = rng.standard_normal(HASHED_DIMS).astype(np.float32)
    directions: dict[str, np.ndarray] = {}
    word_re = re.compile(r"[a-z0-9][a-z0-9.]*")
    model = model_name()
    done = 0

    def direction(word: str) -> np.ndarray:
        found = directions.get(word)
        if found is None:
            seed = int.from_bytes(word.encode()[:32].ljust(32, b"\0"), "little") % (2**63)
            found = np.random.default_rng(seed).standard_normal(HASHED_DIMS).astype(np.float32)
            directions[word] = found
        return found

    with connection.cursor() as reader:
        reader.execute(
            "SELECT t.id, t.subject || ' ' || left(m.body, 1000) FROM mentions_ticket t "
            "JOIN mentions_message m ON m.ticket_id = t.id AND m.kind = 'inbound' "
            "WHERE NOT EXISTS (SELECT 1 FROM mentions_ticketmeaning x WHERE x.ticket_id = t.id) ORDER BY t.id"
        )
        while rows := reader.fetchmany(20000):
            lines = []
            for ticket_id, text in rows:
                vector = 2.0 * shared
                for word in word_re.findall(text.lower()):
                    vector = vector + direction(word)
                vector /= max(float(np.linalg.norm(vector)), 1e-9)
                lines.append(f"{ticket_id}\t{model}\t\\\\x{vector.astype(np.float16).tobytes().hex()}\tnow\n")
            with connection.cursor() as writer:
                writer.copy_expert(
                    "COPY mentions_ticketmeaning (ticket_id, model, vector, created_at) FROM STDIN",
                    io.StringIO("".join(lines)),
                )
            done += len(rows)
    print(f"meanings (hashed words, not the model): {done:,} in {time.perf_counter() - started:.0f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=365, help="the span of the history (a smaller one is denser)")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded tickets; wipe only the detector's tables")
    parser.add_argument("--load-only", action="store_true", help="load the history and stop (time the detector later)")
    parser.add_argument("--profile", metavar="FILE", help="run the detector under cProfile and dump the stats here")
    parser.add_argument(
        "--no-meanings", action="store_true", help="do not embed the tickets first (the judgement's work) when missing"
    )
    parser.add_argument(
        "--hashed-meanings",
        action="store_true",
        help="make the missing vectors from hashed words, not the model (a million at the model's 24 ms: 6.7 hours)",
    )
    args = parser.parse_args()
    _common.setup_django()
    _common.machine_print()
    if args.reuse:
        _common.truncate(*DETECTOR_TABLES)
    else:
        load(args.tickets, args.days)
    if args.hashed_meanings:
        meanings_hash()
    if not args.no_meanings:
        meanings_compute()
    if args.load_only:
        return
    from django.db import connection

    from stories.detection.detector import stories_detect
    from stories.models import Story

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM mentions_ticket")
        tickets = cur.fetchone()[0]
    print(f"load avg before the detector: {_common.load_average()}", flush=True)
    started = time.perf_counter()
    with CpuMeter() as meter:
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            result = profiler.runcall(stories_detect, sweep=True)
            profiler.dump_stats(args.profile)
        else:
            result = stories_detect(sweep=True)  # what `manage.py stories_update` runs after an import
    spent = time.perf_counter() - started
    cpu = meter.cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stories = Story.objects.filter(merged_into__isnull=True).count()
    merged = Story.objects.filter(merged_into__isnull=False).count()
    print(
        f"detector: {result.read:,} of {tickets:,} tickets read in {spent:.1f}s = {result.read / spent:,.0f} "
        "tickets/s; "
        f"{result.joined:,} joined stories; {stories:,} stories formed ({merged:,} more merged into them); "
        f"peak RSS {rss:,.0f} MiB; load avg after {_common.load_average()}",
        flush=True,
    )
    # Wall time on a shared machine moves with the other work; the CPU of this process and its backend does not.
    print(
        f"CPU: {cpu.app:.1f}s in the detector's process + {cpu.db:.1f}s in its PostgreSQL backend = "
        f"{cpu.total * 1000 / max(1, result.read):.2f} ms per ticket ({result.read / max(cpu.total, 1e-9):,.0f} "
        "tickets per CPU-second)",
        flush=True,
    )
    target = 1_000_000 / 1800
    met = "met" if result.read / spent >= target else "NOT met"
    print(f"target >= {target:,.0f} tickets/s (1,000,000 in 30 min): {met}")


if __name__ == "__main__":
    main()
