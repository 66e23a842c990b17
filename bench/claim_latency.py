"""Play latency: 16 advocates pressing Play at once against 1,000,000 tickets.

About 5% of the tickets wait (status new, unassigned, requested over the last 30 days); the
rest are solved and assigned. Each advocate is a thread with its own database connection:
it calls ticket_claim_next (timed), then submits the ticket with one UPDATE (untimed) so
its next Play serves a new one.

Run by hand, from the repository root:

    .venv/bin/python bench/claim_latency.py [--tickets 1000000] [--advocates 16] [--claims 300]

It wipes the channel, view, ticket, message and event tables of the benchmark database
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/triage_bench) before it starts.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
from _claim import explain_print, horizon_hold
from _cpu import process_cpu_seconds

TARGET_P95_MS = 10.0
WAITING_EVERY = 20  # 1 ticket in 20 (5%) waits
USER_PREFIX = "bench-advocate-"

LOAD_SQL = """
INSERT INTO mentions_ticket (
    subject, status, priority, high_priority, requester_handle, requester_name, requester_url, reply_draft,
    requested_at, first_reply_at, first_reply_seconds, solved_at, created_at, updated_at,
    assignee_id, channel_id, served_to_id, served_view_id,
    reply_from_role, sla_target, sla_breached, sla_due_at
)
SELECT
    'Bench ticket ' || g,
    CASE WHEN waiting THEN 'new' ELSE 'solved' END,
    -- 1 waiting ticket in 50 urgent, as a rule or an advocate would mark a downtime report.
    CASE WHEN waiting AND g %% 50 = 0 THEN 'urgent' ELSE 'normal' END,
    waiting AND g %% 50 = 0, '', '', '', '',
    requested_at,
    CASE WHEN waiting THEN NULL ELSE requested_at + reply_after END,
    CASE WHEN waiting THEN NULL ELSE extract(epoch FROM reply_after)::bigint END,
    CASE WHEN waiting THEN NULL ELSE LEAST(now(), requested_at + reply_after + interval '1 hour') END,
    now(), now(),
    CASE WHEN waiting THEN NULL ELSE (%(users)s::bigint[])[1 + g %% cardinality(%(users)s::bigint[])] END,
    (%(channels)s::bigint[])[1 + g %% cardinality(%(channels)s::bigint[])],
    NULL, NULL, '', CASE WHEN waiting AND g %% 50 = 0 THEN 'high_priority' ELSE 'all' END, false,
    requested_at + CASE WHEN waiting AND g %% 50 = 0 THEN interval '5 hours' ELSE interval '7 hours' END
