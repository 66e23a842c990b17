"""The Community figures' server time (issue 70): GET /api/analytics/volume/ (each grouping),
/api/analytics/returning/, /api/analytics/share-of-voice/ and the page /kpi/community/, as a manager, on
PostgreSQL, at a chosen size (default 20,000 tickets).

Loads tickets over 400 days on 10 channels of the registry's first platforms (sentiment, intent and judgement
spread over their choices, subjects from a small vocabulary), one person per four tickets with an identity and the
tickets' requester rows, then builds the rollups once. Each URL is requested `--repeat` times after a warm-up, for a
30-day and a 365-day range; printed: median, min, max server time (the view, its queries and its rendering, around
the test client's request) and the query count. Targets (issue 70): each API call <= 200 ms; growth from 20,000 to
1,000,000 tickets <= 20 %.

    .venv/bin/python bench/analytics_api.py [--tickets 20000] [--repeat 5] [--keep] [--only TEXT]

The page is measured five times: as served from its cached figures (a second view while nothing changed), rebuilt
(the KPI version bumped before each request, as any change to a ticket does), and rebuilt after a past day changed
(the most active members' stamp moved too with nobody logged, as a truncate does, and a merge of two people did
until metrics.0017: the ranking of the past days is read again, metrics.community.active_past), and a fourth time
after a past day
changed for three people (three tickets of 100 days ago merged away and back in turn: the refresh rebuilds that day
and logs the three, whose past the kept ranking then follows, metrics.community.past_kept), and a fifth after two
members were merged or split (one identity moved between two people and back in turn: the refresh rebuilds both
people's person-days and logs them).

It wipes the ticket, message, event, people and channel tables of the benchmark database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/triage_bench) unless --keep reuses a loaded one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

TARGET_MS = 200.0
WORDS = ["pipeline", "runner", "cache", "registry", "pricing", "outage", "review", "merge", "security", "license"]

LOAD_TICKETS = """
INSERT INTO mentions_ticket (
    subject, status, priority, high_priority, requester_handle, requester_name, requester_url, reply_draft,
    requested_at, first_reply_at, first_reply_seconds, first_reply_business_seconds, created_at, updated_at,
    channel_id, reply_from_role, sla_target, sla_breached, sentiment, intent, judgement, judged_by
)
SELECT (%(words)s::text[])[1 + g %% 10] || ' ' || (%(words)s::text[])[1 + (g / 10) %% 10] || ' question',
       'solved', 'normal', false, 'member' || g %% %(people)s, '', '', '',
       requested_at,
       CASE WHEN replied THEN requested_at + frt END,
       CASE WHEN replied THEN extract(epoch FROM frt)::bigint END,
       CASE WHEN replied THEN extract(epoch FROM frt)::bigint END,
       now(), now(),
       (%(channels)s::bigint[])[1 + g %% 10], '', '', false,
       (ARRAY['positive', 'neutral', 'negative', ''])[1 + g %% 4],
       (ARRAY['question', 'bug', 'feature_request', 'outage', 'praise', 'complaint', 'other', ''])[1 + g %% 8],
       (ARRAY['needs_response', 'worth_knowing', 'noise'])[1 + g %% 3], 'desk'
