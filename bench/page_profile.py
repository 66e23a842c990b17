"""Where a signed-in page's CPU goes: N requests through Django's test client, in-process, profiled.

Production settings as bench/pages.py gives gunicorn (DJANGO_ENV=production, DEBUG off, the production
middleware), on the database bench/pages.py loaded; no network and no other process in the measurement, so the
figures hold on a shared machine where the gunicorn run's do not. Prints CPU milliseconds per request (after
warm-up requests) for each page, and per page view for a page as loaded (`ticket-loaded`: the first answer
and every request its HTML fires on load, each listed with its queries and CPU): this process's and its
PostgreSQL backend's (bench/_cpu.py), and, with --profile, cProfile's top functions by cumulative time.

    .venv/bin/python bench/page_profile.py [--requests 200]
        [--pages floor,ticket,ticket-loaded,queue,kpi-community,bare]
        [--profile ticket]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
from _cpu import CpuMeter
from lists_profile import production_env

production_env("triage_bench_pages", redis_db=14)

PAGES = {"floor": "/tickets/0/", "ticket": "/tickets/{}/", "queue": "/", "tickets": "/tickets/", "bare": "BARE"}
# The manager's pages (issue 70: the Community page beside the KPI page), requested as the bench's manager.
PAGES.update({"kpi": "/kpi/", "kpi-community": "/kpi/community/"})
MANAGER_PAGES = ("kpi", "kpi-community")
# A page as the browser loads it (bench/_as_loaded.py): its first answer and every request it fires on load.
PAGES["ticket-loaded"] = PAGES["ticket"]
AS_LOADED = ("ticket-loaded",)


def ticket_id(i: int) -> int:
    """The i-th request's ticket: spread over the loaded tickets, whatever their number."""
    from mentions.models import Ticket

    global _last_ticket
    if _last_ticket is None:
        _last_ticket = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    return 1 + (4241 + i * 997) % _last_ticket


_last_ticket: int | None = None


def requester(url: str, user: Any, *, as_loaded: bool = False) -> Callable[[int], int]:
    """A function making the i-th request of a page (or, `as_loaded`, the i-th page view: every request the page
    fires on load) and returning its first answer's status."""
    if url == "BARE":  # the bare page's handler straight, as bench/_bare_wsgi.py serves it
        import _bare_wsgi
        from django.test.client import RequestFactory

        factory = RequestFactory()
        return lambda i: _bare_wsgi.bare.get_response(factory.get(_bare_wsgi.BARE_PATH)).status_code

    from django.test import Client

    client = Client()
    client.force_login(user)
    if as_loaded:
        import _as_loaded

        print(f"{url.format(ticket_id(0))} as loaded:\n{_as_loaded.describe(client, url.format(ticket_id(0)))}")
        return _as_loaded.requester_as_loaded(client, lambda i: url.format(ticket_id(i)))
    return lambda i: client.get(url.format(ticket_id(i))).status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pages", default="floor,ticket,queue,bare")
    parser.add_argument("--profile", default="", help="pages to profile with cProfile (comma-separated)")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--dump", default="", help="a folder to write each profiled page's <page>.prof into")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of --requests; the least CPU is printed (others' load only adds)"
    )
    args = parser.parse_args()
    _common.setup_django()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # production's manifest storage needs it, as in pages.py

    import logging

    from _pages_load import people

    # The 404s' "Not Found" warnings go to stderr as in gunicorn; a shared terminal need not show 200 of them.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    advocates, manager = people()
    advocate = advocates[0]
    print(f"load avg: {_common.load_average()}", flush=True)
    for name in args.pages.split(","):
        get = requester(PAGES[name], manager if name in MANAGER_PAGES else advocate, as_loaded=name in AS_LOADED)
        for i in range(args.warmup):
            get(i)
        profiler = cProfile.Profile(time.process_time) if name in args.profile.split(",") else None
        rounds = []  # (app, db) CPU ms a request
        statuses: set[int] = set()
        for _ in range(1 if profiler else args.rounds):
            with CpuMeter() as meter:
                if profiler:
                    profiler.enable()
                statuses |= {get(i) for i in range(args.requests)}
                if profiler:
                    profiler.disable()
            rounds.append((meter.cpu.app * 1000 / args.requests, meter.cpu.db * 1000 / args.requests))
        least = min(rounds, key=sum)
        median = sorted(sum(r) for r in rounds)[len(rounds) // 2]
        print(
            f"{name:<8} {sum(least):7.2f} CPU ms/{'view' if name in AS_LOADED else 'req'}"
            f" ({least[0]:.2f} app + {least[1]:.2f} PostgreSQL; least of"
            f" {len(rounds)} rounds; median {median:.2f})  statuses {sorted(statuses)}",
            flush=True,
        )
        if profiler:
            if args.dump:
                profiler.dump_stats(Path(args.dump) / f"{name}.prof")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    print(f"load avg: {_common.load_average()}", flush=True)


if __name__ == "__main__":
    main()
