"""Ticket list search at 1,000,000 tickets and 3,000,000 messages: p50/p95 of one results page
(mentions.search.tickets.ticket_search: every query the list runs for its results, snippets included;
not the template).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench .venv/bin/python bench/search.py
    ... --explain        EXPLAIN (ANALYZE, BUFFERS) of the main search query of each case

Loads bench/search_dataset.sql first when the database holds another number of tickets than --tickets
(1,000,000: about 10 minutes on 2 vCPUs; it TRUNCATEs tickets and messages).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, machine_print, setup_django

TARGET_P95_MS = 100.0
SIZE_IN_SQL = "generate_series(1, 1000000) i"  # the dataset's ticket series; --tickets replaces its bound


def _cases(channel_id: int) -> list[tuple[str, dict]]:
    return [
        ("list, no query", {}),
        ("list, status=new + unassigned", {"status": "new", "unassigned": True}),
        ("rare word", {"q": "registry"}),
        ("rare word, newest first", {"q": "registry", "order": "newest"}),
        ("word in ~2% of messages", {"q": "tfbte"}),  # vocabulary rank 101
        ("word in ~19% of messages", {"q": "kubernetes"}),
        ("common word (~30%)", {"q": "pipeline"}),
        ("common word, newest first", {"q": "pipeline", "order": "newest"}),
        ("very common word (~80%)", {"q": "gitlab"}),
        ("phrase", {"q": '"merge train"'}),
        ("-word", {"q": "registry -docker"}),
        ("common word -word", {"q": "pipeline -docker"}),
        ("two words", {"q": "pipeline cache"}),
        ("rare word + filters", {"q": "registry", "priority": "normal", "date_from": date(2024, 1, 1)}),
        ("common word + filters", {"q": "pipeline", "status": "new", "unassigned": True}),
        ("common word + channel + dates", {"q": "pipeline", "channel_id": channel_id, "date_to": date(2025, 6, 30)}),
        ("common word + rare filter", {"q": "pipeline", "priority": "urgent", "status": "new"}),
        ("ticket id", {"q": "#123456"}),
        ("tag name", {"q": "downtime"}),
        ("no match", {"q": "zzzyyyxxx"}),
    ]


def _dataset_ensure(tickets: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM mentions_ticket")
        if cur.fetchone()[0] == tickets:
            return
        print(f"loading bench/search_dataset.sql ({tickets:,} tickets, {3 * tickets:,} messages)...", flush=True)
        started = time.perf_counter()
        sql = (REPO / "bench" / "search_dataset.sql").read_text()
        assert SIZE_IN_SQL in sql, "bench/search_dataset.sql no longer draws its tickets with the expected series"
        cur.execute(sql.replace(SIZE_IN_SQL, f"generate_series(1, {int(tickets)}) i"))
        print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)


def _explain(query) -> str:
    from django.db import connection

    from mentions.search import tickets as search

    built = search.search_sql(query)
    assert built is not None, "a case that can match nothing has no plan to explain"
    sql, params, _ = built
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cur.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per case (after one warm-up)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="dataset size (a smaller one for a smoke run)")
    args = parser.parse_args()

    setup_django()
    machine_print()
    _dataset_ensure(args.tickets)

    from channels.models import Channel
    from mentions.search import tickets as search

    channel_id = Channel.objects.filter(slug="bench-2").values_list("pk", flat=True).first()
    assert channel_id is not None, "the dataset has the channel bench-2"
    all_ms: list[float] = []
    print(f"{'case':34} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}  count")
    for label, kwargs in _cases(channel_id):
        query = search.TicketQuery(**kwargs)
        page = search.ticket_search(query)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            page = search.ticket_search(query)
            times.append((time.perf_counter() - started) * 1000)
        all_ms.extend(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        count = f"{page.count:,}{'+' if page.count_capped else ''}"
        print(f"{label:34} {statistics.median(times):8.1f} {p95:8.1f} {len(page.tickets):5}  {count}", flush=True)
        if args.explain and query.has_text:
            print(_explain(query), "\n", flush=True)
    overall = statistics.quantiles(all_ms, n=20)[-1]
    verdict = "ok" if overall <= TARGET_P95_MS else "MISS"
    print(f"\nall cases: p95 {overall:.1f} ms (target {TARGET_P95_MS:.0f} ms) {verdict}")


if __name__ == "__main__":
    main()
