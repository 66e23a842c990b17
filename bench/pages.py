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
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")
import _common
from _pages_helpdesk import (
    HELPDESK_PROJECT,
    HELPDESK_SESSIONS,
    HELPDESK_VENV,
    HELPDESK_VERSION,
    helpdesk_env,
    helpdesk_prepare,
)
from _pages_load import ADVOCATE_COUNT, load, loaded_size, people
from _pages_serve import FLOOR_URL, backends_end, free_port, gunicorn_start, gunicorn_stop, measure
from _pages_vocabulary import vocabulary

REPO = _common.REPO
WORKERS = 3
BARE_PATH = "/bench/bare/"  # served by bench/_bare_wsgi.py


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
        f" {queries!s:>8} {figures['cpu_ms']:9.2f}{unfinished}",
        flush=True,
    )


HEADER = f"  {'page':<24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'queries':>8} {'CPU ms/req':>9}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (one process each)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time per page (after 2 s warm-up)")
    parser.add_argument(
        "--pages",
        default="queue,tickets,search,ticket,kpi,floor,bare",
        help="floor: the desk's cheapest signed-in page (a missing ticket's 404: session, user, permissions, "
        "navigation and one query); bare: one Django view with no middleware and no database in the same "
        "gunicorn (bench/_bare_wsgi.py), what any Django page costs at the least on this machine",
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
            "bare": [BARE_PATH],
        }
        # The desk's application plus the bare reference page (bench/_bare_wsgi.py); every other path unchanged.
        gunicorn = [
            str(Path(sys.executable).with_name("gunicorn")),
            *("--pythonpath", str(REPO / "bench")),
            "_bare_wsgi:application",
            *workers,
        ]
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
                page_cookies = [""] if name == "bare" else manager_cookie if name == "kpi" else cookies
                figures = measure(port, page_cookies, urls[name], args.clients, args.seconds, group=proc.pid)
            finally:
                gunicorn_stop(proc)
                backends_end(desk_db_name)
            results[name] = figures
            print_row(name, figures, 0 if name == "bare" else queries.get(name, "?"))

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
