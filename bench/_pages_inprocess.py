"""What bench/pages.py does in its own process against the desk's database: the ids the entries' URLs use, the
session cookies each role signs in with, and the queries each request of a view runs (Django's test client,
CaptureQueriesContext), and the minimal project's sessions (its own settings, so in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pages_entries import ENTRIES, Sample, search_terms
from _pages_view import triggers

BENCH = Path(__file__).resolve().parent


def sample(tickets: int) -> Sample:
    """A few hundred ids of what the loaded database holds (empty lists when people or stories were not loaded:
    their pages then answer 404 and the table says so)."""
    from _pages_vocabulary import vocabulary
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM people_person WHERE erased_at IS NULL ORDER BY random() LIMIT 200")
        people = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT id FROM stories_story WHERE merged_into_id IS NULL ORDER BY random() LIMIT 200")
        stories = [row[0] for row in cur.fetchall()]
    return Sample(tickets=tickets, people=people, stories=stories, searches=search_terms(vocabulary()))


def sessions(users: list) -> list[str]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    cookies = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return cookies


def minimal_sessions(count: int, engine: str, env: dict[str, str]) -> list[str]:
    import _common

    name = env.get("MINIMAL_DB_NAME", "triage_bench_minimal")  # created here: the project's migrate needs it
    _common._database_ensure({"name": name, "user": "postgres", "password": None, "host": "127.0.0.1", "port": 5432})
    done = subprocess.run(
        [sys.executable, str(BENCH / "_minimal_project" / "prepare.py"), str(count)],
        env={**env, "MINIMAL_SESSIONS": engine, "DJANGO_SETTINGS_MODULE": "_minimal_project.settings"},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"the minimal project could not be prepared:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def _first_url(urls: list[str] | str) -> str:
    if isinstance(urls, list):
        return urls[0]
    template, top = urls.rsplit("#", 1)
    # A ticket past the middle of 1..N, the same each run (the sum taken modulo N: 2,500 + 4,242 is no ticket of 5,000).
    return template.format(1 + (int(top) // 2 + 4242) % int(top))


def view_queries(client: Any, url: str, fragment: bool) -> list[tuple[str, int, int]]:
    """(path, status, queries) of each request of a view of `url`, as bench/_pages_view.py makes them."""
    from urllib.parse import urlsplit

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def one(path: str, htmx: bool) -> tuple[int, int, str]:
        headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver" + url} if htmx else {}
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, headers=headers)
        html = response.content.decode("utf-8", "replace") if "html" in response.get("Content-Type", "") else ""
        return response.status_code, len(ctx.captured_queries), html

    status, count, html = one(url, fragment)
    done = [(url, status, count)]
    found = triggers("" if fragment else html, "http://testserver" + url)
    while found.loads:
        fires, found.loads = found.loads, []
        for fire in fires:
            parts = urlsplit(fire.url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            status, count, html = one(path, True)
            done.append((path, status, count))
            if status == 200:
                found.loads += triggers(html, fire.url).loads
    return done


def desk_queries(names: list[str], data: Sample, users: dict[str, Any]) -> dict[str, list[tuple[str, int, int]]]:
    """Each entry's view, request by request, counted in-process on the same database (the second view, so
    per-process warm-ups such as the first-use caches are not counted)."""
    from django.test import Client

    counted = {}
    for name in names:
        entry = ENTRIES[name]
        if entry.role not in users:
            continue
        client = Client()
        client.force_login(users[entry.role])
        url = _first_url(entry.urls(data))
        view_queries(client, url, entry.kind == "fragment")
        counted[name] = view_queries(client, url, entry.kind == "fragment")
    return counted


def desk_env(tree: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(tree), str(BENCH)]),
    }
