"""The desk's judgement on the demo against the demo's truth (issue 68): of the tickets `seed_demo` makes, the share
judged "needs a response" beside the share a reader gives that label.

    .venv/bin/python bench/judgement_demo.py [--as-is]

Seeds the demo into a fresh database (dropped and made again: `triage_bench_judgement_demo` unless DATABASE_URL
names another; the name must hold "bench"), with the demo's replays answering the platforms (DESK_DEMO_REPLAY, no
network), as `make run` seeds it; `--as-is` seeds DATABASE_URL's database as it is, for a fresh migrated copy (the
smoke run's: migrating from nothing was a third of it). Then judges every ticket as the worker does,
`mentions.judgement.run.tickets_judge` in batches until none is left unjudged, and reads what it stored: an unsure
judgement is stored as needs a response and counted so (it is served to a person). Each ticket's truth is the label
its opening mention carries where the demo writes it (bench/_demo_truth.py, docs/judgement.md's "The demo").

Prints the tickets judged, the truth's share of needs a response, the desk's share (and how many of those were
unsure), the difference in points, the confusion table (rows the truth, columns the judgement) and every mismatch
grouped by kind (truth, then judged): ticket, platform, confidence, reason and the first 80 characters of what was
judged. Target (issue 68): the desk's share within 10 points of the truth's. Exit non-zero if a seeded ticket has no
truth or more than one.

A demo thread opened this morning (UTC) is seeded only once its hour has come: before 09:00 UTC fewer tickets are
judged than the demo labels; the run says which labelled mentions opened no ticket.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_judgement_demo")
os.environ["DESK_DEMO_REPLAY"] = "true"  # the demo's week is read from its replays, on this machine

from _common import _database_from_url, load_average, setup_django
from _demo_truth import Truth, month_ticket_ids, tickets_truth

LABELS = ("needs_response", "worth_knowing", "noise")
TARGET_POINTS = 10.0


def _fresh_database() -> None:
    """Drop the benchmark database, so setup_django makes and migrates it from nothing: the demo seeds once."""
    import psycopg2
    from psycopg2 import sql

    db = _database_from_url(os.environ["DATABASE_URL"])
    if "bench" not in str(db["name"]):
        sys.exit(f"Refusing to drop database {db['name']!r}: its name does not contain 'bench'.")
    kwargs: dict[str, Any] = {k: v for k, v in db.items() if k != "name" and v is not None}
    conn = psycopg2.connect(dbname="postgres", **kwargs)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(db["name"]))))
    conn.close()


def _seed() -> str:
    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    return next((line for line in out.getvalue().splitlines() if line.startswith("Demo ready")), "")


def _judge() -> int:
    """Judge until no ticket is left unjudged, as beat's runs would. Returns the runs it took. The desk's own
    judgement: the demo's team-model replay, which seed_demo switches on, answers an unsure opening post with the
    demo's truth (mentions/assistant/demo_answers.py), so it is switched off here or it would flatter the figure."""
    from mentions.judgement.run import BATCH, tickets_judge
    from mentions.models import TeamModelEndpoint, Ticket

    off = TeamModelEndpoint.objects.filter(judge_unsure=True).update(judge_unsure=False)
    print(f"team model's second opinion: off ({off} endpoint(s) seeded with it switched off)")
    runs = 0
    # The week's tickets first, as on `make run`, where the ingest queued their judgement before the month's (issue 70:
    # seeded after them, the month's ids are higher, and the backlog's newest-first order would judge it first, its
    # answered tickets then standing as earlier labels beside the week's).
    month = month_ticket_ids()
    week = [i for i in Ticket.objects.filter(judged_at__isnull=True).values_list("id", flat=True) if i not in month]
    while week:
        runs += 1
        if tickets_judge(week, batch=BATCH, batches=5)["judged"] == 0:
            break
        week = list(Ticket.objects.filter(pk__in=week, judged_at__isnull=True).values_list("id", flat=True))
    while Ticket.objects.filter(judged_at__isnull=True).exists():
        runs += 1
        if tickets_judge(batch=BATCH, batches=5)["judged"] == 0:
            break  # what is left has nothing to judge (tickets_judge marks it judged) or cannot be: do not spin
    return runs


def _share(count: int, total: int) -> float:
    return 100 * count / total if total else float("nan")