FROM (
    SELECT g, g %% %(every)s = 0 AS waiting,
           now() - random() * CASE WHEN g %% %(every)s = 0 THEN interval '30 days' ELSE interval '365 days' END
               AS requested_at,
           random() * interval '6 hours' AS reply_after
    FROM generate_series(1, %(n)s) AS g
) AS s
"""


@dataclass
class Worker:
    user_id: int
    username: str
    latencies: list[float] = field(default_factory=list)
    db_seconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    cpu: list[tuple[float, float]] = field(default_factory=list)  # each claim's seconds: this thread, its backend
    claimed: list[int] = field(default_factory=list)
    empty: int = 0
    error: BaseException | None = None


def request_user(user_id: int, how: str, kept: Any) -> Any:
    """The user a Play request hands ticket_claim_next: `request`, the row and permission sets as the middleware
    gives them (mentions.permissions.user_cache, mentions.permissions.perm_cache: no query); `cleared`, the permission
    cache cleared, so has_perm queries twice (what this script measured before, which no request pays); `kept`, one user
    object."""
    if how == "request":
        from mentions.permissions.perm_cache import permissions_preload
        from mentions.permissions.user_cache import cached_user

        user = cached_user(user_id)
        permissions_preload(user)
        return user
    if how == "cleared":
        for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            kept.__dict__.pop(cache, None)
    return kept


def run_worker(worker: Worker, view_id: int, claims: int, barrier, how: str, think: float) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from mentions.models import Ticket, View
    from mentions.services import ticket_claim_next

    spent: list[float] = [0.0, 0]  # seconds in the database, queries
    rng = random.Random(worker.user_id)

    def timed(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - t
            spent[1] += 1

    try:
        kept = get_user_model().objects.get(pk=worker.user_id)
        view = View.objects.get(pk=view_id)
        connection.ensure_connection()
        backend = connection.connection.info.backend_pid
        request_user(worker.user_id, how, kept)  # the process's caches, as a worker that served a page before
        barrier.wait()
        with connection.execute_wrapper(timed):
            for _ in range(claims):
                user = request_user(worker.user_id, how, kept)
                spent[:] = [0.0, 0]
                cpu = (time.thread_time(), process_cpu_seconds(backend))
                t = time.perf_counter()
                ticket = ticket_claim_next(view=view, user=user)
                worker.latencies.append(time.perf_counter() - t)
                worker.cpu.append((time.thread_time() - cpu[0], process_cpu_seconds(backend) - cpu[1]))
                worker.db_seconds.append(spent[0])
                worker.queries.append(int(spent[1]))
                if ticket is None:
                    worker.empty += 1
                    continue
                worker.claimed.append(ticket.pk)
                # Submit: what ticket_change_status(status="pending") leaves behind, in one UPDATE.
                Ticket.objects.filter(pk=ticket.pk).update(
                    served_to=None, served_view=None, status=Ticket.Status.PENDING, updated_at=timezone.now()
                )
                if think:
                    # Exponential think time: advocates drift apart instead of pressing Play in lockstep.
                    time.sleep(rng.expovariate(1 / think))
    except BaseException as exc:  # reported by the main thread
        worker.error = exc
        barrier.abort()
    finally:
        connection.close()


def run_process(worker: Worker, view_id: int, claims: int, barrier, how: str, think: float, queue) -> None:
    run_worker(worker, view_id, claims, barrier, how, think)
    if worker.error is not None:
        worker.error = RuntimeError(repr(worker.error))  # exceptions do not all pickle
    queue.put(worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--advocates", type=int, default=16)
    parser.add_argument("--claims", type=int, default=300, help="Play presses per advocate")
    parser.add_argument(
        "--user",
        choices=["request", "cleared", "kept"],
        default="request",
        help="the user each Play gets: as a request's middleware gives it (default), its permissions cleared "
        "(has_perm's two queries, measured until issue 58), or one object kept",
    )
    parser.add_argument(
        "--processes",
        action="store_true",
        help="one process per advocate (like separate gunicorn workers) instead of threads sharing one GIL",
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause after each submit, exponentially distributed (default 0: Play presses back to back)",
    )
    parser.add_argument(
        "--order",
        choices=["oldest", "deadline"],
        default="oldest",
        help="the view's order: oldest first (default) or deadline first (urgent, then least time left)",
    )
    parser.add_argument(
        "--hold-horizon",
        action="store_true",
        help="keep a transaction with an xid open in another database during the run (a long load beside the desk)",
    )
    args = parser.parse_args()

    _common.setup_django()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from channels.models import Channel
    from mentions.models import Ticket, TicketEvent, View
    from mentions.permissions.roles import ADVOCATES, roles_ensure

    _common.machine_print()
    _common.truncate(
        "mentions_ticketevent",
        "mentions_ticket_tags",
        "mentions_message",
        "mentions_ticket",
        "mentions_view_channels",
        "mentions_view_tags",
        "mentions_view",
        "channels_channel",
    )
    User = get_user_model()
    User.objects.filter(username__startswith=USER_PREFIX).delete()

    roles_ensure()
    advocates = Group.objects.get(name=ADVOCATES)
    users = [User.objects.create_user(username=f"{USER_PREFIX}{i:02d}") for i in range(args.advocates)]
    advocates.user_set.add(*users)
    channels = []
    for i in range(3):
        channel = Channel(
            kind="hackernews", name=f"Bench HN {i}", slug=f"bench-hn-{i}", config={"keywords": ["gitlab"]}
        )
        channel.save()
        channels.append(channel)
    view = View.objects.create(name="Bench: everything", slug="bench-everything", statuses=[], order=args.order)

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            LOAD_SQL,
            {
                "n": args.tickets,
                "every": WAITING_EVERY,
                "users": [u.pk for u in users],
                "channels": [c.pk for c in channels],
            },
        )
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        # VACUUM also sets hint bits and the visibility map, as on a table that has lived a while.
        cur.execute("VACUUM (ANALYZE) mentions_ticket")
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('mentions_ticket'))")
        size = cur.fetchone()[0]
    analyzed = time.perf_counter() - t0
    waiting = Ticket.objects.filter(assignee__isnull=True, status__in=Ticket.WAITING_STATUSES).count()
    print(
        f"loaded {args.tickets:,} tickets ({waiting:,} waiting, {args.tickets - waiting:,} solved+assigned, "
        f"{len(channels)} channels; table+indexes {size}) in {loaded:.1f}s; VACUUM ANALYZE {analyzed:.1f}s",
        flush=True,
    )
    print()
    holder = horizon_hold() if args.hold_horizon else None
    explain_print(view, users[0], "before")

    workers = [Worker(user_id=u.pk, username=u.username) for u in users]
    how, think = args.user, args.think_ms / 1000
    # Processes or threads, as asked: both start, join and wait alike.
    barrier: Any
    runners: list[Any]
    if args.processes:
        import multiprocessing

        from django.db import connections

        connections.close_all()  # children must not share the parent's socket
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(len(workers) + 1)
        queue = ctx.Queue()
        runners = [
            ctx.Process(target=run_process, args=(w, view.pk, args.claims, barrier, how, think, queue), name=w.username)
            for w in workers
        ]
    else:
        barrier = threading.Barrier(len(workers) + 1)
        runners = [
            threading.Thread(target=run_worker, args=(w, view.pk, args.claims, barrier, how, think), name=w.username)
            for w in workers
        ]
    for runner in runners:
        runner.start()
    # Every advocate connected: release them together. A broken barrier means one failed
    # before the start; its error is printed below.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()
    t0 = time.perf_counter()
    if args.processes:
        workers = [queue.get() for _ in runners]
    for runner in runners:
        runner.join()
    wall = time.perf_counter() - t0
    errors = [w for w in workers if w.error is not None]
    if errors:
        for w in errors:
            print(f"{w.username}: {w.error!r}")
        sys.exit("worker(s) failed")

    latencies = sorted(x * 1000 for w in workers for x in w.latencies)
    db_ms = sorted(x * 1000 for w in workers for x in w.db_seconds)
    claimed = [(pk, w.user_id) for w in workers for pk in w.claimed]
    p95 = _common.percentile(latencies, 95)
    queries = Counter(q for w in workers for q in w.queries)
    print(
        f"figures ({len(workers)} advocates x {args.claims} Play presses, started together, "
        f"{'one process each' if args.processes else 'one thread each in one process'}, "
        f"think time {f'{args.think_ms:g} ms mean' if args.think_ms else 'none'}; "
        f"user: {args.user}):"
    )
    print(
        f"  claim latency: p50 {_common.percentile(latencies, 50):.2f} ms, p95 {p95:.2f} ms, "
        f"p99 {_common.percentile(latencies, 99):.2f} ms, max {latencies[-1]:.2f} ms  "
        f"target p95 <= {TARGET_P95_MS:.0f} ms: {'PASS' if p95 <= TARGET_P95_MS else 'MISS'}"
    )
    print(
        "  of which inside cursor.execute (server + round trip + waiting for a CPU/the GIL): "
        f"p50 {_common.percentile(db_ms, 50):.2f} ms, p95 {_common.percentile(db_ms, 95):.2f} ms; queries per claim: "
        + ", ".join(f"{q} x{n}" for q, n in sorted(queries.items()))
    )
    # Each advocate's first claim is its process's and its new backend's first (caches, catalogue): apart.
    later = sorted(x * 1000 for w in workers for x in w.latencies[1:])
    first = sorted(w.latencies[0] * 1000 for w in workers if w.latencies)
    print(
        f"  after each advocate's first claim: p50 {_common.percentile(later, 50):.2f} ms, "
        f"p95 {_common.percentile(later, 95):.2f} ms, p99 {_common.percentile(later, 99):.2f} ms; "
        f"the first claims: p50 {_common.percentile(first, 50):.2f} ms, max {first[-1]:.2f} ms"
    )
    for label, start in (("CPU per claim", 0), ("after each first claim", 1)):
        cpus = [c for w in workers for c in w.cpu[start:]]
        app, db = (sum(c[i] for c in cpus) * 1000 / max(1, len(cpus)) for i in (0, 1))
        print(f"  {label}: {app + db:.2f} ms (process {app:.2f} + its PostgreSQL backend {db:.2f})")
    print(
        f"  throughput: {len(latencies) / wall:,.0f} claims/s overall ({len(latencies):,} claims in {wall:.2f}s, "
        f"submits included), {sum(w.empty for w in workers)} empty"
    )
    print(f"  load avg at the end: {_common.load_average()}")
    print()
    explain_print(view, users[0], "after")
    if holder is not None:
        holder.rollback()
        holder.close()

    print("checks:")
    check = _common.Checks()

    ids = [pk for pk, _ in claimed]
    check("every claimed ticket distinct", len(set(ids)) == len(ids), f"{len(ids):,} claims, {len(set(ids)):,} ids")
    in_db = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "assignee_id"))
    wrong = [pk for pk, uid in claimed if in_db.get(pk) != uid]
    check("assignee is the claiming advocate", not wrong, f"{len(wrong)} mismatched")
    stray = Ticket.objects.filter(assignee__in=users).exclude(status=Ticket.Status.SOLVED).exclude(pk__in=ids).count()
    check("no ticket assigned without being served", stray == 0, f"{stray} stray")
    assigned = Counter(
        TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED, ticket_id__in=ids).values_list(
            "ticket_id", flat=True
        )
    )
    check(
        "one 'assigned' event per claim",
        len(assigned) == len(ids) and set(assigned.values()) == {1},
        f"{sum(assigned.values()):,} events on {len(assigned):,} tickets",
    )
    still_served = Ticket.objects.filter(served_to__in=users).count()
    check("every served ticket submitted", still_served == 0, f"{still_served} still served")
    check.exit_if_failed()


if __name__ == "__main__":
    main()
