"""Live tickets against an imported backlog (issue 69): how long after it arrives each live ticket waits for its
judgement while 30,000 imported tickets wait too, and how long until the backlog is gone.

    .venv/bin/python bench/judging_backlog.py                       # 30,000 imported, 500 live over 30 minutes
    cd /tmp/main-tree && BENCH_TREE=$PWD DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench_backlog_main \\
        /path/to/this/bench/judging_backlog.py                      # the same against another checkout's code

The history goes through the importer's own path (the documented `tickets.jsonl`, `imports.running.run_execute`,
its answers' indexing left out), in IMPORT_RUNS runs over the first `--import-minutes`, as an import's pages are
written over several minutes: a live ticket that arrives meanwhile has a lower id than the pages written after it.
Each imported ticket is a mention of the judgement's development set (mentions/judgement/eval/dev.json), numbered;
so is each live one, ingested through the real ingest (`intake.pipeline.mentions_ingest`) at its time, in pages of
one to three, `--live` of them over `--live-minutes` from the import's start.

The worker is simulated as it runs: the judging tasks go to one queue served by one process, one task at a time, in
the order they were queued (the `meaning` queue, --pool=solo). Beat queues `mentions.judgement_run` at the period
and with the expiry of this checkout's settings (a run not started before it expires is dropped, as Celery drops
it); each ingest's commit queues it with the page's tickets (intake.hooks.tickets_ingested_enqueue, caught here
instead of going to the broker). Each task really runs; the simulated clock moves by the CPU seconds this process
spent in it (`--clock cpu`, the default: the embedding runs on one thread, and the machine's other work would only
inflate wall time; `--clock wall` moves it by wall seconds). The import and the ingests run on other workers: they
take no time on this one's clock. The after-ingest task (SLA clocks, the story detector) shares the queue in
production and is not run here: it is not judging, and its cost is the detector's (bench/stories_history.py).

Printed: each live ticket's wait (judged at the end of the task that judged it, minus its arrival), as the median,
p95 and the worst, how many waited over a minute, the minute every live ticket was judged by, and the minute the
backlog was empty, both from the import's start. Target (issue 69): every live ticket judged within a minute.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_judging_backlog")

from _common import REPO, load_average, machine_print, percentile, setup_django, truncate

IMPORT_RUNS = 30
JUDGEMENT_TASK = "mentions.judgement_run"


@dataclass(order=True)
class Event:
    at: float
    order: int
    kind: str = field(compare=False)  # "import", "live", "beat"
    value: Any = field(compare=False, default=None)


@dataclass
class Task:
    queued: float
    expires: float | None
    ticket_ids: list[int] | None


def _texts() -> list[dict[str, str]]:
    return json.loads((REPO / "mentions/judgement/eval/dev.json").read_text(encoding="utf-8"))["mentions"]


def _history(folder: Path, texts: list[dict[str, str]], first: int, count: int) -> None:
    """`count` tickets of the last year as the documented JSONL, each a development-set mention, numbered."""
    start = datetime(2025, 11, 1, tzinfo=UTC)
    lines = []
    for n in range(first, first + count):
        text, at = texts[n % len(texts)], (start + timedelta(minutes=15 * n)).isoformat()
        lines.append(
            json.dumps(
                {
                    "id": f"H-{n}",
                    "subject": text["title"],
                    "status": "solved",
                    "created_at": at,
                    "requester": {"name": text["author"]},
                    "messages": [{"id": "q", "from": "requester", "created_at": at, "body": f"{text['text']} ({n})"}],
                }
            )
            + "\n"
        )
    (folder / "tickets.jsonl").write_text("".join(lines), encoding="utf-8")


def _import(texts: list[dict[str, str]], first: int, count: int) -> None:
    from imports.models import ImportRun
    from imports.running import run_execute
    from imports.starting import run_create

    with tempfile.TemporaryDirectory() as folder:
        _history(Path(folder), texts, first, count)
        run = run_execute(run_create(kind=ImportRun.Kind.DOCUMENTED, path=folder).pk, index=False)
    if run.status != ImportRun.Status.DONE:
        sys.exit(f"import failed: {run.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--imported", type=int, default=30_000, help="tickets imported")
    parser.add_argument("--import-minutes", type=float, default=5.0, help="the import's pages are written over these")
    parser.add_argument("--live", type=int, default=500, help="live tickets ingested")
    parser.add_argument("--live-minutes", type=float, default=30.0, help="over these minutes from the import's start")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--seed", type=int, default=69)
    parser.add_argument("--max-hours", type=float, default=12.0, help="stop the simulation after this long")
    args = parser.parse_args()
    setup_django()
    machine_print()

    from django.conf import settings
    from django.utils import timezone

    import intake.hooks
    from channels.adapters.base import IncomingMention
    from channels.models import Channel
    from intake.pipeline import mentions_ingest
    from mentions.models import Message, Ticket
    from mentions.tasks import judgement_run

    truncate("mentions_ticket", "imports_importrun", "imports_externalref", "channels_channel", "people_person")
    beat = settings.CELERY_BEAT_SCHEDULE[JUDGEMENT_TASK]
    period = beat["schedule"].total_seconds()
    expires = float(beat["options"]["expires"])
    print(f"code: {REPO}; beat runs {JUDGEMENT_TASK} every {period:.0f} s, expiring after {expires:.0f} s")

    channel = Channel.objects.create(kind="hackernews", name="Live", slug="live", enabled=False,
                                     config={"keywords": ["gitlab"]})  # fmt: skip
    texts = _texts()
    rng = random.Random(args.seed)
    events: list[Event] = []
    order = 0

    def push(at: float, kind: str, value: Any = None) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, Event(at, order, kind, value))

    per_run = -(-args.imported // IMPORT_RUNS)
    for n in range(IMPORT_RUNS):
        push(
            n * args.import_minutes * 60 / IMPORT_RUNS,
            "import",
            (n * per_run, min(per_run, args.imported - n * per_run)),
        )
    left, n = args.live, 0
    while left > 0:
        page = min(left, rng.randint(1, 3))
        push(rng.uniform(0, args.live_minutes * 60), "live", list(range(n, n + page)))
        n, left = n + page, left - page
    horizon = args.max_hours * 3600
    tick = 0.0
    while tick <= horizon:
        push(tick, "beat")
        tick += period

    queue: list[Task] = []
    queued_now: list[list[int]] = []
    intake.hooks.task_enqueue = lambda name, ids, **kw: queued_now.append(ids) if name == JUDGEMENT_TASK else None
    arrived: dict[int, float] = {}  # live ticket id -> when it arrived
    judged_at: dict[int, float] = {}
    to_come = IMPORT_RUNS + sum(1 for e in events if e.kind == "live")  # imports and live pages not yet happened
    now, ran, dropped, busy, wall_busy = 0.0, 0, 0, 0.0, 0.0
    backlog_empty: float | None = None
    started = time.perf_counter()

    while True:
        # What happened by now (or, the worker idle, by the next event): pages imported, live pages ingested (each
        # commit queues its judgement), beat's runs queued.
        while events and (events[0].at <= now or not queue):
            event = heapq.heappop(events)
            now = max(now, event.at)
            if event.kind == "beat":
                queue.append(Task(event.at, event.at + expires, None))
                continue
            to_come -= 1
            if event.kind == "import":
                first, count = event.value
                if count > 0:
                    _import(texts, first, count)
                continue
            said = [(i, texts[i % len(texts)]) for i in event.value]
            mentions = [
                IncomingMention(external_id=f"live-{i}", created_at=timezone.now(), title=text["title"],
                                text=f"{text['text']} (live {i})", author_handle=f"live{i}")
                for i, text in said
            ]  # fmt: skip
            mentions_ingest(channel=channel, mentions=mentions)
            stored = Message.objects.filter(external_id__in=[m.external_id for m in mentions])
            for ticket_id in stored.values_list("ticket_id", flat=True):
                arrived[ticket_id] = event.at
            queue.extend(Task(event.at, None, page) for page in queued_now)
            queued_now.clear()
        if not queue:
            break  # the horizon's last beat run is done
        task = queue.pop(0)
        if task.expires is not None and now > task.expires:
            dropped += 1  # Celery drops a run that expired before a worker took it
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        judgement_run(task.ticket_ids)
        spent_cpu, spent_wall = time.process_time() - cpu, time.perf_counter() - wall
        now += spent_cpu if args.clock == "cpu" else spent_wall
        busy, wall_busy, ran = busy + spent_cpu, wall_busy + spent_wall, ran + 1
        waiting = [t for t in arrived if t not in judged_at]
        for ticket_id in Ticket.objects.filter(pk__in=waiting, judged_at__isnull=False).values_list("pk", flat=True):
            judged_at[ticket_id] = now
        if backlog_empty is None and not to_come and not Ticket.objects.filter(judged_at__isnull=True).exists():
            backlog_empty = now
        if (backlog_empty is not None and len(judged_at) == len(arrived)) or now > horizon:
            break
        if ran % 25 == 0:
            unjudged = Ticket.objects.filter(judged_at__isnull=True).count()
            print(f"  at {now / 60:6.1f} min: {ran} runs, {len(judged_at)}/{len(arrived)} live judged, "
                  f"{unjudged:,} tickets unjudged", flush=True)  # fmt: skip

    waits = sorted(judged_at[t] - arrived[t] for t in judged_at)
    late = sum(1 for w in waits if w > 60)
    never = len(arrived) - len(judged_at)
    print(
        f"\n{args.imported:,} imported over {args.import_minutes:g} min, {len(arrived)} live over {args.live_minutes:g}"
        f" min; {ran} judging runs ({dropped} beat runs expired unstarted), {busy / 60:.1f} CPU min, "
        f"{wall_busy / 60:.1f} wall min (clock: {args.clock}); the bench took "
        f"{(time.perf_counter() - started) / 60:.1f} min, load {load_average()}"
    )
    if waits:
        print(
            f"live tickets' wait for their judgement: median {percentile(waits, 50):.0f} s, p95 "
            f"{percentile(waits, 95):.0f} s, worst {waits[-1]:.0f} s; {late} of {len(arrived)} waited over a minute"
            f"{f', {never} never judged' if never else ''}"
        )
    every = max(judged_at.values(), default=0.0)
    print(f"every live ticket judged by minute {every / 60:.1f} of the simulation (from the import's start)")
    empty = f"minute {backlog_empty / 60:.1f}" if backlog_empty is not None else f"not within {args.max_hours:g} h"
    print(f"backlog empty (every ticket judged) at {empty}")
    print(f"target, every live ticket judged within a minute: {'ok' if waits and not late and not never else 'MISS'}")


if __name__ == "__main__":
    main()
