"""Stored suggestions (answers.suggestions.stored) at 1,000,000 tickets with the full index: p50/p95 of (a) computing
and storing one ticket's suggestions as the worker's `answers.suggest` does (its stored meaning vector read, the search
and ranking, the rows replaced in one transaction), beside the floor of bench/suggestions.py (one GIN lookup of the
question's rarest stem and the candidates' rows), and (b) the panel's read of the stored rows (one query with the
answers and who answered, `stored_read`), beside its floor (the same rows by the ticket's index, no join), then
the whole Answers panel as the ticket page renders it (context and template). And the real embedding cost of a
ticket's meaning, measured apart on a sample.

    .venv/bin/python bench/stored_suggestions.py      # on bench/pages.py's database (run pages.py --load-only once)
    ... --tickets 300 --seed 2

**Synthetic answer vectors.** Embedding 800,000 answers with the real model takes hours on 2 shared vCPUs, so the
answers still without a meaning vector get a deterministic synthetic one (a unit vector of the model's size drawn
from a generator seeded by the answer's id, float16, the model's name): the ranking reads and compares them exactly
as real ones (the cost measured is the same; the cosines are not the real ones, so meaning rarely lifts an answer
here). The timed tickets' own vectors are the real model's, embedded first; that cost is reported apart ("embed").
Indexes the answered tickets first if the index is not full (bench/suggestions.py).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")

from _common import load_average, machine_print, setup_django
from _cpu import CpuMeter
from suggestions import _code_tree, _floor, _index_ensure, _line, _panel, _timed, tickets_sample

VECTOR_BATCH = 20_000
TARGET_STORE_P95_MS = 150.0  # the worker's budget per ticket (bench/suggestions.py's search target)
TARGET_READ_P95_MS = 5.0  # the panel's read of its stored rows


def _vectors_fill() -> int:
    """Synthetic vectors for the answers without one (see the docstring), by batches: COPY into a temporary table,
    one UPDATE per batch."""
    import numpy as np
    from django.db import connection

    from advocacy.embeddings import model_name
    from answers.models import Answer

    model = model_name()
    missing = Answer.objects.exclude(meaning_model=model).order_by("pk").values_list("pk", flat=True)
    total = missing.count()
    if not total:
        return 0
    print(f"vectors: {total:,} answers without one: synthetic ones (deterministic)...", flush=True)
    started, done, after = time.perf_counter(), 0, 0
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS bench_vectors (ticket_id bigint PRIMARY KEY, meaning bytea)")
        while True:
            ids = list(missing.filter(pk__gt=after)[:VECTOR_BATCH])
            if not ids:
                break
            rng = np.random.default_rng(ids[0])
            matrix = rng.standard_normal((len(ids), 384)).astype(np.float32)
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
            rows = io.StringIO()
            for pk, vector in zip(ids, matrix.astype(np.float16), strict=True):
                rows.write(f"{pk}\t\\\\x{vector.tobytes().hex()}\n")
            rows.seek(0)
            cur.execute("TRUNCATE bench_vectors")
            cur.cursor.copy_from(rows, "bench_vectors", columns=("ticket_id", "meaning"))
            cur.execute(
                "UPDATE answers_answer a SET meaning = v.meaning, meaning_model = %s FROM bench_vectors v"
                " WHERE a.ticket_id = v.ticket_id",
                [model],
            )
            done, after = done + len(ids), ids[-1]
            print(f"  {done:,} of {total:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    return done


def _vacuum() -> None:
    """The fill leaves a dead version of every answer's row (and learning the cells another): until VACUUM, each
    index scan of the answers reads them too, and the meaning list's `cell IS NULL` arm all of the table (2.2 s of
    2.4 s a ticket at 1,000,000 tickets, bench/stored_profile.py). A desk's autovacuum gets there; the bench at once."""
    from answers.suggestions.cells import answers_vacuum

    started = time.perf_counter()
    answers_vacuum()
    print(f"answers vacuumed in {time.perf_counter() - started:.0f} s", flush=True)


def _embed_sample(tickets: list) -> None:
    """The real model on the timed tickets' first texts: one at a time (a ticket arriving alone), then their
    vectors stored as the judgement stores them (mentions.meaning)."""
    from advocacy.embeddings import embed
    from mentions.meaning import first_texts, ticket_vectors

    texts = first_texts([t.pk for t in tickets])
    sample = list(texts.values())[:32]
    embed(sample[:2])  # the model loaded
    times = []
    for text in sample:
        started = time.perf_counter()
        embed([text])
        times.append((time.perf_counter() - started) * 1000)
    _line("embed one ticket's text (real model)", times, [1] * len(times))
    ticket_vectors([t.pk for t in tickets], texts=texts)


