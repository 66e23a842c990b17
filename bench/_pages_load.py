"""Loading the benchmark database of bench/pages.py: tickets, messages, events and tags by
generate_series in PostgreSQL, channels, advocates and a manager."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")
import _common
from _pages_vocabulary import vocabulary

ADVOCATE_COUNT = 20


def _one(cur: Any) -> Any:
    """The single value a query such as count(*) answers."""
    row = cur.fetchone()
    assert row is not None, "the query answered no row"
    return row[0]


# ids follow generate_series: the tables are truncated with RESTART IDENTITY before the load.
# Classes by g: 0.3% waiting (new/open, unassigned, last 3 days), 0.6% with an advocate (open or
# pending, last 14 days), the rest solved over the last two years.
LOAD_TICKETS = """
INSERT INTO mentions_ticket (
    subject, status, priority, high_priority, requester_handle, requester_name, requester_url, reply_draft,
    requested_at, first_reply_at, first_reply_seconds, first_reply_business_seconds, solved_at,
    created_at, updated_at, assignee_id, channel_id, served_to_id, served_view_id,
    reply_from_role, sla_due_at, sla_target, sla_breached, followup_at, merged_into_id,
    intent, judged_by, judgement, judgement_reason, language, sentiment
)
SELECT subject,
       CASE cls WHEN 'waiting' THEN (CASE WHEN g %% 2 = 0 THEN 'new' ELSE 'open' END)
                WHEN 'assigned' THEN (CASE WHEN g %% 3 = 0 THEN 'pending' ELSE 'open' END)
                ELSE 'solved' END,
       CASE WHEN g %% 97 = 0 THEN 'urgent' WHEN hp THEN 'high' ELSE 'normal' END,
       hp OR g %% 97 = 0,
       'user' || (g * 7919 %% 250000), 'User ' || (g * 7919 %% 250000),
       'https://example.com/u/' || (g * 7919 %% 250000), '',
       requested_at,
       CASE WHEN cls = 'solved' OR (cls = 'assigned' AND g %% 3 = 0) THEN requested_at + frt END,
       CASE WHEN cls = 'solved' OR (cls = 'assigned' AND g %% 3 = 0) THEN extract(epoch FROM frt)::bigint END,
       CASE WHEN cls = 'solved' OR (cls = 'assigned' AND g %% 3 = 0)
            THEN (extract(epoch FROM frt) * 0.6)::bigint END,
       CASE WHEN cls = 'solved' THEN requested_at + frt + interval '3 hours' END,
       requested_at, requested_at,
       CASE WHEN cls <> 'waiting' THEN (%(users)s::int[])[1 + g %% cardinality(%(users)s::int[])] END,
       channel_id, NULL, NULL, '',
       requested_at + CASE WHEN hp THEN interval '4 hours' ELSE interval '1 day' END,
       CASE WHEN hp THEN 'high_priority' ELSE 'all' END,
       cls <> 'waiting' AND frt > interval '1 day',
       NULL, NULL,
       '', '', '', '', '', ''
FROM (
    SELECT g, cls, (%(channels)s::bigint[])[1 + ch] AS channel_id, ch = ANY (%(hp_channels)s::int[]) AS hp,
           CASE cls WHEN 'waiting' THEN now() - random() * interval '3 days'
                    WHEN 'assigned' THEN now() - random() * interval '14 days'
                    ELSE now() - interval '3 days' - random() * interval '727 days' END AS requested_at,
           interval '1 minute' * (random() ^ 3 * 3000) AS frt,
           (SELECT string_agg(v[floor(power(cardinality(v), random()))::int], ' ')
              FROM (SELECT %(vocab)s::text[] AS v) AS voc, generate_series(1, 4 + g %% 6)) AS subject
    FROM (
        SELECT g, (g * 31) %% 8 AS ch,
               CASE WHEN g %% 331 = 0 THEN 'waiting' WHEN g %% 167 = 1 THEN 'assigned' ELSE 'solved' END AS cls
        FROM generate_series(1::bigint, %(n)s) AS g
    ) AS c
) AS s
"""

# 1 + id %% 5 messages per ticket (3 on average): the request, then replies and follow-ups in turn, a note
# as the fourth. Bodies are 8 to 40 words drawn with p(rank k) ~ 1/k from the vocabulary.
LOAD_MESSAGES = """
INSERT INTO mentions_message (
    ticket_id, channel_id, kind, external_id, parent_external_id, thread_external_id, author_handle,
    author_name, author_url, author_user_id, title, body, permalink, platform_created_at, raw, mentioned,
    edited_at, deleted_at, created_at, updated_at, media
)
SELECT t.id, t.channel_id, kind,
       CASE WHEN kind = 'inbound' THEN 't' || t.id || '-' || j END,
       CASE WHEN j > 0 AND kind = 'inbound' THEN 't' || t.id || '-0' ELSE '' END,
       CASE WHEN kind = 'inbound' THEN 't' || t.id || '-0' ELSE '' END,
       CASE WHEN kind = 'inbound' THEN t.requester_handle ELSE '' END,
       CASE WHEN kind = 'inbound' THEN t.requester_name ELSE '' END,
       CASE WHEN kind = 'inbound' THEN t.requester_url ELSE '' END,
       CASE WHEN kind <> 'inbound' THEN t.assignee_id END,
       CASE WHEN j = 0 THEN t.subject ELSE '' END,
       (SELECT string_agg(v[floor(power(cardinality(v), random()))::int], ' ')
          FROM (SELECT %(vocab)s::text[] AS v) AS voc, generate_series(1, 8 + (t.id * 7 + j * 13) %% 33)),
       CASE WHEN kind = 'inbound' THEN 'https://example.com/t/' || t.id || '/' || j ELSE '' END,
       t.requested_at + j * interval '47 minutes', '{}'::jsonb, '[]'::jsonb, NULL, NULL,
       t.requested_at + j * interval '47 minutes', t.requested_at + j * interval '47 minutes', '[]'::jsonb
