"""The Answers panel's suggestions at 1,000,000 tickets and 3,000,000 messages: p50/p95 of
`answers.suggestions.ticket_suggestions` (everything the panel asks the database and ranks: the ticket's question,
the stems' counts, the synonyms, both first-pass queries, the candidates' rows, the ranking), for tickets drawn at
random, beside the floor: the cheapest comparable work, one GIN lookup of the question's rarest stem reading the
same number of candidate rows by primary key, nothing ranked.

    .venv/bin/python bench/suggestions.py            # on bench/pages.py's database (run pages.py --load-only once)
    ... --tickets 300 --seed 2

Indexes the answered tickets first if the index is not full (`answers_index(everything=True)`, about 30 minutes
for 800,000 answers on 2 vCPUs; the same as `manage.py answers_index --all`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")

from _common import machine_print, setup_django

TARGET_P95_MS = 150.0


def _index_ensure() -> None:
    from answers.index import answers_index
    from answers.models import Answer
    from mentions.models import Message

    answered = Message.objects.filter(kind=Message.Kind.OUR_REPLY).values("ticket_id").distinct().count()
    have = Answer.objects.count()
    if have >= answered * 0.95:
        print(f"index: {have:,} answers (of {answered:,} tickets with a reply of ours)")
        return
    print(f"index: {have:,} of {answered:,}: indexing the rest...", flush=True)
    started = time.perf_counter()
    added = answers_index(everything=True)
    print(f"  {added:,} added in {time.perf_counter() - started:.0f} s", flush=True)


def _floor(ticket) -> int:
    """One GIN lookup of the rarest stem of the question, and the candidates' rows by primary key."""
    from django.db import connection

    from answers.candidates import FIELDS, LIMIT
    from answers.models import Answer, Term
    from answers.suggestions import ticket_question
    from answers.terms import query_terms

    title, body = ticket_question(ticket)
    stems = query_terms(f"{title}\n{body}")
    counts = dict(Term.objects.filter(term__in=stems).values_list("term", "df"))
    known = [s for s in stems if counts.get(s)]
    if not known:
        return 0
    rarest = min(known, key=lambda s: counts[s])
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ticket_id FROM answers_answer WHERE words @@ to_tsquery('simple', quote_literal(%s)) LIMIT %s",
            [rarest, LIMIT],
        )
        ids = [row[0] for row in cur.fetchall()]
    return len(list(Answer.objects.filter(pk__in=ids).only(*FIELDS)))


def _timed(fn, items) -> tuple[list[float], list[int]]:
    times, sizes = [], []
    for item in items:
        started = time.perf_counter()
        result = fn(item)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(result if isinstance(result, int) else len(result))
    return times, sizes


def _line(label: str, times: list[float], sizes: list[int]) -> float:
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"{label:42} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   max {max(times):7.1f} ms"
        f"   rows/ticket {statistics.mean(sizes):6.1f}",
        flush=True,
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=200, help="tickets timed (after 20 warm-up ones)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    setup_django()
    machine_print()
    _index_ensure()

    from answers.suggestions import ticket_suggestions
    from mentions.models import Message, Ticket

    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(args.seed)
    picked = sorted({rng.randint(1, top) for _ in range(args.tickets + 20)})
    tickets = list(Ticket.objects.filter(pk__in=picked).select_related("channel"))
    rng.shuffle(tickets)
    print(
        f"{Ticket.objects.count():,} tickets, {Message.objects.count():,} messages; {len(tickets) - 20} timed",
        flush=True,
    )
    for ticket in tickets[:20]:  # warm-up: connections, caches, the planner's statistics
        ticket_suggestions(ticket)
        _floor(ticket)
    timed = tickets[20:]
    floor = _line("floor (one GIN lookup + candidate rows)", *_timed(_floor, timed))
    p95 = _line("ticket_suggestions (the panel's answers)", *_timed(ticket_suggestions, timed))
    verdict = "ok" if p95 <= TARGET_P95_MS else "MISS"
    print(f"\nsuggestions p95 {p95:.1f} ms (target {TARGET_P95_MS:.0f} ms) {verdict}; floor p95 {floor:.1f} ms")


if __name__ == "__main__":
    main()
