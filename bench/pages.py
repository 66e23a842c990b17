"""Pages under load at 1,000,000 tickets and 3,000,000 messages, against gunicorn, beside django-helpdesk.

1. Loads (or reuses, when it already holds the same number of tickets) a PostgreSQL database with
   the tickets, their messages (text from a Zipf-like vocabulary of product words with a long tail),
   events, tags, 8 channels of different kinds, 20 advocates and a manager, then rebuilds the KPI
   rollups so the KPI page shows the loaded data.
2. Starts gunicorn (3 workers) with production settings (DEBUG off, whitenoise) on a free port.
3. For each page runs a fixed number of concurrent clients (one process each, logged in through a
   session created in the database) for a fixed time and prints requests/s, p50, p95, errors, and
   the queries the page runs (counted once in-process with CaptureQueriesContext, same database).
4. Unless --no-helpdesk: the same with django-helpdesk (PyPI, in its own virtualenv under
   var/bench/) on its own database with as many tickets and follow-ups, and the ratio per page.

    .venv/bin/python bench/pages.py [--tickets 1000000] [--clients 16] [--seconds 15]
                                    [--pages queue,tickets,search,ticket,kpi] [--no-helpdesk] [--reload]

Database: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/triage_bench_pages; django-helpdesk
uses HELPDESK_DATABASE_URL, default .../triage_bench_helpdesk.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")
import _common

REPO = _common.REPO
WORKERS = 3
FLOOR_URL = "/tickets/0/"  # no ticket 0: the desk's 404 page, signed in
ADVOCATE_COUNT = 20

# The head of the vocabulary: words that a DevOps product's mentions use all the time.
HEAD_WORDS = [
    "gitlab",
    "runner",
    "registry",
    "pipeline",
    "ci",
    "kubernetes",
    "merge",
    "request",
    "docker",
    "job",
    "build",
    "deploy",
    "cache",
    "artifact",
    "token",
    "api",
    "release",
    "branch",
    "commit",
    "repository",
    "issue",
    "error",
    "failed",
    "runners",
    "helm",
    "cluster",
    "container",
    "image",
    "push",
    "pull",
    "tag",
    "version",
    "upgrade",
    "self-hosted",
    "omnibus",
    "package",
    "terraform",
    "secret",
    "variable",
    "stage",
    "yaml",
    "template",
    "security",
    "scan",
    "dependency",
    "license",
    "sast",
    "dast",
    "review",
    "environment",
    "production",
    "staging",
    "rollback",
    "webhook",
    "integration",
    "oauth",
    "ssh",
    "https",
    "certificate",
    "timeout",
    "memory",
    "storage",
    "backup",
    "restore",
    "migration",
    "database",
    "postgres",
    "redis",
    "sidekiq",
    "gitaly",
    "praefect",
    "puma",
    "nginx",
    "ldap",
    "saml",
    "group",
    "project",
    "permission",
    "maintainer",
    "developer",
    "owner",
    "fork",
    "mirror",
    "wiki",
    "snippet",
    "epic",
    "milestone",
    "label",
    "board",
    "roadmap",
    "analytics",
    "dashboard",
    "metrics",
    "prometheus",
    "grafana",
    "alert",
    "incident",
]
# Less frequent, still real words: the middle of the distribution.
MIDDLE_WORDS = [
    "kaniko",
    "buildah",
    "podman",
    "containerd",
    "autoscaler",
    "fargate",
    "ec2",
    "gke",
    "aks",
    "eks",
    "openshift",
    "argocd",
    "flux",
    "vault",
    "consul",
    "nomad",
    "ansible",
    "chef",
    "puppet",
    "saltstack",
    "pulumi",
    "crossplane",
    "kustomize",
    "skaffold",
    "tilt",
    "sonarqube",
    "dependabot",
    "renovate",
    "semgrep",
    "trivy",
    "grype",
    "cosign",
    "sigstore",
    "sbom",
    "slsa",
    "provenance",
    "monorepo",
    "submodule",
    "lfs",
    "shallow",
    "clone",
    "rebase",
    "squash",
    "cherry-pick",
    "bisect",
    "blame",
    "codeowners",
    "approvals",
    "protected-branches",
    "fast-forward",
    "conflict",
    "resolve",
    "diff",
    "patch",
    "hunk",
    "whitespace",
    "throttling",
    "ratelimit",
    "quota",
    "billing",
    "seats",
    "subscription",
    "trial",
    "namespace",
    "subgroup",
    "instance",
    "geo",
    "replication",
    "failover",
    "latency",
    "throughput",
    "flaky",
    "retry",
    "parallel",
    "matrix",
    "needs",
    "dag",
    "trigger",
    "downstream",
    "upstream",
    "bridge",
    "child",
    "parent",
    "include",
    "extends",
    "anchors",
    "rules",
    "only",
    "except",
    "when",
    "manual",
    "scheduled",
    "cron",
    "interruptible",
    "resource_group",
    "concurrency",
    "shell",
    "executor",
    "autoscaling",
]
_SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "zen",
    "tor",
    "lex",
    "vin",
    "dra",
    "quo",
    "pel",
    "sur",
    "tam",
    "bix",
    "nol",
    "fer",
    "gus",
    "hap",
    "jid",
    "wex",
    "yol",
]


def vocabulary() -> list[str]:
    """Head, middle and a long tail of rare made-up words (3,000), in frequency-rank order."""
    rng = random.Random(13)
    tail: list[str] = []
    seen = set(HEAD_WORDS) | set(MIDDLE_WORDS)
    while len(tail) < 3000:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            tail.append(word)
    return [*HEAD_WORDS, *MIDDLE_WORDS, *tail]


# ids follow generate_series: the tables are truncated with RESTART IDENTITY before the load.
# Classes by g: 0.3% waiting (new/open, unassigned, last 3 days), 0.6% with an advocate (open or
# pending, last 14 days), the rest solved over the last two years.
LOAD_TICKETS = """
INSERT INTO mentions_ticket (
    subject, status, priority, high_priority, requester_handle, requester_name, requester_url, reply_draft,
    requested_at, first_reply_at, first_reply_seconds, first_reply_business_seconds, solved_at,
    created_at, updated_at, assignee_id, channel_id, served_to_id, served_view_id,
    reply_from_role, sla_due_at, sla_target, sla_breached, followup_at, merged_into_id
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
       NULL, NULL
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
    edited_at, deleted_at, created_at, updated_at
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
       t.requested_at + j * interval '47 minutes', t.requested_at + j * interval '47 minutes'
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

    from mentions.roles import ADVOCATES, MANAGERS, roles_ensure

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
    from metrics.rollups import rollups_rebuild

    started = time.perf_counter()
    built = rollups_rebuild()
    print(
        f"built the KPI rollups ({built['ticket']} ticket days, {built['event']} event days) "
        f"in {time.perf_counter() - started:.0f}s",
        flush=True,
    )


# ---------------------------------------------------------------------------------------------------------
# django-helpdesk, in its own virtualenv and database, for the side-by-side figures.

HELPDESK_DIR = REPO / "var" / "bench"
HELPDESK_VENV = HELPDESK_DIR / "helpdesk-venv"
HELPDESK_PROJECT = HELPDESK_DIR / "helpdesk-project"
HELPDESK_VERSION = "2.6.1"
HELPDESK_SETTINGS = """
import os

SECRET_KEY = "bench-helpdesk-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.sites", "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.humanize",
    "rest_framework", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdproj.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug", "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth", "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "hdproj.wsgi.application"
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["HELPDESK_DB_NAME"],
    "USER": "postgres", "HOST": "127.0.0.1", "PORT": 5432, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True,
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"
LOGIN_URL = "/login/"
HELPDESK_TEAMS_MODE_ENABLED = False
"""
HELPDESK_URLS = """
from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls), path("", include("helpdesk.urls", namespace="helpdesk"))]
"""
HELPDESK_WSGI = """
import os
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproj.settings")
application = get_wsgi_application()
"""

# Run in the helpdesk virtualenv (cwd = the project): staff users, fresh sessions, and each page's queries.
HELPDESK_SESSIONS = """
import json, os, re, sys
sys.path.insert(0, ".")
os.environ["DJANGO_SETTINGS_MODULE"] = "hdproj.settings"
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

User = get_user_model()
users = []
for i in range(int(sys.argv[1])):
    user = User.objects.filter(username=f"bench-staff-{i}").first()
    if user is None:
        user = User.objects.create_user(f"bench-staff-{i}", password="bench-pages-password", is_staff=True)
    users.append(user)
sessions = []
for user in users:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
client = Client()
client.force_login(users[0])
# The list's rows come from an XHR to datatables_ticket_list, whose address carries the list's query.
found = re.search(r"datatables_ticket_list/([A-Za-z0-9_=-]+)", client.get("/tickets/").content.decode())
data_url = f"/datatables_ticket_list/{found.group(1)}?draw=1&start=0&length=25" if found else None
queries = {}
for name, url in json.loads(sys.argv[2]).items():
    url = data_url if url == "DATA" else url
    if url is None:
        continue
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries[name] = [response.status_code, len(ctx.captured_queries)]
print(json.dumps({"sessions": sessions, "user_ids": [u.pk for u in users], "queries": queries, "data_url": data_url}))
"""

HELPDESK_LOAD_TICKETS = """
INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status, on_hold, description, resolution,
    priority, due_date, last_escalation, assigned_to_id, queue_id, secret_key, kbitem_id, merged_to_id)
SELECT subject, requested_at, requested_at, 'user' || (g * 7919 %% 250000) || '@example.com',
       CASE WHEN cls = 'solved' THEN 4 ELSE 1 END, false, body, CASE WHEN cls = 'solved' THEN 'solved' END,
       CASE WHEN g %% 97 = 0 THEN 1 ELSE 3 END, NULL, NULL,
       CASE WHEN cls <> 'waiting' THEN (%(users)s::int[])[1 + g %% cardinality(%(users)s::int[])] END,
       (%(queues)s::int[])[1 + (g * 31) %% 8], gen_random_uuid()::text, NULL, NULL
FROM (
    SELECT g, cls,
           CASE cls WHEN 'waiting' THEN now() - random() * interval '3 days'
                    WHEN 'assigned' THEN now() - random() * interval '14 days'
                    ELSE now() - interval '3 days' - random() * interval '727 days' END AS requested_at,
           (SELECT string_agg(v[floor(power(cardinality(v), random()))::int], ' ')
              FROM (SELECT %(vocab)s::text[] AS v) AS voc, generate_series(1, 4 + g %% 6)) AS subject,
           (SELECT string_agg(v[floor(power(cardinality(v), random()))::int], ' ')
              FROM (SELECT %(vocab)s::text[] AS v) AS voc, generate_series(1, 8 + (g * 7) %% 33)) AS body
    FROM (
        SELECT g, CASE WHEN g %% 331 = 0 THEN 'waiting' WHEN g %% 167 = 1 THEN 'assigned' ELSE 'solved' END AS cls
        FROM generate_series(1::bigint, %(n)s) AS g
    ) AS c
) AS s
"""

# Three follow-ups per ticket: 3,000,000 for 1,000,000 tickets, like the desk's messages.
HELPDESK_LOAD_FOLLOWUPS = """
INSERT INTO helpdesk_followup (date, title, comment, public, new_status, ticket_id, user_id, message_id,
    time_spent, email_recipients)
SELECT t.created + j * interval '47 minutes', CASE WHEN j %% 2 = 1 THEN 'Comment' ELSE 'E-Mail Received' END,
       (SELECT string_agg(v[floor(power(cardinality(v), random()))::int], ' ')
          FROM (SELECT %(vocab)s::text[] AS v) AS voc, generate_series(1, 8 + (t.id * 7 + j * 13) %% 33)),
       true, CASE WHEN j = 3 AND t.status = 4 THEN 4 END, t.id,
       CASE WHEN j %% 2 = 1 THEN t.assigned_to_id END, NULL, NULL, NULL
FROM helpdesk_ticket t CROSS JOIN generate_series(1, 3) AS j
"""


def _one(cur: Any) -> Any:
    """The single value a query such as count(*) answers."""
    row = cur.fetchone()
    assert row is not None, "the query answered no row"
    return row[0]


def helpdesk_env(db_name: str) -> dict[str, str]:
    return {**os.environ, "HELPDESK_DB_NAME": db_name, "DJANGO_SETTINGS_MODULE": "hdproj.settings"}


def helpdesk_prepare(n: int, db_name: str, reload: bool) -> bool:
    """Virtualenv, project, database and data for django-helpdesk. False (with the reason printed) if it cannot."""
    import psycopg2

    python = HELPDESK_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(HELPDESK_VENV)], check=True)
    done = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            f"django-helpdesk=={HELPDESK_VERSION}",
            "psycopg2-binary",
            "gunicorn",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        print(f"django-helpdesk could not be installed: pip said\n{done.stderr[-2000:]}", flush=True)
        return False
    package = HELPDESK_PROJECT / "hdproj"
    package.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("__init__.py", ""),
        ("settings.py", HELPDESK_SETTINGS),
        ("urls.py", HELPDESK_URLS),
        ("wsgi.py", HELPDESK_WSGI),
    ):
        (package / name).write_text(text.lstrip())
    _common._database_ensure({"name": db_name, "user": "postgres", "password": None, "host": "127.0.0.1", "port": 5432})
    done = subprocess.run(
        [
            str(python),
            "-c",
            "import django; django.setup(); from django.core.management import call_command; "
            "call_command('migrate', verbosity=0)",
        ],
        cwd=HELPDESK_PROJECT,
        env=helpdesk_env(db_name),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        print(f"django-helpdesk could not migrate its database:\n{done.stderr[-2000:]}", flush=True)
        return False
    conn = psycopg2.connect(dbname=db_name, user="postgres", host="127.0.0.1")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM helpdesk_ticket")
        tickets = _one(cur)
        if tickets == n and not reload:
            print(f"django-helpdesk: reusing its {tickets:,} tickets", flush=True)
            conn.close()
            return True
        print(f"django-helpdesk: loading {n:,} tickets", flush=True)
        started = time.perf_counter()
        cur.execute("TRUNCATE helpdesk_followup, helpdesk_ticket, helpdesk_queue RESTART IDENTITY CASCADE")
        queues = []
        for i, (_kind, name, _high) in enumerate(CHANNELS):
            cur.execute(
                """INSERT INTO helpdesk_queue (title, slug, allow_public_submission, allow_email_submission,
                       email_box_ssl, enable_notifications_on_email_events) VALUES (%s, %s, false, false, false, false)
                   RETURNING id""",
                [name, f"bench-{i}"],
            )
            queues.append(_one(cur))
        out = subprocess.run(
            [str(python), "-c", HELPDESK_SESSIONS, str(ADVOCATE_COUNT), "{}"],
            cwd=HELPDESK_PROJECT,
            env=helpdesk_env(db_name),
            capture_output=True,
            text=True,
            check=True,
        )
        import json

        users = json.loads(out.stdout)["user_ids"]
        vocab = vocabulary()
        cur.execute(HELPDESK_LOAD_TICKETS, {"n": n, "users": users, "queues": queues, "vocab": vocab})
        cur.execute(HELPDESK_LOAD_FOLLOWUPS, {"vocab": vocab})
        cur.execute("VACUUM ANALYZE helpdesk_ticket")
        cur.execute("VACUUM ANALYZE helpdesk_followup")
        cur.execute("SELECT count(*) FROM helpdesk_followup")
        followups = _one(cur)
    conn.close()
    print(
        f"django-helpdesk: loaded {n:,} tickets and {followups:,} follow-ups in {time.perf_counter() - started:.0f}s",
        flush=True,
    )
    return True


# ---------------------------------------------------------------------------------------------------------
# Serving and measuring.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(cmd: list[str], *, cwd: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited at start ({proc.returncode}); see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/", headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.3)
    gunicorn_stop(proc)
    sys.exit(f"gunicorn did not answer on port {port} within 60 s; see {log}")


def gunicorn_stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def backends_end(db_name: str) -> None:
    """End the queries a stopped server left running (PostgreSQL finishes a query whose client went away)."""
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db_name],
        )
    conn.close()


