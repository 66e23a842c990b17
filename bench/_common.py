"""Shared set-up for the hand-run benchmarks in this folder (not a test module).

Each benchmark calls `setup_django()` before importing any model: it points Django at a
PostgreSQL database (creating it if missing), migrates it and prints the machine.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import unquote, urlparse

# The checkout whose code the benchmarks load: this one, or the one bench/pages.py's --tree names.
REPO = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/triage_bench"


class Database(TypedDict):
    name: str
    user: str | None
    password: str | None
    host: str | None
    port: int | None


def _database_from_url(url: str) -> Database:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        sys.exit(f"DATABASE_URL must point at PostgreSQL, got {parsed.scheme!r}: these benchmarks measure PostgreSQL.")
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        sys.exit("DATABASE_URL has no database name.")
    return {
        "name": name,
        "user": unquote(parsed.username) if parsed.username else None,
        "password": unquote(parsed.password) if parsed.password else None,
        "host": parsed.hostname,
        "port": parsed.port,
    }


def _database_ensure(db: Database) -> bool:
    """Create the benchmark database if it does not exist. Returns True if it was created."""
    import psycopg2
    from psycopg2 import sql

    kwargs: dict[str, Any] = {k: v for k, v in db.items() if k != "name" and v is not None}
    conn = psycopg2.connect(dbname="postgres", **kwargs)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["name"]])
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(db["name"]))))
            return True
    finally:
        conn.close()


def setup_django() -> None:
    """Configure settings for a benchmark run, create + migrate the database, start Django."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DJANGO_SETTINGS_MODULE"] = "advocacy.settings"
    # DEBUG keeps a log of every query on the connection: not what production pays for.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    # Keep the embedded broker/cache folders that settings create out of the repository.
    os.environ.setdefault("DESK_VAR_DIR", str(Path(tempfile.gettempdir()) / "triage-bench-var"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    db = _database_from_url(os.environ["DATABASE_URL"])
    # The benchmarks TRUNCATE tables: refuse to do that to a database not meant for it.
    if "bench" not in str(db["name"]) and os.environ.get("BENCH_ALLOW_WIPE") != "1":
        sys.exit(
            f"Refusing to wipe tables in database {db['name']!r}: its name does not contain 'bench'. "
            "Set BENCH_ALLOW_WIPE=1 if you really mean it."
        )
    created = _database_ensure(db)

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    if os.environ.get("BENCH_TREE"):
        # Celery's app (imported by advocacy/__init__) puts the working directory first on sys.path: run from this
        # checkout, Django then loaded this checkout's apps and migrations, not the tree's (a before/after measured
        # one code twice, and migrated the bench database with it).
        os.chdir(REPO)
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        sys.exit(f"Settings resolved to {engine}, not PostgreSQL.")
    print(f"database: {db['name']} on {db['host']}:{db['port'] or 5432}{' (created)' if created else ''}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    column_defaults_set()


def column_defaults_set() -> None:
    """Give every NOT NULL column the constant default its model field has (or "" for a string field without one).

    The benchmarks load millions of rows with INSERT ... SELECT, naming the columns they care about. A column added
    later with a Python-side default (the judgement's, a message's media) would make every such load fail with a
    NOT NULL violation; with the default in the benchmark database, a load that leaves it out gets the value the ORM
    would have written. Only benchmark databases are altered (setup_django refuses any other).
    """
    from django.apps import apps
    from django.db import connection

    statements = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.local_concrete_fields:
            if field.null or field.primary_key or field.has_db_default():
                continue  # nullable, or the database has its default already
            default = field.default
            if field.has_default() and callable(default) and default not in (list, dict, str):
                continue  # a clock or a generator: no one constant value to give
            constant = field.get_default()  # without a default: "" where the field takes strings, else None
            if constant is None:
                continue
            value = field.get_db_prep_save(constant, connection)
            statements.append((model._meta.db_table, str(field.column), value))
    with connection.cursor() as cur:
        for table, column, value in statements:
            quoted = f"{connection.ops.quote_name(table)} ALTER COLUMN {connection.ops.quote_name(column)}"
            cur.execute(f"ALTER TABLE {quoted} SET DEFAULT %s", [value])


def truncate(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_print() -> None:
    """nproc, CPU model, memory, PostgreSQL version and the settings that move the figures."""
    from django.conf import settings
    from django.db import connection

    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    mem_kb = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal:")), 0
    )
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
        pg_settings = {}
        for name in ("shared_buffers", "synchronous_commit", "fsync", "max_connections", "work_mem"):
            cur.execute(f"SHOW {name}")
            pg_settings[name] = cur.fetchone()[0]
    print("machine:")
    print(f"  nproc:       {usable} (os.cpu_count {os.cpu_count()})")
    print(f"  cpu:         {cpu_model}")
    print(f"  memory:      {mem_kb / 1024 / 1024:.1f} GiB")
    print(f"  postgresql:  {pg_version} ({', '.join(f'{k}={v}' for k, v in pg_settings.items())})")
    print(f"  python:      {sys.version.split()[0]}, Django DEBUG={settings.DEBUG}")
    print(f"  load avg:    {load_average()} (1/5/15 min; other work on the machine skews the figures)")
    print(flush=True)


# A migrated embedded (SQLite) database for the scripts that start `make run`'s processes to start from: the bench
# smoke runs set it (tests/bench_smoke.py), as each script's migrate from nothing took 18-21 s of its run and they
# measure nothing there. Unset, each script migrates its var folder from nothing, as `make run` does.
EMBEDDED_TEMPLATE = "BENCH_EMBEDDED_TEMPLATE"


def embedded_template_copy(var: Path) -> None:
    """`var`'s database is a copy of BENCH_EMBEDDED_TEMPLATE when it is set (the script's migrate then finds nothing
    left to apply)."""
    if template := os.environ.get(EMBEDDED_TEMPLATE):
        var.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, var / "desk.sqlite3")


def load_average() -> str:
    return " ".join(_read("/proc/loadavg").split()[:3]) or "unknown"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(p / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


class Checks:
    """A bench's end-of-run checks: `check(label, ok, detail)` prints each, `exit_if_failed()` ends the run
    non-zero if any failed."""

    def __init__(self) -> None:
        self.failures = 0

    def __call__(self, label: str, ok: bool, detail: str) -> None:
        self.failures += 0 if ok else 1
        print(f"  [{'ok' if ok else 'FAIL'}] {label}: {detail}")

    def exit_if_failed(self) -> None:
        if self.failures:
            sys.exit(f"{self.failures} check(s) failed")


def rollups_rebuilt() -> None:
    """The KPI rollups built again over a freshly loaded table, timed."""
    import time

    from metrics.rollups import rollups_rebuild

    started = time.perf_counter()
    built = rollups_rebuild()
    took = time.perf_counter() - started
    print(
        f"built the KPI rollups ({built['ticket']} ticket days, {built['event']} event days) in {took:.1f}s", flush=True
    )


def timed_gets(client: Any, url: str, repeat: int, before: Any = None) -> tuple[list[float], int]:
    """`url` requested `repeat` times after one warm-up (which warms caches and connections), `before()` run ahead
    of each request: the server-side milliseconds of each timed request and the last one's query count. Exits on
    an answer other than 200."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    timings: list[float] = []
    queries = 0
    for i in range(repeat + 1):
        if before is not None:
            before()
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}: {response.content[:500]!r}")
        if i:
            timings.append(elapsed)
        queries = len(ctx.captured_queries)
    return timings, queries
