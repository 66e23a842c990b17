"""django-helpdesk, in its own virtualenv and database, for bench/pages.py's side-by-side figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")
import _common
from _pages_load import ADVOCATE_COUNT, CHANNELS, _one
from _pages_vocabulary import vocabulary

REPO = _common.REPO


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


def helpdesk_run(
    args: Any, hd_db_name: str, workers: list[str], results: dict[str, dict[str, Any]], print_row: Any, header: str
) -> None:
    """django-helpdesk's pages on the same gunicorn setup, and the desk's CPU per view against theirs."""
    from _pages_serve import backends_end, free_port, gunicorn_start, gunicorn_stop, measure

    log_dir = Path(os.environ["DESK_VAR_DIR"])
    bare = results["bare"]["cpu_ms"] if "bare" in results else 0.0

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
    print(header)
    wanted = [name.strip() for name in getattr(args, "helpdesk_pages", "").split(",") if name.strip()]
    for name, target in hd_pages.items():
        if wanted and name not in wanted:
            continue
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
            figures = measure(
                port,
                hd_cookies,
                target,
                args.clients,
                args.seconds,
                group=proc.pid,
                db_name=hd_db_name,
                workers=int(workers[workers.index("--workers") + 1]),
                warmup_views=args.warmup_views,
            )
        finally:
            gunicorn_stop(proc)
            backends_end(hd_db_name)
        results[name] = figures
        status, count = info["queries"].get(name, [200, "-"])
        print_row(name, figures, [("", status, count)] if status == 200 and isinstance(count, int) else None, bare)

    print("\ndesk / django-helpdesk, CPU ms per view (< 1: the desk is cheaper)")
    for desk, hd in (
        ("queue", "hd dashboard"),
        ("tickets", "hd tickets data"),
        ("ticket", "hd ticket"),
    ):
        if desk in results and hd in results:
            hd_cpu = results[hd]["cpu_ms"]
            print(f"  {desk:<8} / {hd:<16} {results[desk]['cpu_ms'] / hd_cpu if hd_cpu else float('nan'):8.2f}")