def _client(job: tuple) -> tuple[list[float], int, dict[int, int], int]:
    """One client: back-to-back GETs from `start` to `end` (wall clock). Returns the latencies of the
    requests begun after `measure_from` and finished by `end`, their errors and statuses, and how many
    were still unanswered at `end` (abandoned: a page slower than the run)."""
    port, cookie, urls, seed, start, measure_from, end = job
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = unfinished = 0
    statuses: dict[int, int] = {}
    while time.time() < start:
        time.sleep(0.005)
    while True:
        began = time.time()
        if began >= end:
            break
        if isinstance(urls, list):
            url = urls[rng.randrange(len(urls))]
        else:  # "/tickets/{}/#N": a random id from 1 to N
            template, top = urls.rsplit("#", 1)
            url = template.format(rng.randint(1, int(top)))
        status = 0
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max(1.0, end - began + 1))
            conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except OSError:
            pass
        finished = time.time()
        if finished > end:
            unfinished += began >= measure_from
            break
        if began >= measure_from:
            latencies.append(finished - began)
            errors += status != (404 if url.startswith(FLOOR_URL) else 200)
            statuses[status] = statuses.get(status, 0) + 1
    return latencies, errors, statuses, unfinished


def measure(port: int, cookies: list[str], urls: list[str] | str, clients: int, seconds: float) -> dict[str, float]:
    warmup = 2.0
    start = time.time() + 1.0
    jobs = [
        (port, cookies[i % len(cookies)], urls, 1000 + i, start, start + warmup, start + warmup + seconds)
        for i in range(clients)
    ]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(_client, jobs)
    latencies = sorted(lat for res in results for lat in res[0])
    errors = sum(res[1] for res in results)
    statuses: dict[int, int] = {}
    for res in results:
        for code, count in res[2].items():
            statuses[code] = statuses.get(code, 0) + count
    if errors:
        print(f"    statuses: {statuses} (0 = no answer)", flush=True)
    return {
        "rps": len(latencies) / seconds,
        "p50": _common.percentile(latencies, 50) * 1000,
        "p95": _common.percentile(latencies, 95) * 1000,
        "errors": errors,
        "requests": len(latencies),
        "unfinished": sum(res[3] for res in results),
    }


