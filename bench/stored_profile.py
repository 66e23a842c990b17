"""Where `answers.suggest` spends its time, by layer, on bench/stored_suggestions.py's database (1,000,000 tickets):
each SQL statement timed and named by the list it serves (connection.execute_wrapper), each step of the ranking
timed around its function, the Python ranking under cProfile, and EXPLAIN (ANALYZE, BUFFERS) of the slowest
statement of each kind. Run bench/stored_suggestions.py once first (the index, the vectors, the cells, the timed
tickets' own vectors).

    .venv/bin/python bench/stored_profile.py [--tickets 30] [--seed 1] [--code PATH] [--cprofile] [--explain]

--code PATH imports the desk from another tree (a "before" worktree), as bench/suggestions.py does.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")

from _common import load_average, machine_print, setup_django
from _cpu import CpuMeter
from suggestions import _code_tree, tickets_sample

# A statement's kind, by what its text holds (first match wins).
KINDS = (
    ("ts_rank_cd", "plain list (ts_rank_cd)"),
    ("UNION ALL", "first pass (words GIN, with its rows)"),
    ("words @@", "first pass (words GIN, with its rows)"),
    ("similarity(", "rows of the other lists (rows_for)"),
    ('"answers_answer"."cell"', "meaning list: cells' vectors"),
    ('"answers_answer"."meaning_model"', "meaning list: vectors (no cells)"),
    ("answers_term", "stems' counts"),
    ("mentions_ticketmeaning", "ticket's vector"),
    ("FOR UPDATE", "store: answers locked"),
    ("answers_storedsuggestion", "store: rows"),
    ("answers_meaningcell", "cells' centroids"),
    ("mentions_message", "ticket's question"),
    ("SET LOCAL", "SET LOCAL"),
)
STEPS = (  # (module, function): each timed around its call
    ("answers.suggestions.ranking", "ticket_question"),
    ("mentions.meaning", "ticket_vector"),
    ("answers.suggestions.ranking", "_weighted"),
    ("answers.suggestions.ranking", "first_pass"),
    ("answers.suggestions.hybrid", "meaning_list"),
    ("answers.suggestions.hybrid", "plain_list"),
    ("answers.suggestions.ranking", "rows_for"),
    ("answers.suggestions.ranking", "_score"),
    ("answers.suggestions.ranking", "fit_features"),
    ("answers.suggestions.ranking", "_why"),
    ("answers.suggestions.stored", "_store"),
)


def kind_of(sql: str) -> str:
    for needle, name in KINDS:
        if needle in sql:
            return name
    return "other: " + " ".join(sql.split())[:60]


class Statements:
    """An execute_wrapper: each statement's time by kind, and the slowest of each kind (for EXPLAIN)."""

    def __init__(self) -> None:
        self.tickets: list[dict[str, float]] = []  # each ticket's milliseconds by kind
        self.slowest: dict[str, tuple[float, str, Any]] = {}
        self.current: defaultdict[str, float] = defaultdict(float)

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = (time.perf_counter() - started) * 1000
            kind = kind_of(sql)
            self.current[kind] += took
            if took > self.slowest.get(kind, (0.0, "", None))[0]:
                self.slowest[kind] = (took, sql, params)

    def ticket_done(self) -> None:
        self.tickets.append(dict(self.current))
        self.current.clear()

    def by_kind(self) -> dict[str, list[float]]:
        kinds = {kind for ticket in self.tickets for kind in ticket}
        return {kind: [ticket.get(kind, 0.0) for ticket in self.tickets] for kind in kinds}