FROM mentions_ticket t
CROSS JOIN LATERAL generate_series(0, t.id %% 5) AS j
CROSS JOIN LATERAL (
    SELECT CASE WHEN j = 0 THEN 'inbound'
                WHEN j = 3 THEN 'note'
                WHEN t.assignee_id IS NULL THEN 'inbound'
                WHEN j %% 2 = 1 THEN 'our_reply' ELSE 'inbound' END AS kind
) AS k
"""

# A created event per ticket, assigned + replied for the answered ones, a status change for the solved.
LOAD_EVENTS = """
INSERT INTO mentions_ticketevent (ticket_id, actor_id, kind, data, created_at, updated_at)
SELECT t.id, NULL, 'created', '{}'::jsonb, t.requested_at, t.requested_at FROM mentions_ticket t
UNION ALL
SELECT t.id, t.assignee_id, 'assigned', '{"via": "play", "view": "all"}'::jsonb,
       t.requested_at + interval '1 minute', t.requested_at + interval '1 minute'
FROM mentions_ticket t WHERE t.assignee_id IS NOT NULL
UNION ALL
SELECT t.id, t.assignee_id, 'replied', '{}'::jsonb, t.first_reply_at, t.first_reply_at
FROM mentions_ticket t WHERE t.first_reply_at IS NOT NULL
UNION ALL
SELECT t.id, t.assignee_id, 'status', '{"from": "pending", "to": "solved"}'::jsonb, t.solved_at, t.solved_at
FROM mentions_ticket t WHERE t.solved_at IS NOT NULL
"""

TAGS = [
    "ci",
    "registry",
    "runner",
    "pricing",
    "outage",
    "downtime",
    "kubernetes",
    "docker",
    "security",
    "billing",
    "praise",
    "feature-request",
    "bug",
    "docs",
    "performance",
    "migration",
    "auth",
    "api",
    "self-managed",
    "saas",
    "expert-responded",
    "reached-out-to-expert",
    "competitor",
    "tutorial",
    "release",
]

# ~30% of tickets get a tag (a Zipf-like choice), every tenth a second one.
LOAD_TICKET_TAGS = """
INSERT INTO mentions_ticket_tags (ticket_id, tag_id)
SELECT DISTINCT ticket_id, tag_id FROM (
    SELECT t.id AS ticket_id,
           (%(tags)s::bigint[])[floor(power(cardinality(%(tags)s::bigint[]), random()))::int] AS tag_id
    FROM mentions_ticket t WHERE t.id %% 10 < 3
    UNION ALL
    SELECT t.id, (%(tags)s::bigint[])[1 + (t.id / 10) %% cardinality(%(tags)s::bigint[])]
    FROM mentions_ticket t WHERE t.id %% 10 = 0
) AS picked
"""

CHANNELS = (  # kind, name, high priority
    ("hackernews", "Hacker News", False),
    ("twitter", "X / Twitter", False),
    ("reddit", "Reddit", False),
    ("stackexchange", "Stack Overflow", False),
    ("discourse", "Community forum", False),
    ("disqus", "Blog comments", False),
    ("email", "Security mailbox", True),
    ("webhook", "Status page webhook", True),
)


def loaded_size() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM mentions_ticket")
        tickets = _one(cur)
        cur.execute("SELECT count(*) FROM mentions_message")
        messages = _one(cur)
    return tickets, messages


def people() -> tuple[list, object]:
    """The 20 advocates and the manager (created if missing), all with one password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from mentions.permissions.roles import ADVOCATES, MANAGERS, roles_ensure

    roles_ensure()
    User = get_user_model()
    password = None
    advocates = []
    for i in range(ADVOCATE_COUNT):
        user = User.objects.filter(username=f"bench-advocate-{i}").first()
        if user is None:
            password = password or make_password("bench-pages-password")
            user = User.objects.create(username=f"bench-advocate-{i}", password=password, first_name=f"Advocate {i}")
            user.groups.add(Group.objects.get(name=ADVOCATES))
        advocates.append(user)
    manager = User.objects.filter(username="bench-manager").first()
    if manager is None:
        manager = User.objects.create(
            username="bench-manager", password=password or make_password("bench-pages-password")
        )
        manager.groups.add(Group.objects.get(name=MANAGERS), Group.objects.get(name=ADVOCATES))
    return advocates, manager


