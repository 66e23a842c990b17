"""The judgement's rate on one core: mentions judged a second in batches of 200 with their meaning vectors
computed (none stored before), CPU ms a mention, the process's resident memory before and after the embedding
model loads, and how long one new mention waits for its judgement in a worker that is already warm.

    .venv/bin/python bench/judgement.py --mentions 2000 --learn 10000

`--learn N` (issue 56) then times `mentions.judgement_learn` on N labelled tickets (the development set's texts,
numbered; their vectors the set's own, stored as the worker stores them; half answered, half solved without a
reply): CPU seconds to read, featurise, train and score a version (the fit's child process included), and the RSS
of this process after it (scikit-learn is imported by the child only, mentions/judgement/fitting.py).
Target: 10,000 labelled tickets learned in at most 60 s of CPU; the model process at most 300 MB over a bare
worker.

The mentions are the development set's texts (mentions/judgement/eval/dev.json), each made distinct by a
number, stored as tickets in a transaction that is rolled back: the database keeps nothing. One process, one
thread (the model runs with one intra-op thread, as in the worker); it says how many mentions the cascade's
second opinion (e5, issue 56) decided, the ones the cold start was unsure of. Target: at least 20 mentions/s sustained
and a mention judged within 30 s of its ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_judgement")

from _common import REPO, load_average, machine_print, setup_django


class _Rollback(Exception):
    pass


def _rss_mb(field: str = "VmRSS") -> float:
    """The resident memory now (VmRSS), or its peak so far (VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    """This process's CPU seconds and its finished children's (the learning fits in a child process)."""
    from mentions.judgement.fitting import cpu_seconds

    return cpu_seconds()


def _tickets(n: int, start: int = 0) -> list[int]:
    from django.utils import timezone

    from channels.models import Channel
    from mentions.models import Message, Ticket

    data = json.loads((REPO / "mentions/judgement/eval/dev.json").read_text(encoding="utf-8"))["mentions"]
    channel, _ = Channel.objects.get_or_create(
        slug="judgement-bench",
        defaults={"kind": "hackernews", "name": "judgement bench", "config": {"keywords": ["gitlab", "runner"]}},
    )
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        [Ticket(channel=channel, subject=data[i % len(data)]["title"], requested_at=now) for i in range(n)]
    )
    Message.objects.bulk_create(
        [
            Message(
                ticket=t,
                channel=channel,
                kind=Message.Kind.INBOUND,
                external_id=f"judgement-bench-{start + i}",
                author_handle=data[i % len(data)]["author"],
                title=data[i % len(data)]["title"],
                body=f"{data[i % len(data)]['text']} ({i})",
                platform_created_at=now,
            )
            for i, t in enumerate(tickets)
        ]
    )
    return [t.pk for t in tickets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--learn", type=int, default=0, help="Then time learning on this many labelled tickets.")
    args = parser.parse_args()
    setup_django()
    machine_print()
    from django.db import transaction

    from mentions.judgement.run import BATCH, tickets_judge

    rss_django = _rss_mb()
    try:
        with transaction.atomic():
            ids = _tickets(args.mentions + 1)
            late, batch_ids = ids[-1], ids[:-1]
            # Load the model the way the worker does on its first run: with one real batch of one mention.
            started, cpu = time.perf_counter(), _cpu()
            tickets_judge([late], batch=1, batches=1)
            cold = time.perf_counter() - started
            rss_model = _rss_mb()
            asked_before = _asked()
            started, cpu = time.perf_counter(), _cpu()
            judged = tickets_judge(batch_ids, batch=BATCH, batches=args.mentions // BATCH + 1)["judged"]
            wall, used = time.perf_counter() - started, _cpu() - cpu
            rss_after, rss_peak = _rss_mb(), _rss_mb("VmHWM")
            asked = _asked() - asked_before if asked_before >= 0 else -1
            # One new mention in a warm worker: what the task does when an ingest's commit queues it.
            fresh = _tickets(1, start=len(ids))
            started = time.perf_counter()
            tickets_judge(fresh, batch=BATCH, batches=1)
            warm = time.perf_counter() - started
            learned = _learn(args.learn) if args.learn else ""
            raise _Rollback
    except _Rollback:
        pass
    print(
        f"{judged:,} mentions in batches of {BATCH}, vectors computed: {judged / wall:.1f} mentions/s, "
        f"{used / judged * 1000:.1f} CPU ms a mention; load {load_average()}\n"
        f"{_second_opinion(asked, judged, used)}"
        f"first mention in a fresh worker (model load included): {cold:.2f} s; "
        f"one new mention, warm: {warm * 1000:.0f} ms\n"
        f"RSS: {rss_django:.0f} MB with Django, {rss_model:.0f} MB with the model loaded, "
        f"{rss_after:.0f} MB after the run, {rss_peak:.0f} MB at its peak{learned}",
        flush=True,
    )


def _asked() -> int:
    """Mentions decided by the cascade's second opinion so far (issue 56; -1 before the cascade existed)."""
    try:
        from mentions.judgement.cascade import asked_count
    except ImportError:
        return -1
    return asked_count()


def _second_opinion(asked: int, judged: int, used: float) -> str:
    """How many the second opinion decided, what it costs a mention (e5 on 200 of the texts, timed apart) and the
    rate the run would have had if a third of the mentions had gone to it: what a new product's unsure came to,
    leaving one product out (docs/judgement.md), where the development set's texts, which trained the shipped
    model, send far fewer."""
    if asked < 0:
        return "no cascade in this tree\n"
    from mentions.judgement.cascade import encoder, encoder_release, masked_text
    from mentions.judgement.features import MentionText
    from mentions.judgement.product import product_load

    data = json.loads((REPO / "mentions/judgement/eval/dev.json").read_text(encoding="utf-8"))["mentions"]
    product = product_load()
    texts = [
        masked_text(MentionText(m["title"], f"{m['text']} ({i})", m["author"]), product) for i, m in enumerate(data)
    ]
    model = encoder()
    cpu = _cpu()
    model.query((texts * 2)[:200])
    e5_ms = (_cpu() - cpu) / 200 * 1000
    encoder_release()
    base_ms = (used * 1000 - asked * e5_ms) / judged
    third = 1000 / (base_ms + e5_ms / 3)
    return (
        f"second opinion (e5) asked for {asked:,} of {judged:,} mentions; e5 {e5_ms:.1f} CPU ms a mention; "
        f"with a third of the mentions asked: {third:.1f} mentions/s of CPU\n"
    )


def _learn(n: int) -> str:
    """n labelled tickets with stored vectors, then one learning run, timed."""
    import numpy as np
    from django.utils import timezone

    from advocacy import embeddings
    from mentions.judgement.learning import judgement_learn
    from mentions.models import Ticket, TicketMeaning

    ids = _tickets(n, start=10_000_000)
    data = json.loads((REPO / "mentions/judgement/eval/dev.json").read_text(encoding="utf-8"))["mentions"]
    vectors = embeddings.embed([f"{m['title']}\n{m['text']}".strip() for m in data])
    rng = np.random.default_rng(7)
    TicketMeaning.objects.bulk_create(
        [
            TicketMeaning(
                ticket_id=pk,
                model=embeddings.model_name(),
                vector=embeddings.to_bytes(vectors[i % len(data)] + rng.normal(0, 0.01, vectors.shape[1])),
            )
            for i, pk in enumerate(ids)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    answered = [pk for i, pk in enumerate(ids) if data[i % len(data)]["label"]["judgement"] == "needs_response"]
    Ticket.objects.filter(pk__in=answered).update(first_reply_at=now)
    Ticket.objects.filter(pk__in=ids).exclude(pk__in=answered).update(status=Ticket.Status.SOLVED, solved_at=now)
    started, cpu = time.perf_counter(), _cpu()
    result = judgement_learn()
    wall, used = time.perf_counter() - started, _cpu() - cpu
    return (
        f"\nlearning on {n:,} labelled tickets: {used:.1f} CPU s ({wall:.1f} s wall), scored on "
        f"{result.get('count')}, active: {result.get('active')}; RSS {_rss_mb():.0f} MB after (fitted apart)"
    )


if __name__ == "__main__":
    main()