def _rows_fill(tickets: list, n: int, rng: random.Random) -> None:
    """The read is timed on tickets with `n` stored suggestions each: few of the load's generated mentions pass the
    evidence floor (answers.suggestions.ranking: "nothing fits"), and the read's cost is in the rows it joins, not in
    how they were ranked. The answers are drawn at random among the first 20,000 tickets' (the rows stay: the next run
    computes them again)."""
    from django.utils import timezone

    from answers.models import Answer, StoredSuggestion
    from answers.suggestions.stored import generation_current

    pool = list(Answer.objects.filter(pk__lte=20_000).values_list("pk", flat=True))
    now, generation = timezone.now(), generation_current()
    rows = []
    for ticket in tickets:
        for rank, answer in enumerate(rng.sample(pool, n), start=1):
            why = ["shares: artifacts, expire, runner"]
            row = StoredSuggestion(ticket_id=ticket.pk, answer_id=answer, rank=rank, score=10.0 - rank, why=why)
            row.generation, row.computed_at = generation, now
            rows.append(row)
    StoredSuggestion.objects.filter(ticket_id__in=[t.pk for t in tickets], rank__gt=0).delete()
    StoredSuggestion.objects.bulk_create(rows)
    print(f"read timed with {n} stored suggestions a ticket (answers drawn at random)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=200, help="tickets timed (after 20 warm-up ones)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--read-rows", type=int, default=5, help="stored suggestions per ticket for the read (0: as computed)"
    )
    parser.add_argument("--code", default="", help="import the desk from this tree (a before worktree)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    _code_tree()
    setup_django()
    machine_print()
    _index_ensure()
    if _vectors_fill():  # every row written again: vacuumed, as a desk's table is between two fills (see below)
        _vacuum()
    from answers.suggestions.cells import cells_refresh

    started = time.perf_counter()
    cells = (
        cells_refresh()
    )  # the meaning list's cells, as answers.meaning_fill learns them after filling (answers.suggestions.cells)
    print(f"cells: {cells:,} learnt in {time.perf_counter() - started:.0f} s", flush=True)

    from _pages_load import people

    from answers.models import StoredSuggestion
    from answers.suggestions.stored import stale_ids, stored_read, suggestions_store

    tickets = tickets_sample(args.seed, args.tickets, answers=True)
    _embed_sample(tickets)
    panel = _panel(people()[0][0])

    def store(ticket) -> int:
        return suggestions_store([ticket.pk], force=True)  # as answers.suggest: its vector read, then stored

    def read(ticket) -> list:
        return stored_read(ticket) or []

    def read_floor(ticket) -> int:
        return len(list(StoredSuggestion.objects.filter(ticket_id=ticket.pk).values_list("pk", flat=True)))

    for ticket in tickets[:20]:  # warm-up: connections, caches, the planner's statistics
        store(ticket)
        _floor(ticket)
        read(ticket)
        read_floor(ticket)
        panel(ticket)
    timed = tickets[20:]
    print(f"load average before: {load_average()}", flush=True)
    with CpuMeter() as floor_cpu:
        floor = _line("floor (one GIN lookup + candidate rows)", *_timed(_floor, timed))
    with CpuMeter() as store_cpu:
        stored_p95 = _line("compute + store (answers.suggest, per ticket)", *_timed(store, timed))
    for label, meter in (("floor", floor_cpu), ("compute + store", store_cpu)):
        app, db = meter.cpu.app * 1000 / len(timed), meter.cpu.db * 1000 / len(timed)
        print(f"  {label} CPU per ticket: {app + db:.1f} ms ({app:.1f} process + {db:.1f} PostgreSQL)", flush=True)
    shown = [len(read(t)) for t in timed]
    if args.read_rows:
        _rows_fill(timed, args.read_rows, random.Random(args.seed))
    read_floor_p95 = _line("read floor (the ticket's rows, no join)", *_timed(read_floor, timed))
    read_p95 = _line("panel's read of stored rows (stored_read)", *_timed(read, timed))
    panel_p95 = _line("Answers panel (context + template)", *_timed(panel, timed))
    started = time.perf_counter()
    stale = stale_ids()
    took = (time.perf_counter() - started) * 1000
    print(f"refresh's stale tickets query (stale_ids): {took:.1f} ms, {len(stale)} found")
    print(f"load average after: {load_average()}", flush=True)
    print(f"tickets with a suggestion: {sum(1 for n in shown if n)} of {len(shown)}")
    verdict = "ok" if stored_p95 <= TARGET_STORE_P95_MS else "MISS"
    print(
        f"\nstored: compute + store p95 {stored_p95:.1f} ms (target {TARGET_STORE_P95_MS:.0f} ms) {verdict};"
        f" floor p95 {floor:.1f} ms"
    )
    verdict = "ok" if read_p95 <= TARGET_READ_P95_MS else "MISS"
    print(
        f"stored: panel read p95 {read_p95:.2f} ms (target {TARGET_READ_P95_MS:.0f} ms) {verdict};"
        f" floor p95 {read_floor_p95:.2f} ms; whole panel p95 {panel_p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
