"""The Answers panel's suggestions at 1,000,000 tickets and 3,000,000 messages: p50/p95 of
`answers.suggestions.ranking.ticket_suggestions` (everything the panel asks the database and ranks: the ticket's
question, the stems' counts, the synonyms, the first pass and the candidates' rows, the ranking), for tickets drawn at
random, beside the floor: the cheapest comparable work, one GIN lookup of the question's rarest stem reading the
same number of candidate rows by primary key, nothing ranked. Then the CPU the Answers panel costs the server per
ticket (its context function and its template, as the ticket page renders it: this process plus its PostgreSQL
backend, bench/_cpu.py), beside the floor's. Since the suggestions are stored by the worker
(answers.suggestions.stored), the panel reads its stored rows, or says it is looking when there are none:
bench/stored_suggestions.py measures both sides (the worker's computing and storing, the panel's read) at 1M.

    .venv/bin/python bench/suggestions.py            # on bench/pages.py's database (run pages.py --load-only once)
    ... --tickets 300 --seed 2
    ... --code /work/before-answers                  # measure another tree's answers code on the same database

Indexes the answered tickets first if the index is not full (`answers_index(everything=True, workers=2)`, the same
as `manage.py answers_index --all`: about 10-15 minutes for 800,000 answers on 2 shared vCPUs).
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")

import _common
from _common import load_average, machine_print, setup_django
from _cpu import CpuMeter

TARGET_P95_MS = 150.0
TARGET_PANEL_CPU_MS = 15.0


def _code_tree() -> None:
    """--code PATH: import the desk from another tree (a "before" worktree) before Django starts."""
    if "--code" in sys.argv:
        tree = sys.argv[sys.argv.index("--code") + 1]
        sys.path.insert(0, tree)
        _common.REPO = Path(tree)


def _index_ensure() -> None:
    from answers.index.follow import answers_index
    from answers.models import Answer
    from mentions.models import Message

    # Sampled on the first 10,000 tickets: counting the distinct tickets of 3,000,000 messages took minutes on a
    # busy machine.
    answered = Message.objects.filter(kind=Message.Kind.OUR_REPLY, ticket_id__lte=10_000).values("ticket_id")
    answered_n = answered.distinct().count()
    have = Answer.objects.filter(pk__lte=10_000).count()
    if have >= answered_n * 0.95:
        print(f"index: {Answer.objects.count():,} answers ({have:,} of the first 10,000 tickets' {answered_n:,})")
        return
    print(f"index: {have:,} of the first 10,000 tickets' {answered_n:,}: indexing the rest...", flush=True)
    started = time.perf_counter()
    # A "before" tree (--code) may have no workers.
    workers = {"workers": 2} if "workers" in inspect.signature(answers_index).parameters else {}
    added = answers_index(everything=True, **workers)
    print(f"  {added:,} added in {time.perf_counter() - started:.0f} s", flush=True)


def _floor(ticket) -> int:
    """One GIN lookup of the rarest stem of the question, and the candidates' rows by primary key."""
    from django.db import connection

    from answers.models import Answer, Term
    from answers.suggestions.candidates import FIELDS, LIMIT
    from answers.suggestions.ranking import ticket_question
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


def tickets_sample(seed: int, count: int, *, answers: bool = False) -> list:
    """`count` tickets drawn at random and 20 more for the warm-up, with the database's size printed."""
    from answers.models import Answer
    from mentions.models import Message, Ticket

    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(seed)
    picked = sorted({rng.randint(1, top) for _ in range(count + 20)})
    tickets = list(Ticket.objects.filter(pk__in=picked).select_related("channel"))
    rng.shuffle(tickets)
    held = f", {Answer.objects.count():,} answers" if answers else ""
    print(
        f"{Ticket.objects.count():,} tickets, {Message.objects.count():,} messages{held}; {len(tickets) - 20} timed",
        flush=True,
    )
    return tickets


def _panel(user):
    """The Answers panel as the ticket page renders it: its context function and its template."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from answers.views import TEMPLATE, answers_panel

    factory = RequestFactory()

    def render(ticket) -> int:
        request = factory.get(f"/tickets/{ticket.pk}/")
        request.user = user
        context = {"ticket": ticket, **answers_panel(request, ticket, {})}
        return len(render_to_string(TEMPLATE, context, request=request))

    return render


def _cpu_line(label: str, fn, items) -> float:
    with CpuMeter() as meter:
        for item in items:
            fn(item)
    app, db = meter.cpu.app * 1000 / len(items), meter.cpu.db * 1000 / len(items)
    print(f"{label:42} CPU {app + db:6.2f} ms/ticket ({app:.2f} process + {db:.2f} PostgreSQL)", flush=True)
    return app + db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=200, help="tickets timed (after 20 warm-up ones)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--code", default="", help="a tree whose answers code is measured (default: this one)")
    args = parser.parse_args()

    _code_tree()
    setup_django()
    machine_print()
    _index_ensure()

    from _pages_load import people

    import answers
    from answers.suggestions.ranking import ticket_suggestions

    print(f"code: {Path(answers.__file__).resolve().parent.parent}", flush=True)

    tickets = tickets_sample(args.seed, args.tickets)
    panel = _panel(people()[0][0])
    for ticket in tickets[:20]:  # warm-up: connections, caches, the planner's statistics
        ticket_suggestions(ticket)
        _floor(ticket)
        panel(ticket)
    timed = tickets[20:]
    print(f"load average before: {load_average()}", flush=True)
    floor = _line("floor (one GIN lookup + candidate rows)", *_timed(_floor, timed))
    p95 = _line("ticket_suggestions (the panel's answers)", *_timed(ticket_suggestions, timed))
    floor_cpu = _cpu_line("floor", _floor, timed)
    panel_cpu = _cpu_line("Answers panel (context + template)", panel, timed)
    print(f"load average after: {load_average()}", flush=True)
    verdict = "ok" if p95 <= TARGET_P95_MS else "MISS"
    print(f"\nsuggestions p95 {p95:.1f} ms (target {TARGET_P95_MS:.0f} ms) {verdict}; floor p95 {floor:.1f} ms")
    verdict = "ok" if panel_cpu <= TARGET_PANEL_CPU_MS else "MISS"
    print(
        f"panel CPU {panel_cpu:.2f} ms (target {TARGET_PANEL_CPU_MS:.0f} ms) {verdict}; floor {floor_cpu:.2f} ms"
        f" ({panel_cpu / floor_cpu:.1f}x)"
    )


if __name__ == "__main__":
    main()