FROM (
    SELECT g, now() - random() * interval '400 days' AS requested_at, random() < 0.9 AS replied,
           (interval '1 minute' * (random() ^ 3 * 1000)) AS frt
    FROM generate_series(1, %(n)s) AS g
) AS s
ORDER BY CASE WHEN %(arrival)s THEN requested_at END
"""
LOAD_PEOPLE = """
INSERT INTO people_person (name, notes, region, time_zone, links, created_at, updated_at, points)
SELECT 'Member ' || g, '', '', '', '', now(), now(), 0 FROM generate_series(1, %(people)s) g;
INSERT INTO people_identity (person_id, platform, key, handle, name, url, audience_kind, created_at)
SELECT g, %(platform)s, 'member' || g, 'member' || g, '', '', '', now() FROM generate_series(1, %(people)s) g;
INSERT INTO people_requester (ticket_id, identity_id) SELECT id, 1 + id %% %(people)s FROM mentions_ticket;
"""


def load(n: int, *, scattered: bool = False) -> None:
    """`n` tickets, stored in the order they were requested, as a desk's ingestion appends them (a day's tickets on
    neighbouring pages of the table, their ids and requester rows in the same order); `scattered`: in random order
    of day, as runs before 2026-11-29 18:00 UTC loaded them (a day's tickets, at 1,000,000, on ~2,500 pages apart)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from channels.adapters.registry import platforms
    from channels.models import Channel
    from mentions.permissions.roles import MANAGERS, roles_ensure

    _common.truncate("people_requester", "people_identity", "people_person", "mentions_ticketevent",
                     "mentions_message", "mentions_ticket_tags", "mentions_ticket")  # fmt: skip
    Channel.objects.filter(slug__startswith="analytics-bench-").delete()
    roles_ensure()
    kinds = [p.kind for p in platforms()]
    # bulk_create: a channel's save() checks its platform's configuration, which a bench channel never polls.
    made = Channel.objects.bulk_create(
        Channel(kind=kinds[i % len(kinds)], name=f"Bench {i}", slug=f"analytics-bench-{i}", config={})
        for i in range(10)
    )
    channels = [c.pk for c in made]
    manager, _ = get_user_model().objects.get_or_create(username="analytics-bench-manager")
    manager.groups.add(Group.objects.get(name=MANAGERS))
    people = max(1, n // 4)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE mentions_ticket DISABLE TRIGGER USER")  # every day is built once, below
        try:
            cur.execute(LOAD_TICKETS, {"n": n, "channels": channels, "words": WORDS, "people": people,
                                       "arrival": not scattered})  # fmt: skip
        finally:
            cur.execute("ALTER TABLE mentions_ticket ENABLE TRIGGER USER")
        cur.execute(LOAD_PEOPLE, {"people": people, "platform": kinds[0]})
        for table in ("mentions_ticket", "people_person", "people_identity", "people_requester"):
            cur.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded {n:,} tickets and {people:,} people in {time.perf_counter() - started:.1f}s", flush=True)
    _common.rollups_rebuilt()


# The rollups and their queues of days and people to rebuild. The queues are emptied by every refresh: after the
# first build, the people's held 250,000 dead rows at 1M, which "is anything to rebuild?" (every read's first query)
# scanned on each request, 1.2 ms, until a vacuum (this bench's PostgreSQL runs without autovacuum).
ROLLUP_TABLES = ("metrics_communityday", "metrics_communitysentimentday", "metrics_communitytermday",
                 "metrics_communityidentityday", "metrics_communitymember", "metrics_competitorday",
                 "metrics_communitynewcomerday", "metrics_rollupdirty", "metrics_communitymemberdirty",
                 "metrics_communitychoiceday", "metrics_communitypersonday", "metrics_communityrankchange",
                 "metrics_communitytermsumday")  # fmt: skip


def rollups_vacuumed() -> None:
    """As autovacuum would soon after a load or a rebuild: the dead rows of the rollups' tables gone, the planner's
    counts of the new ones."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in ROLLUP_TABLES:
            cur.execute(f"VACUUM ANALYZE {table}")


def newcomer_days_built() -> None:
    """The returning members' day rollup counted with the targets in force, timed: after a load (or the migration
    that adds it, on a --keep database) this is its build from CommunityMember, what the first read after an admin
    changes a first-reply target pays; otherwise one query (rollups_vacuumed follows)."""
    from django.db import connection

    from mentions.models import Target
    from metrics.community.members import newcomers_ensure

    started = time.perf_counter()
    newcomers_ensure(Target.hours())
    took = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), coalesce(sum(members), 0) FROM metrics_communitynewcomerday")
        rows, newcomers = cur.fetchone()
    print(f"returning members' days: {rows:,} rows for {newcomers:,} newcomers, ensured in {took:.2f}s", flush=True)


LOAD_COMPETITOR_MENTIONS = """
INSERT INTO channels_competitormention (competitor_id, channel_id, kind, external_id, posted_at, sentiment, author,
                                        created_at)
SELECT (%(competitors)s::bigint[])[1 + g %% 2], %(channel)s, %(kind)s, 'bench-' || g,
       now() - random() * interval '400 days', (ARRAY['positive', 'neutral', 'negative'])[1 + g %% 3], '', now()
FROM generate_series(1, %(n)s) AS g
"""


def competitors_load(n: int) -> None:
    """Two competitors and a tenth as many of their mentions as tickets, over the same 400 days (once: a --keep run
    on a database loaded before share of voice gets them too). One INSERT, as a poll stores its batch: the rollup's
    triggers count it in the same statement (metrics.competitor_rollup), and the count is checked against the rows."""
    from django.db import connection

    from channels.models import Channel, Competitor, CompetitorMention

    if CompetitorMention.objects.filter(external_id__startswith="bench-").exists():
        competitor_days_check()
        return
    made = [Competitor.objects.get_or_create(name=name, defaults={"terms": [name.lower()]})[0] for name in ("Acme CI",
            "Forgeworks")]  # fmt: skip
    channel = Channel.objects.filter(slug__startswith="analytics-bench-").order_by("pk").first()
    assert channel is not None, "no bench channel: load the tickets first (without --keep)"
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(LOAD_COMPETITOR_MENTIONS, {"competitors": [c.pk for c in made], "channel": channel.pk,
                                               "kind": channel.kind, "n": max(1, n // 10)})  # fmt: skip
        cur.execute("VACUUM ANALYZE channels_competitormention")
        cur.execute("VACUUM ANALYZE metrics_competitorday")  # as autovacuum would soon after
    took = time.perf_counter() - started  # the INSERT with its rollup trigger, and both tables' ANALYZE
    print(f"loaded {max(1, n // 10):,} competitor mentions in {took:.1f}s", flush=True)
    competitor_days_check()


def competitor_days_check() -> None:
    """The share of voice's competitor rollup equals the mentions grouped by day, or the run stops: a figure read
    from a rollup the load left wrong would not be worth printing."""
    from metrics.share_of_voice import theirs_rollup, theirs_source

    everything: dict[str, Any] = {"start": date(2000, 1, 1), "end": date(2100, 12, 31)}
    rollup = theirs_rollup(**everything)
    if rollup != theirs_source(**everything):
        sys.exit("the competitor days differ from the competitor mentions grouped by day")
    print(f"competitor days: {len(rollup):,} rows, {sum(r[3] for r in rollup):,} mentions, equal to the rows grouped")


ONLY = ""


def past_changed() -> None:
    """What a change to a past day's mentions (or a truncate) does before the next view: both stamps move."""
    from django.db import connection

    from metrics.community.past_stamp import BUMP_SQL
    from metrics.rollups import kpi_version_bump

    with connection.cursor() as cursor:
        cursor.execute(BUMP_SQL)
    kpi_version_bump()


_TOGGLED: dict[str, list[int]] = {}  # per database (analytics_growth.py switches): the tickets toggled, the target


def past_few_changed() -> None:
    """A past day changed for a few people, as the refresh sees it: three tickets of three people, 100 days ago,
    merged away and back in turn (each toggle makes them not counted, or counted again). The next view's refresh
    rebuilds that day, and the most active members' kept ranking follows those three people's past
    (metrics.community.past_kept; before it, the range was ranked again)."""
    from django.db import connection

    from mentions.models import Ticket

    toggled = _TOGGLED.setdefault(connection.settings_dict["NAME"], [])
    if not toggled:
        # The day 100 days ago, or the nearest earlier one with a ticket (the smoke test's 400 tickets over 400 days
        # leave days empty). One UTC day, the rollups' (the settings' time zone may not be UTC).
        for back in range(100, 200):
            since = datetime.combine(date.today() - timedelta(days=back), datetime.min.time(), tzinfo=UTC)
            tickets = Ticket.objects.filter(
                requested_at__gte=since,
                requested_at__lt=since + timedelta(days=1),
                merged_into__isnull=True,
                requester__isnull=False,
            )
            if tickets.exists():
                break
        seen: set[int] = set()
        for pk, person in tickets.order_by("pk").values_list("pk", "requester__identity__person_id"):
            if person not in seen and len(seen) < 3:
                seen.add(person)
                toggled.append(pk)
        # The ticket they merge into: any other (a merge's target need not be of that day).
        into = Ticket.objects.exclude(pk__in=toggled).filter(merged_into__isnull=True).order_by("pk").first()
        assert toggled and into is not None, "the bench's database holds too few tickets to toggle"
        toggled.append(into.pk)
    *three, target = toggled
    merged = Ticket.objects.filter(pk__in=three, merged_into__isnull=False)
    if merged.exists():
        merged.update(merged_into=None)
    else:
        Ticket.objects.filter(pk__in=three).update(merged_into=target)


_MERGED: dict[str, list[int]] = {}  # per database: the identity moved, its own person, the person it joins


def people_merged() -> None:
    """Two members merged, then split again, in turn: one identity of a member with tickets 100 days ago moved to
    another member and back, as people.services' merge and split move identities. The next view's refresh rebuilds
    both people's person-days and logs them; the kept ranking follows the two (metrics.0017; before it, the identity's
    trigger moved the stamp logging nobody and the range was ranked again)."""
    from django.db import connection

    from mentions.models import Ticket
    from people.models import Identity

    moved = _MERGED.setdefault(connection.settings_dict["NAME"], [])
    if not moved:
        past = Ticket.objects.filter(requester__isnull=False, requested_at__lt=datetime.now(UTC) - timedelta(days=100))
        first, other = past.order_by("-requested_at", "pk").values_list("requester__identity_id", flat=True)[:50:49]
        people = dict(Identity.objects.filter(pk__in=[first, other]).values_list("pk", "person_id"))
        assert people[first] != people[other], "the bench's two members are one person"
        moved += [first, people[first], people[other]]
    identity_id, own, joined = moved
    now = Identity.objects.filter(pk=identity_id).values_list("person_id", flat=True).get()
    Identity.objects.filter(pk=identity_id).update(person_id=joined if now == own else own)


def measure(url: str, repeat: int, *, rebuilt: str = "") -> float:
    """The median server time of `url`; `rebuilt` "today": the page's cached figures retired before each request
    (what the first view after any change pays), "past": the kept ranking of past days too; "": served as a second
    view within the same minute is."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from metrics.rollups import kpi_version_bump

    if ONLY not in url:
        return 0.0
    client = Client()
    client.force_login(get_user_model().objects.get(username="analytics-bench-manager"))
    before = {"today": kpi_version_bump, "past": past_changed, "few": past_few_changed, "merged": people_merged}.get(
        rebuilt
    )
    timings, queries = _common.timed_gets(client, url, repeat, before=before)
    median = statistics.median(timings)
    verdict = (
        {
            "today": " (rebuilt)",
            "past": " (rebuilt, past changed)",
            "few": " (a past day changed for 3 people)",
            "merged": " (two people merged or split)",
        }.get(rebuilt, " (cached)")
        if url.startswith("/kpi/")
        else ("  PASS" if median <= TARGET_MS else "  MISS")
    )
    print(f"  {url:<78} median {median:6.0f} ms  min {min(timings):6.0f}  max {max(timings):6.0f}  "
          f"{queries:3d} queries{verdict}", flush=True)  # fmt: skip
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the tickets already loaded")
    parser.add_argument("--only", default="", help="measure only the URLs containing this text")
    parser.add_argument(
        "--scattered",
        action="store_true",
        help="store the tickets in random order of day, not in the order they were requested",
    )
    args = parser.parse_args()
    global ONLY
    ONLY = args.only
    _common.setup_django()
    _common.machine_print()
    if not args.keep:
        load(args.tickets, scattered=args.scattered)
    from mentions.models import Ticket

    competitors_load(args.tickets if not args.keep else Ticket.objects.count())
    newcomer_days_built()
    rollups_vacuumed()  # also after --keep: whatever ran on the database since
    print("Community figures, server time as a manager (the API signs in by session here, as the page does):")
    for days in (30, 365):
        end = date.today()
        query = f"from={end - timedelta(days=days - 1)}&to={end}"
        for group in ("platform", "sentiment", "intent", "judgement"):
            measure(f"/api/analytics/volume/?{query}&group={group}", args.repeat)
        measure(f"/api/analytics/returning/?{query}", args.repeat)
        measure(f"/api/analytics/share-of-voice/?{query}&by=week", args.repeat)
        measure(f"/kpi/community/?{query}", args.repeat)
        measure(f"/kpi/community/?{query}", args.repeat, rebuilt="today")
        measure(f"/kpi/community/?{query}", args.repeat, rebuilt="past")
        measure(f"/kpi/community/?{query}", args.repeat, rebuilt="few")
        measure(f"/kpi/community/?{query}", args.repeat, rebuilt="merged")
    print(f"  load avg at the end: {_common.load_average()}")


if __name__ == "__main__":
    main()