def load(n: int) -> None:
    from django.db import connection

    from mentions.models import Tag, View

    _common.truncate(
        "mentions_ticketevent", "mentions_message", "mentions_ticket_tags", "mentions_ticket", "mentions_tag"
    )
    advocates, _manager = people()
    vocab = vocabulary()
    started = time.perf_counter()
    with connection.cursor() as cur:
        # Channels go in with SQL: their per-kind config is validated against live credentials we don't have.
        cur.execute("DELETE FROM mentions_view_channels")
        cur.execute("DELETE FROM channels_channel WHERE slug LIKE 'bench-%%'", [])
        channel_ids = []
        for i, (kind, name, high) in enumerate(CHANNELS):
            cur.execute(
                """
                INSERT INTO channels_channel (kind, name, slug, enabled, high_priority, poll_interval_seconds, config,
                    our_accounts, slack_channel, credentials_encrypted, platform_status, usage, cursor, health,
                    last_error, consecutive_failures, lease_token, created_at, updated_at)
                VALUES (%s, %s, %s, true, %s, 300, '{}', '[]', '', '', '{}', '{}', '{}', 'ok', '', 0, '', now(), now())
                RETURNING id
                """,
                [kind, f"Bench {name}", f"bench-{i}", high],
            )
            channel_ids.append(_one(cur))
    tag_ids = [Tag.objects.create(name=name).pk for name in TAGS]
    View.objects.all().delete()
    for position, (name, channels, high) in enumerate(
        (
            ("Everything", [], False),
            ("High priority", [], True),
            ("Hacker News and Reddit", channel_ids[0:3:2], False),
            ("Stack Overflow and forum", channel_ids[3:5], False),
        )
    ):
        view = View.objects.create(name=name, slug=f"bench-{position}", position=position, high_priority_only=high)
        view.channels.set(channels)
        view.save()  # keeps the channel id copy in step

    with connection.cursor() as cur:
        # A bulk import, as `manage.py kpi_rollups --rebuild` documents: the rollup triggers are off for
        # the load and every day is built once afterwards.
        cur.execute("ALTER TABLE mentions_ticket DISABLE TRIGGER USER")
        cur.execute("ALTER TABLE mentions_ticketevent DISABLE TRIGGER USER")
        try:
            step = time.perf_counter()
            cur.execute(
                LOAD_TICKETS,
                {
                    "n": n,
                    "users": [a.pk for a in advocates],
                    "channels": channel_ids,
                    "hp_channels": [i for i, c in enumerate(CHANNELS) if c[2]],
                    "vocab": vocab,
                },
            )
            print(f"  tickets:  {time.perf_counter() - step:.0f}s", flush=True)
            step = time.perf_counter()
            cur.execute(LOAD_MESSAGES, {"vocab": vocab})
            print(f"  messages: {time.perf_counter() - step:.0f}s", flush=True)
            step = time.perf_counter()
            cur.execute(LOAD_EVENTS, {})
            print(f"  events:   {time.perf_counter() - step:.0f}s", flush=True)
            step = time.perf_counter()
            cur.execute(LOAD_TICKET_TAGS, {"tags": tag_ids})
            print(f"  tags:     {time.perf_counter() - step:.0f}s", flush=True)
        finally:
            cur.execute("ALTER TABLE mentions_ticket ENABLE TRIGGER USER")
            cur.execute("ALTER TABLE mentions_ticketevent ENABLE TRIGGER USER")
        for table in ("mentions_ticket", "mentions_message", "mentions_ticketevent", "mentions_ticket_tags"):
            cur.execute(f"VACUUM ANALYZE {table}")
    tickets, messages = loaded_size()
    print(f"loaded {tickets:,} tickets and {messages:,} messages in {time.perf_counter() - started:.0f}s", flush=True)
    _common.rollups_rebuilt()