def desk_sessions(users: list) -> list[str]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(f"sessionid={store.session_key}")
    return keys


def desk_queries(pages: dict[str, tuple[str, Any]]) -> dict[str, int]:
    """Queries one request of each page runs, counted in-process on the same database (second request, so
    per-process warm-ups such as the first-use caches are not counted)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (url, user) in pages.items():
        client = Client()
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        expected = 404 if url == FLOOR_URL else 200
        counts[name] = len(ctx.captured_queries) if response.status_code == expected else -response.status_code
    return counts


def search_urls() -> list[str]:
    from urllib.parse import quote

    vocab = vocabulary()
    words = [
        "gitlab",
        "pipeline",
        "runner",
        "docker",
        "kaniko",
        "trivy",
        vocab[-1],
        vocab[-200],
        vocab[2000],
        '"merge request"',
    ]
    return [f"/tickets/?q={quote(w)}" for w in words]


def print_row(name: str, figures: dict[str, float], queries: int | str) -> None:
    unfinished = f"  ({figures['unfinished']} still unanswered at the end)" if figures["unfinished"] else ""
    print(
        f"  {name:<24} {figures['rps']:8.1f} {figures['p50']:8.1f} {figures['p95']:8.1f} {figures['errors']:7d}"
        f" {queries!s:>8}{unfinished}",
        flush=True,
    )


HEADER = f"  {'page':<24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'queries':>8}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (one process each)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time per page (after 2 s warm-up)")
    parser.add_argument(
        "--pages",
        default="queue,tickets,search,ticket,kpi,floor",
        help="floor: the desk's cheapest signed-in page (a missing ticket's 404: session, user, permissions, "
        "navigation and one query), the ceiling any page's rate can reach on this machine",
    )
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync or gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker with gthread")
    parser.add_argument("--no-helpdesk", action="store_true", help="skip django-helpdesk")
    parser.add_argument("--helpdesk-only", action="store_true", help="measure django-helpdesk alone")
    parser.add_argument(
        "--helpdesk-queries", action="store_true", help="count django-helpdesk's queries per page (minutes at 1M)"
    )
    parser.add_argument("--reload", action="store_true", help="load again even if the size matches")
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args()
    # In-process sessions are signed with the key gunicorn gets, so they are valid there.
    os.environ.setdefault("SECRET_KEY", "bench-pages-not-a-secret")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    _common.setup_django()
    _common.machine_print()
    tickets, messages = loaded_size()
    if args.reload or tickets != args.tickets:
        print(f"loading {args.tickets:,} tickets (the database held {tickets:,})", flush=True)
        load(args.tickets)
    else:
        print(f"reusing the loaded {tickets:,} tickets and {messages:,} messages", flush=True)
    hd_db = os.environ.get("HELPDESK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_helpdesk")
    hd_db_name = _common._database_from_url(hd_db)["name"]
    helpdesk = not args.no_helpdesk and helpdesk_prepare(args.tickets, hd_db_name, args.reload)
    if args.load_only:
        return

    wanted = args.pages.split(",")
    results: dict[str, dict[str, float]] = {}
    workers = ["--workers", str(WORKERS), "--worker-class", args.worker_class, "--threads", str(args.threads)]
    print(f"gunicorn: {WORKERS} workers, {args.worker_class}; {args.clients} clients, {args.seconds:.0f} s per page")
    print("(each page on a freshly started gunicorn, so requests a slow page left queued cannot slow the next)")
    print(f"load avg before: {_common.load_average()}", flush=True)
    log_dir = Path(os.environ["DESK_VAR_DIR"])

    if not args.helpdesk_only:
        advocates, manager = people()
        env = {
            **os.environ,
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True
        )
        queries = desk_queries(
            {
                name: (url, manager if name == "kpi" else advocates[0])
                for name, url in {
                    "queue": "/",
                    "tickets": "/tickets/",
                    "search": search_urls()[0],
                    "ticket": "/tickets/4242/",
                    "kpi": "/kpi/",
                    "floor": FLOOR_URL,
                }.items()
                if name in wanted
            }
        )
        cookies = desk_sessions(advocates)
        manager_cookie = desk_sessions([manager])
        from django.db import connection

        desk_db_name = connection.settings_dict["NAME"]
        connection.close()
        urls: dict[str, list[str] | str] = {
            "queue": ["/"],
            "tickets": ["/tickets/"],
            "search": search_urls(),
            "ticket": "/tickets/{}/#" + str(args.tickets),
            "kpi": ["/kpi/"],
            "floor": [FLOOR_URL],
        }
        gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "advocacy.wsgi", *workers]
        print("\ntriage desk")
        print(HEADER)
        for name in wanted:
            port = free_port()
            proc = gunicorn_start(
                [*gunicorn, "--bind", f"127.0.0.1:{port}"],
                cwd=REPO,
                env=env,
                port=port,
                log=log_dir / "gunicorn-desk.log",
            )
            try:
                figures = measure(
                    port, manager_cookie if name == "kpi" else cookies, urls[name], args.clients, args.seconds
                )
            finally:
                gunicorn_stop(proc)
                backends_end(desk_db_name)
            results[name] = figures
            print_row(name, figures, queries.get(name, "?"))

    if helpdesk:
        import json

        hd_urls = {"hd dashboard": "/dashboard/", "hd tickets": "/tickets/", "hd ticket": "/tickets/4242/"}
        if args.helpdesk_queries:
            hd_urls["hd tickets data"] = "DATA"
        done = subprocess.run(
            [
                str(HELPDESK_VENV / "bin" / "python"),
                "-c",
                HELPDESK_SESSIONS,
                str(ADVOCATE_COUNT),
                json.dumps(hd_urls if args.helpdesk_queries else {}),
            ],
            cwd=HELPDESK_PROJECT,
            env=helpdesk_env(hd_db_name),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            print(f"django-helpdesk could not create sessions:\n{done.stderr[-3000:]}")
            return
        info = json.loads(done.stdout)
        hd_cookies = [f"sessionid={key}" for key in info["sessions"]]
        hd_pages = {
            "hd dashboard": ["/dashboard/"],
            "hd tickets": ["/tickets/"],
            "hd tickets data": [info["data_url"]] if info["data_url"] else None,
            "hd ticket": "/tickets/{}/#" + str(args.tickets),
        }
        # Its pages may take minutes at this size: a worker must not be killed mid-request (default 30 s).
        gunicorn = [str(HELPDESK_VENV / "bin" / "gunicorn"), "hdproj.wsgi", *workers, "--timeout", "600"]
        print(f"\ndjango-helpdesk {HELPDESK_VERSION}")
        print(HEADER)
        for name, target in hd_pages.items():
            if target is None:
                print(f"  {name:<24} (no datatables address found in /tickets/)")
                continue
            port = free_port()
            proc = gunicorn_start(
                [*gunicorn, "--bind", f"127.0.0.1:{port}"],
                cwd=HELPDESK_PROJECT,
                env=helpdesk_env(hd_db_name),
                port=port,
                log=log_dir / "gunicorn-helpdesk.log",
            )
            try:
                figures = measure(port, hd_cookies, target, args.clients, args.seconds)
            finally:
                gunicorn_stop(proc)
                backends_end(hd_db_name)
            results[name] = figures
            status, count = info["queries"].get(name, [200, "-"])
            print_row(name, figures, count if status == 200 else f"{status}?")

        print("\ndesk / django-helpdesk, requests/s (> when no helpdesk request finished within the run)")
        for desk, hd in (
            ("queue", "hd dashboard"),
            ("tickets", "hd tickets data"),
            ("ticket", "hd ticket"),
        ):
            if desk in results and hd in results:
                hd_rps = results[hd]["rps"]
                ratio = (
                    f"{results[desk]['rps'] / hd_rps:8.1f}x"
                    if hd_rps
                    else f"> {results[desk]['rps'] * args.seconds:6.0f}x"
                )
                print(f"  {desk:<8} / {hd:<16} {ratio}")
    print(f"\nload avg after: {_common.load_average()}", flush=True)


if __name__ == "__main__":
    main()
