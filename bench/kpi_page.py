"""KPI dashboard server time at 1,000,000 tickets and 5,000,000 events (PostgreSQL).

Loads a year and a bit of tickets (10 channels, 2 high-priority, 20 advocates, ~90% replied,
~85% solved, tags) plus five audit events per ticket, then requests the whole KPI page as a
manager for a 30-day and a 365-day range and prints the server time (the view, its queries and
the template, measured around the test client's request) and the query count. Before each
request 20 of today's tickets get a first reply and an event, so every request also pays for
refreshing today's rollups, as on a working desk. Targets: at most 300 ms for 30 days and 1 s
for 365 days.

    .venv/bin/python bench/kpi_page.py [--tickets 1000000] [--repeat 5] [--keep]

It wipes the ticket, event, tag and channel tables of the benchmark database (DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/triage_bench) unless --keep reuses a loaded one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

TARGETS_MS = {30: 300.0, 365: 1000.0}

LOAD_TICKETS = """
INSERT INTO mentions_ticket (
    subject, status, priority, high_priority, requester_handle, requester_name, requester_url, reply_draft,
    requested_at, first_reply_at, first_reply_seconds, first_reply_business_seconds, solved_at,
    created_at, updated_at, assignee_id, channel_id, served_to_id, served_view_id,
    reply_from_role, sla_target, sla_breached
)
SELECT 'KPI bench ticket ' || g,
       CASE WHEN solved THEN 'solved' WHEN replied THEN 'pending' ELSE 'new' END,
       'normal', ch %% 5 = 0, '', '', '', '',
       requested_at,
       CASE WHEN replied THEN requested_at + frt END,
       CASE WHEN replied THEN extract(epoch FROM frt)::bigint END,
       CASE WHEN replied THEN (extract(epoch FROM frt) * 0.6)::bigint END,
       CASE WHEN solved THEN requested_at + frt + interval '2 hours' END,
       now(), now(),
       CASE WHEN replied THEN (%(users)s::bigint[])[1 + g %% cardinality(%(users)s::bigint[])] END,
       (%(channels)s::bigint[])[1 + ch],
       NULL, NULL, '', '', false
FROM (
    SELECT g, g %% 10 AS ch,
           now() - random() * interval '400 days' AS requested_at,
           random() < 0.9 AS replied,
           random() < 0.85 AS solved,
           (interval '1 minute' * (random() ^ 3 * 4000)) AS frt
    FROM generate_series(1, %(n)s) AS g
) AS s
"""

# Five events per ticket: created, assigned by play, replied, solved, a tag added.
LOAD_EVENTS = """
INSERT INTO mentions_ticketevent (ticket_id, actor_id, kind, data, created_at, updated_at)
SELECT t.id,
       CASE WHEN k = 1 THEN NULL ELSE t.assignee_id END,
       (ARRAY['created', 'assigned', 'replied', 'status', 'tag_added'])[k],
       CASE k WHEN 2 THEN '{"via": "play", "view": "all"}'::jsonb
              WHEN 4 THEN '{"from": "open", "to": "solved"}'::jsonb
              WHEN 5 THEN jsonb_build_object('tag', (ARRAY['ci', 'registry', 'pricing', 'expert-responded',
                                                          'reached-out-to-expert', 'downtime'])[1 + t.id %% 6])
              ELSE '{}'::jsonb END,
       t.requested_at + (k - 1) * interval '20 minutes',
       now()