def _report(matched_truth: dict[int, Truth]) -> None:
    from django.conf import settings

    from mentions.judgement.reading import first_mentions
    from mentions.models import Ticket

    rows = {
        t["id"]: t
        for t in Ticket.objects.filter(pk__in=matched_truth, judgement__in=LABELS).values(
            "id", "judgement", "judgement_confidence", "judgement_reason", "judged_by"
        )
    }
    texts = first_mentions(list(rows))
    below = settings.DESK_JUDGEMENT_UNSURE_BELOW
    judged, truth = Counter(r["judgement"] for r in rows.values()), Counter(matched_truth[i].truth for i in rows)
    unsure = sum(
        1
        for r in rows.values()
        if r["judged_by"] == "desk" and r["judgement_confidence"] is not None and r["judgement_confidence"] < below
    )
    n = len(rows)
    truth_share, judged_share = _share(truth["needs_response"], n), _share(judged["needs_response"], n)
    points = judged_share - truth_share
    print(f"tickets judged:            {n} (of {len(matched_truth)} labelled tickets)")
    print(f"truth, needs a response:   {truth['needs_response']} of {n} = {truth_share:.1f} %")
    print(
        f"judged needs a response:   {judged['needs_response']} of {n} = {judged_share:.1f} % "
        f"({unsure} of them unsure, below {below}: stored and served as needs a response)"
    )
    verdict = "PASS" if abs(points) <= TARGET_POINTS else "MISS"
    print(f"difference in points:      {points:+.1f} (judged - truth); target within {TARGET_POINTS:.0f}: {verdict}")
    print(f"truth:  {', '.join(f'{label} {truth[label]}' for label in LABELS)}")
    print(f"judged: {', '.join(f'{label} {judged[label]}' for label in LABELS)}")
    print()
    print("confusion (rows: truth, columns: judged)")
    pairs = Counter((matched_truth[i].truth, r["judgement"]) for i, r in rows.items())
    print(f"  {'':<16}" + "".join(f"{label:>16}" for label in LABELS) + f"{'total':>8}")
    for row in LABELS:
        cells = "".join(f"{pairs[(row, col)]:>16}" for col in LABELS)
        print(f"  {row:<16}{cells}{truth[row]:>8}")
    print(f"  {'total':<16}" + "".join(f"{judged[col]:>16}" for col in LABELS) + f"{n:>8}")
    print()
    wrong = [i for i, r in rows.items() if r["judgement"] != matched_truth[i].truth]
    wrong.sort(key=lambda i: (LABELS.index(matched_truth[i].truth), LABELS.index(rows[i]["judgement"]), i))
    print(f"mismatches: {len(wrong)} of {n}")
    kind = None
    for i in wrong:
        r, t = rows[i], matched_truth[i]
        if (t.truth, r["judgement"]) != kind:
            kind = (t.truth, r["judgement"])
            print(f"  truth {t.truth}, judged {r['judgement']} ({pairs[kind]}):")
        mention = texts.get(i)
        words = " ".join(f"{mention.title} {mention.text}".split())[:80] if mention else ""
        confidence = f"{r['judgement_confidence']:.3f}" if r["judgement_confidence"] is not None else "-"
        print(f"    #{i:<4} {t.kind:<14} truth {t.truth:<15} judged {r['judgement']:<15} {confidence}  {words!r}")
        print(f"          reason: {r['judgement_reason']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--as-is", action="store_true", help="seed the database as it is (fresh and migrated)")
    if not parser.parse_args().as_is:
        _fresh_database()
    setup_django()
    print(f"load avg: {load_average()}", flush=True)
    started = time.perf_counter()
    ready = _seed()
    seeded = time.perf_counter()
    print(f"seeded in {seeded - started:.0f} s: {ready}", flush=True)
    runs = _judge()
    print(f"judged in {time.perf_counter() - seeded:.0f} s ({runs} run{'s' if runs != 1 else ''} of tickets_judge)")
    matched = tickets_truth()
    for label, ids in (("no truth", matched.without), ("more than one truth", matched.ambiguous)):
        if ids:
            print(f"FAIL: {len(ids)} seeded ticket(s) with {label}: {ids}")
    for t in matched.unseen:
        print(f"not seeded (yet): {t.kind} {t.opening!r} ({t.source})")
    print()
    _report(matched.truth_of)
    print(f"\nload avg at the end: {load_average()}")
    if matched.without or matched.ambiguous:
        sys.exit(1)


if __name__ == "__main__":
    main()
