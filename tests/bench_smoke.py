"""The bench scripts' smoke runs (tests/test_bench_smoke*.py): every script in bench/ runs to its end at a tiny size,
so a schema or code change cannot silently break one.

A smoke run, not a measurement: no figure is asserted, only that the script completes (exit 0) and prints the line
that says it reached its report. Before this test, bench/claim_latency.py, kpi_page.py, search.py and
stories_history.py failed at once on main for weeks: their loads left out columns made NOT NULL since.

Each script gets a PostgreSQL database of its own, named for this test run (the scripts wipe their tables): a copy of
one migrated once per worker (a migrate from nothing was 10-12 s of each of 30 runs). And a var folder in the test's
temporary directory. A new script in bench/ without an entry in SMOKE fails
test_every_bench_script_has_a_smoke_run.

The runs are spread over four test files (SHARDS), so the suite's workers, which take a file at a time
(`--dist loadfile`), share them: in one file they were about 1,200 s on one worker, the suite's last minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from django.conf import settings

from tests.embedded import migrated_template

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"


# pages.py's load (tickets, messages, people, stories, the answers' index) at a small size: the scripts that measure
# "on bench/pages.py's database" (their docstrings) get it first, so they measure real rows, not an empty table.
PAGES = ("--pages", "floor,bare,minimal-db,ticket,queue")
PAGES_LOAD = ("pages.py", "--tickets", "1500", "--load-only", "--no-helpdesk")


@dataclass(frozen=True)
class Smoke:
    arguments: tuple[str, ...]
    reached: str  # a line the script prints once it has reported
    on_pages_load: bool = False  # on a copy of a database PAGES_LOAD ran on (once for this worker)
    then: tuple[str, ...] = ()  # a second run of the same script on the same database
    first: tuple[str, ...] = ()  # another script run first on the same database (its name, then its arguments)
    # It starts `make run`'s processes on a var folder of its own: its SQLite database a copy of one migrated once
    # for this worker (tests/embedded.py), named by BENCH_EMBEDDED_TEMPLATE (bench/_common.py).
    embedded: bool = False


SMOKE: dict[str, Smoke] = {
    "analytics_api.py": Smoke(("--tickets", "400", "--repeat", "1"), "load avg at the end"),
    # One database against itself, loaded by analytics_api.py first; the page's next-day view (its own path in the
    # script: "today" moved on between its two requests), then the same after the beat's run for the day.
    "analytics_growth.py": Smoke(
        ("--repeat", "1", "--pages", "--modes", "slide,ahead"),
        "(ahead)",
        first=("analytics_api.py", "--tickets", "400", "--repeat", "1"),
    ),
    "answers_index.py": Smoke(("--tickets", "1500"), " answers (ids <= 1,500)", on_pages_load=True),
    # Two Plays in headless chromium on the seeded demo (the seeding is most of the run).
    "browser_play.py": Smoke(("--plays", "2"), "Target: Play to ticket", embedded=True),
    "claim_latency.py": Smoke(("--tickets", "2000", "--advocates", "2", "--claims", "5"), "every claimed ticket"),
    # On claim_latency.py's database, as its docstring says.
    "claim_profile.py": Smoke(
        ("--claims", "20", "--rounds", "2", "--profile", "--top", "5"),
        "queries per claim",
        first=("claim_latency.py", "--tickets", "2000", "--advocates", "2", "--claims", "5"),
    ),
    # make run's processes on the embedded default (SQLite, no Redis: the script leaves both out of their environment).
    # 15 s of driven ingest: webhooks pushed, polls dispatched, three samples (the seeding is most of the run).
    "embedded_soak.py": Smoke(("--minutes", "0.25", "--sample-seconds", "5"), "tracebacks in the log", embedded=True),
    # Three of the cases through both readers (each case is a child process with Django set up: all twelve were
    # 24 children, 50 s): a well-formed one, one not well-formed and the entity bomb.
    "feed_hostile.py": Smoke(
        ("--megabytes", "0.02", "--timeout", "120", "--cases", "real-entries,nested-unclosed,billion-laughs"), "worst:"
    ),
    "freshness.py": Smoke(("--minutes", "0.25", "--every", "3"), "Target: median"),
    "import_hostile.py": Smoke(("--lines", "20", "--big-mb", "5"), "hostile files:"),
    "import_zendesk.py": Smoke(("--tickets", "300", "--users", "60", "--organizations", "5"), "Target: import"),
    "ingest_throughput.py": Smoke(("--items", "2000", "--page-size", "200"), "COPY floor"),
    "judgement.py": Smoke(("--mentions", "40"), "first mention in a fresh worker"),
    # The demo is its own size: seeded whole (about 35 s) and judged (about 10 s), so the run is the measurement's;
    # on its database as the smoke made it (a copy of the migrated one), not dropped and migrated from nothing.
    "judgement_demo.py": Smoke(("--as-is",), "difference in points"),
    "judgement_learning_import.py": Smoke(("--mentions", "120"), "learned version"),
    "judging_backlog.py": Smoke(
        ("--imported", "300", "--import-minutes", "0.5", "--live", "6", "--live-minutes", "1", "--max-hours", "1"),
        "target, every live ticket judged within a minute",
    ),
    "kpi_page.py": Smoke(("--tickets", "2000", "--repeat", "1"), "365-day range"),
    "lists_profile.py": Smoke(("--requests", "2", "--warmup", "1", "--rounds", "1"), "CPU ms/req", on_pages_load=True),
    # The settle is the longest wait for the set to go quiet, each of two (60 s by default: 120 s of the run's 138).
    "memory.py": Smoke(("--set", "dev", "--rounds", "1", "--settle", "5"), "idle RSS", embedded=True),
    # A 1 s timeout and a short trickle: the cases end within seconds (the smoke asserts no figure).
    "model_client_hostile.py": Smoke(
        ("--timeout", "1", "--gap", "0.2", "--header-bytes", "10", "--bomb-mb", "20", "--big-mb", "3"),
        "hostile case ends in the client's error",
    ),
    "page_profile.py": Smoke(("--requests", "2", "--warmup", "1"), "CPU ms/req", on_pages_load=True),
    # A few of the desk's pages, each on its own gunicorn, then django-helpdesk's on the same load (its virtualenv
    # comes from PyPI, as the bench's does when run by hand).
    "pages.py": Smoke(
        ("--tickets", "1500", "--clients", "2", "--seconds", "0.3", "--warmup-views", "1", "--no-helpdesk", *PAGES),
        "hd ticket",
        then=("--tickets", "1500", "--clients", "1", "--seconds", "0.3", "--warmup-views", "1", "--helpdesk-only"),
    ),
    "poll_walk.py": Smoke(("--repeat", "1"), "youtube"),
    # Every operation, without the coverage phase (api/tests/test_schema.py runs it, and it ignores --max-examples:
    # the whole run was 127 s, 50 s of it coverage on the ticket operations alone); the stateful phase is the bench's.
    "schemathesis_api.py": Smoke(("--max-examples", "1", "--", "--phases", "examples,fuzzing,stateful"), "Test cases:"),
    "search.py": Smoke(("--tickets", "1000", "--runs", "2"), "all cases: p95"),
    "stories_history.py": Smoke(
        (
            "--tickets",
            "300",
        ),
        "detector:",
    ),
    "stored_profile.py": Smoke(
        ("--tickets", "3", "--warmup", "1", "--explain"), "by SQL statement kind", on_pages_load=True
    ),
    "stored_suggestions.py": Smoke(("--tickets", "3"), "stored: panel read", on_pages_load=True),
    "suggestions.py": Smoke(
        (
            "--tickets",
            "3",
        ),
        "ms/ticket",
        on_pages_load=True,
    ),
}


def bench_scripts() -> set[str]:
    return {path.name for path in BENCH.glob("*.py") if not path.name.startswith("_")}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _postgres(*statements: str) -> None:
    conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def _database(prefix: str, name: str, *, template: str | None = None) -> str:
    """A fresh database each run, named for the script and this worker: empty, or a copy of `template`."""
    db = f"{prefix}_{name.removesuffix('.py')}_{_worker()}"
    made = [f'CREATE DATABASE "{db}" TEMPLATE "{template}"'] if template else []
    _postgres(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', *made)
    return db


_templates: dict[str, str] = {}


def _run(target: str, arguments: tuple[str, ...], env: dict[str, str]) -> str:
    """`bench/target arguments` (or `manage.py` when target is it) to its end; its output."""
    command = [sys.executable, target if target == "manage.py" else str(BENCH / target), *arguments]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{target} {' '.join(arguments)} exited {done.returncode}:\n{output[-4000:]}"
    return output


def _template(env: dict[str, str], *, pages: bool = False) -> str:
    """A database made once for this worker, copied for each script: the desk's migrated from nothing (`manage.py
    migrate`, what each script's own migrate did on its empty database, 10-12 s each time; the script's migrate then
    finds nothing left to apply), or, with `pages`, that one with PAGES_LOAD run on it (6.9 s each of six runs)."""
    name = "pages" if pages else "migrated"
    if name not in _templates:
        db = f"bench_smoke_{name}_{_worker()}"
        made = f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{_template(env)}"' if pages else "")
        _postgres(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', made)
        target, arguments = (PAGES_LOAD[0], PAGES_LOAD[1:]) if pages else ("manage.py", ("migrate", "--noinput"))
        _run(target, arguments, {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}"})
        _templates[name] = db
    return _templates[name]


def smoke_run(script: str, tmp_path: Path) -> None:
    """One script's smoke run: its database and var folder, its runs, its report reached."""
    smoke = SMOKE[script]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DESK_", "PYTEST", "DATABASE_URL"))
    }
    env.update(
        REDIS_URL=settings.CELERY_BROKER_URL,
        DESK_VAR_DIR=str(tmp_path / "var"),
        # Its own static folder: collectstatic rewriting the tree's while another test's WhiteNoise reads it failed
        # a run.
        DESK_STATIC_ROOT=str(tmp_path / "static"),
    )
    db = _database("bench_smoke", script, template=_template(env, pages=smoke.on_pages_load))
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
        HELPDESK_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{_database('bench_smoke_hd', script)}",
        MINIMAL_DB_NAME=_database("bench_smoke_minimal", script),
    )
    if smoke.embedded:
        env["BENCH_EMBEDDED_TEMPLATE"] = str(migrated_template())  # bench/_common.py's EMBEDDED_TEMPLATE
    runs = [(script, smoke.arguments)] + ([(script, smoke.then)] if smoke.then else [])
    if smoke.first:
        runs.insert(0, (smoke.first[0], smoke.first[1:]))
    output = "".join(_run(target, arguments, env) for target, arguments in runs)
    assert smoke.reached in output, f"bench/{script} ended without its report ({smoke.reached!r}):\n{output[-4000:]}"


SHARDS = 4
# Seconds each slow run took on 2026-11-30 (2 cores, the smokes alone on two workers): the shards are balanced by
# them, the other runs counted at 10 s.
SLOW = {"embedded_soak.py": 68, "pages.py": 58, "memory.py": 56, "browser_play.py": 35, "judgement_demo.py": 27,
        "freshness.py": 19, "import_hostile.py": 19, "schemathesis_api.py": 16, "claim_latency.py": 15}  # fmt: skip


def shard(number: int) -> list[str]:
    """The scripts of shard `number` (0 to SHARDS - 1): the slowest first, each to the lightest shard so far."""
    loads = [0] * SHARDS
    shards: list[list[str]] = [[] for _ in range(SHARDS)]
    for script in sorted(SMOKE, key=lambda name: (-SLOW.get(name, 10), name)):
        lightest = loads.index(min(loads))
        shards[lightest].append(script)
        loads[lightest] += SLOW.get(script, 10)
    return sorted(shards[number])