FROM mentions_ticket t CROSS JOIN generate_series(1, 5) AS k
"""


def load(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from channels.models import Channel
    from mentions.permissions.roles import ADVOCATES, MANAGERS, roles_ensure

    _common.truncate("mentions_ticketevent", "mentions_message", "mentions_ticket_tags", "mentions_ticket")
    Channel.objects.filter(slug__startswith="kpi-bench-").delete()
    roles_ensure()
    channels = [
        Channel.objects.create(
            kind="webhook", name=f"KPI bench {i}", slug=f"kpi-bench-{i}", config={}, high_priority=(i % 5 == 0)
        ).pk
        for i in range(10)
    ]
    User = get_user_model()
    advocates = []
    for i in range(20):
        user, _ = User.objects.get_or_create(username=f"kpi-bench-advocate-{i}")
        user.groups.add(Group.objects.get(name=ADVOCATES))
        advocates.append(user.pk)
    manager, _ = User.objects.get_or_create(username="kpi-bench-manager")
    manager.groups.add(Group.objects.get(name=MANAGERS))
    started = time.perf_counter()
    with connection.cursor() as cur:
        # A bulk import, as `manage.py kpi_rollups --rebuild` documents: the rollup triggers are switched off
        # for the load (marking 5M events' days row by row is not what they are for) and every day is built
        # once afterwards.
        cur.execute("ALTER TABLE mentions_ticket DISABLE TRIGGER USER")
        cur.execute("ALTER TABLE mentions_ticketevent DISABLE TRIGGER USER")
        try:
            cur.execute(LOAD_TICKETS, {"n": n, "users": advocates, "channels": channels})
            cur.execute(LOAD_EVENTS, {})  # params given, so %% reaches PostgreSQL as %
        finally:
            cur.execute("ALTER TABLE mentions_ticket ENABLE TRIGGER USER")
            cur.execute("ALTER TABLE mentions_ticketevent ENABLE TRIGGER USER")
        cur.execute("VACUUM ANALYZE mentions_ticket")
        cur.execute("VACUUM ANALYZE mentions_ticketevent")
        cur.execute("SELECT count(*) FROM mentions_ticket")
        tickets = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM mentions_ticketevent")
        events = cur.fetchone()[0]
    print(f"loaded {tickets:,} tickets and {events:,} events in {time.perf_counter() - started:.1f}s", flush=True)
    _common.rollups_rebuilt()


def live_activity(advocate_id: int) -> None:
    """What a working desk does between two page views: 20 tickets of today get their first reply and an
    advocate's action, so today's rollups are stale and the request pays for their refresh."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            WITH picked AS (
                SELECT id FROM mentions_ticket WHERE requested_at >= date_trunc('day', now())
                ORDER BY random() LIMIT 20
            )
            UPDATE mentions_ticket t SET first_reply_at = now(), status = 'pending',
                   first_reply_seconds = extract(epoch FROM now() - t.requested_at)::bigint,
                   first_reply_business_seconds = extract(epoch FROM now() - t.requested_at)::bigint
            FROM picked WHERE t.id = picked.id RETURNING t.id
            """
        )
        ids = [row[0] for row in cur.fetchall()]
        cur.execute(
            """
            INSERT INTO mentions_ticketevent (ticket_id, actor_id, kind, data, created_at, updated_at)
            SELECT id, %s, 'replied', '{}'::jsonb, now(), now() FROM unnest(%s::bigint[]) id
            """,
            [advocate_id, ids],
        )


def measure(days: int, repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="kpi-bench-manager"))
    advocate_id = get_user_model().objects.get(username="kpi-bench-advocate-0").pk
    end = date.today()
    start = end - timedelta(days=days - 1)
    url = f"/kpi/?from={start.isoformat()}&to={end.isoformat()}"
    timings, queries = _common.timed_gets(client, url, repeat, before=lambda: live_activity(advocate_id))
    median = statistics.median(timings)
    verdict = "PASS" if median <= TARGETS_MS[days] else "MISS"
    print(
        f"  {days:>3}-day range: median {median:.0f} ms, min {min(timings):.0f} ms, max {max(timings):.0f} ms "
        f"over {repeat} requests; {queries} queries; target <= {TARGETS_MS[days]:.0f} ms: {verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the tickets already loaded")
    args = parser.parse_args()
    _common.setup_django()
    _common.machine_print()
    if not args.keep:
        load(args.tickets)
    print("KPI page server time (GET /kpi/ as a manager):")
    for days in (30, 365):
        measure(days, args.repeat)
    print(f"  load avg at the end: {_common.load_average()}")


if __name__ == "__main__":
    main()
