"""Where one Play claim's CPU goes: N claims by one advocate in one process, on claim_latency.py's database.

The claim's latency under 16 advocates moves with whatever else runs on a shared machine; the CPU one claim costs
this process and its PostgreSQL backend (bench/_cpu.py) moves far less. Each claim is ticket_claim_next with the
user a request hands it (`--user request`: the row and permission sets as mentions.permissions.user_cache and
mentions.permissions.perm_cache give them to a Play request, untimed like the middleware; `cleared`: the permission
cache cleared, has_perm's two queries in the claim, as claim_latency.py measured until issue 58), then the submit
(one UPDATE, untimed). Prints CPU ms per claim (process + backend), wall p50/p95, queries per claim, and with
--profile cProfile's top functions of the claims alone.

    .venv/bin/python bench/claim_profile.py [--claims 500] [--rounds 3] [--user request|cleared] [--profile]

Run bench/claim_latency.py first (any --tickets): this script reuses its tickets, users and view, and puts the
tickets its claims took back in the queue first, so runs compare. BENCH_TREE=<a tree> runs that tree's code.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
import _common
from _cpu import CpuMeter

USER_PREFIX = "bench-advocate-"
PERM_ATTRS = ("_perm_cache", "_user_perm_cache", "_group_perm_cache")


def queue_reset(view: Any) -> int:
    """Put every ticket the bench's advocates hold back in the queue as claim_latency.py loaded it (new, unassigned),
    drop their claims' events, and vacuum: each run starts from the same queue and the same index."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """UPDATE mentions_ticket SET status = 'new', assignee_id = NULL, served_to_id = NULL,
                      served_view_id = NULL
                WHERE status <> 'solved' AND assignee_id IN (
                      SELECT id FROM auth_user WHERE username LIKE %s)""",
            [USER_PREFIX + "%"],
        )
        reset = cur.rowcount
        cur.execute(
            """DELETE FROM mentions_ticketevent WHERE kind IN ('assigned', 'status')
                AND actor_id IN (SELECT id FROM auth_user WHERE username LIKE %s)""",
            [USER_PREFIX + "%"],
        )
        cur.execute("VACUUM (ANALYZE) mentions_ticket")
        cur.execute("VACUUM (ANALYZE) mentions_ticketevent")
    from mentions.services.play_floor import floor_forget

    floor_forget(view.pk)  # the tickets put back are before it
    return reset


def request_user(user_id: int, how: str, kept: Any) -> Any:
    """The user as a Play request hands it to the view."""
    if how == "request":
        from mentions.permissions.perm_cache import permissions_preload
        from mentions.permissions.user_cache import cached_user

        user = cached_user(user_id)
        permissions_preload(user)
        return user
    for attr in PERM_ATTRS:
        kept.__dict__.pop(attr, None)
    return kept


def claims_run(view: Any, user_id: int, claims: int, how: str, profile: cProfile.Profile | None) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from mentions.models import Ticket
    from mentions.services import ticket_claim_next

    kept = get_user_model().objects.get(pk=user_id)
    counted = [0]

    def count(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    wall: list[float] = []
    queries: list[int] = []
    app = db = 0.0
    with connection.execute_wrapper(count):
        for _ in range(claims):
            user = request_user(user_id, how, kept)
            counted[0] = 0
            with CpuMeter() as meter:
                if profile is not None:
                    profile.enable()
                t = time.perf_counter()
                ticket = ticket_claim_next(view=view, user=user)
                wall.append(time.perf_counter() - t)
                if profile is not None:
                    profile.disable()
            app += meter.cpu.app
            db += meter.cpu.db
            queries.append(counted[0])
            if ticket is None:
                sys.exit("the queue ran dry: load more tickets with claim_latency.py")
            Ticket.objects.filter(pk=ticket.pk).update(
                served_to=None, served_view=None, status=Ticket.Status.PENDING, updated_at=timezone.now()
            )
    wall.sort()
    return {
        "app": app / claims * 1000,
        "db": db / claims * 1000,
        "p50": _common.percentile([w * 1000 for w in wall], 50),
        "p95": _common.percentile([w * 1000 for w in wall], 95),
        "queries": sorted(set(queries)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--claims", type=int, default=500, help="claims per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, the queue put back before each")
    parser.add_argument("--user", choices=["request", "cleared"], default="request")
    parser.add_argument("--profile", action="store_true", help="cProfile the claims of the last round")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    _common.setup_django()
    _common.machine_print()

    from django.contrib.auth import get_user_model

    import mentions
    from mentions.models import View

    view = View.objects.get(slug="bench-everything")
    user_id = get_user_model().objects.filter(username__startswith=USER_PREFIX).order_by("pk").values_list("pk")[0][0]
    print(f"code: {Path(mentions.__file__).resolve().parent.parent}; user: {args.user}; view order: {view.order}")
    request_user(user_id, args.user, get_user_model().objects.get(pk=user_id))  # warm the caches
    for round_ in range(args.rounds):
        reset = queue_reset(view)
        profile = cProfile.Profile() if args.profile and round_ == args.rounds - 1 else None
        load = _common.load_average()
        got = claims_run(view, user_id, args.claims, args.user, profile)
        print(
            f"round {round_ + 1} ({reset} put back; load {load}): CPU per claim {got['app'] + got['db']:.2f} ms "
            f"(process {got['app']:.2f} + backend {got['db']:.2f}); wall p50 {got['p50']:.2f} ms, "
            f"p95 {got['p95']:.2f} ms; queries per claim {got['queries']}",
            flush=True,
        )
        if profile is not None:
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
    queue_reset(view)


if __name__ == "__main__":
    main()