def steps_wrap(times: defaultdict[str, float]) -> None:
    """Each STEPS function timed (cumulative per ticket) where the ranking looks it up."""
    import importlib

    for module_name, name in STEPS:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue

        def timed(*args: Any, _fn: Callable = original, _name: str = name, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _fn(*args, **kwargs)
            finally:
                times[_name] += (time.perf_counter() - started) * 1000

        setattr(module, name, functools.wraps(original)(timed))


def _row(label: str, values: list[float], count: int) -> None:
    values = values + [0.0] * (count - len(values))
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
    print(f"  {label:44} mean {statistics.mean(values):8.1f}  p50 {statistics.median(values):8.1f}  p95 {p95:8.1f} ms")


def explain(sql: str, params: Any) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) a read, in a transaction rolled back. A write is not explained: ANALYZE runs the
    statement again (the store's INSERT would meet the rows it stored)."""
    from django.db import connection, transaction

    head = sql.lstrip().upper()
    if not head.startswith(("SELECT", "WITH")) or any(f" {w} " in f" {head} " for w in ("INSERT", "UPDATE", "DELETE")):
        print("    (a write: not explained, EXPLAIN ANALYZE would run it again)")
        return
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # as the first pass runs
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, SETTINGS) " + sql, params)
        for (line,) in cur.fetchall():
            print("    " + line)
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--code", default="", help="import the desk from this tree")
    parser.add_argument("--cprofile", action="store_true", help="the Python ranking under cProfile (another pass)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) the slowest of each kind")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _code_tree()
    setup_django()
    machine_print()
    from django.db import connection

    from answers.suggestions.stored import suggestions_store

    sample = tickets_sample(args.seed, args.tickets, answers=True)
    tickets = sample[20:][: args.tickets]
    for ticket in sample[: args.warmup]:
        suggestions_store([ticket.pk], vectors=False, force=True)
    step_ms: defaultdict[str, float] = defaultdict(float)
    steps: defaultdict[str, list[float]] = defaultdict(list)
    steps_wrap(step_ms)
    statements = Statements()
    totals = []
    print(f"load average before: {load_average()}", flush=True)
    with CpuMeter() as meter, connection.execute_wrapper(statements):
        for ticket in tickets:
            started = time.perf_counter()
            suggestions_store([ticket.pk], vectors=False, force=True)
            totals.append((time.perf_counter() - started) * 1000)
            statements.ticket_done()
            for name, took in step_ms.items():
                steps[name].append(took)
            step_ms.clear()
    n = len(tickets)
    print(f"load average after: {load_average()}")
    cpu_app, cpu_db = meter.cpu.app * 1000 / n, meter.cpu.db * 1000 / n
    print(f"\n{n} tickets, compute + store (answers.suggest without the vector's embedding), wall ms:")
    _row("total", totals, n)
    print(f"  CPU per ticket: {cpu_app + cpu_db:.1f} ms ({cpu_app:.1f} process + {cpu_db:.1f} PostgreSQL backend)")
    print("\nby step (the function's wall time, its SQL included; nested steps overlap their callers):")
    for _module, name in STEPS:
        if name in steps:
            _row(name, steps[name], n)
    print("\nby SQL statement kind (execute + fetch, wall):")
    by_kind = statements.by_kind()
    for kind in sorted(by_kind, key=lambda k: -sum(by_kind[k])):
        _row(kind, by_kind[kind], n)
    sql_total = [sum(ticket.values()) for ticket in statements.tickets]
    _row("all SQL", sql_total, n)
    _row("not SQL (Python: ORM rows, ranking, numpy)", [t - s for t, s in zip(totals, sql_total, strict=True)], n)
    if args.explain:
        for kind, (took, sql, params) in sorted(statements.slowest.items(), key=lambda kv: -kv[1][0])[:4]:
            print(f"\nslowest {kind}: {took:.1f} ms")
            explain(sql, params)
    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        for ticket in tickets:
            suggestions_store([ticket.pk], vectors=False, force=True)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
        stats.print_stats(25)
        print("\ncProfile (a second pass over the same tickets), by own time:")
        print("\n".join(out.getvalue().splitlines()[:60]))


if __name__ == "__main__":
    main()
