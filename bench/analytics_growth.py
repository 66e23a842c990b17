"""The growth of the Community API's server time from a small database to a large one (issue 70's target: <= 20 %
from 20,000 to 1,000,000 tickets), measured so that both sizes see the same machine: one process alternates every
request between the two databases (which goes first alternates too), after a warm-up request on each switch.

On the 2-core machine the helpers share, two runs of bench/analytics_api.py a minute apart differ by more than the
growth being measured (the same build's 365-day share of voice: 48 and 82 ms at 1M); alternating puts the same load
under both. Printed per URL and range: the median server time at each size and its growth, and the median CPU time
of this (Django) process, which the load skews less.

`--pages` adds the Community page, as analytics_api.py measures it: cached, rebuilt, and rebuilt after a past day
changed (the target there is the page's growth too; its cached figures are retired on every switch of database, since
both sizes share the cache).

Both databases must have been loaded by bench/analytics_api.py (`--tickets 20000` and `--tickets 1000000`, each with
its own DATABASE_URL); nothing is written here. Both left out: DATABASE_URL's database against itself (the smoke run).

    .venv/bin/python bench/analytics_growth.py --small triage_bench_sov20k --large triage_bench_sov1m \\
        [--only share-of-voice] [--repeat 31] [--pages]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
import analytics_api

TARGET_GROWTH_PCT = 20.0
URLS = ("/api/analytics/share-of-voice/?{query}&by=week", "/api/analytics/returning/?{query}",
        "/api/analytics/volume/?{query}&group=platform", "/api/analytics/volume/?{query}&group=sentiment",
        "/api/analytics/volume/?{query}&group=intent", "/api/analytics/volume/?{query}&group=judgement")  # fmt: skip
PAGE = "/kpi/community/?{query}"
# The page as analytics_api.py measures it: served from its cached figures, rebuilt (the KPI version bumped before
# the request), rebuilt after a past day changed (the most active members' stamp moved too, logging nobody: a
# truncate's move), after a past day changed for three people (analytics_api.past_few_changed), after two
# people were merged or split (analytics_api.people_merged), and the next day's first view ("slide": the same number
# of days ending a day later, its day before's view kept; `slid_day`); "ahead": the same first view of the next day
# after the beat's run for its day (metrics.community.ahead, every 5 minutes: the usual ranges, 30 and 365 days, ranked
# once the day has turned, as a manager meets them in the morning).
PAGE_MODES = ("cached", "rebuilt", "past", "few", "merged", "slide", "ahead")


def slid_day(n: int, *, timed: bool) -> date:
    """The day the "slide" mode's `n`th pair of requests calls today: the warm-up's, then the timed one's a day later
    (the most active members' kept list of the days before is followed, not ranked again,
    metrics.community.active_past). Each pair two days on from the one before, in days the databases hold (their
    year before today), so every timed view is a day's first."""
    return date.today() - timedelta(days=120 - 2 * n) + timedelta(days=1 if timed else 0)


def page_prepared(mode: str, *, switched: bool) -> None:
    """Before a request of the page in `mode`. The figures' cache is Redis, shared by both databases, and its key
    names no database: a switch retires the other size's figures (a "cached" request then times this size's, built
    by the warm-up)."""
    from django.db import connection

    from metrics.community.past_stamp import BUMP_SQL
    from metrics.rollups import kpi_version_bump

    if mode == "past" and not switched:
        with connection.cursor() as cursor:
            cursor.execute(BUMP_SQL)
    if mode == "few" and not switched:
        analytics_api.past_few_changed()
    if mode == "merged" and not switched:
        analytics_api.people_merged()
    if switched or mode != "cached":
        kpi_version_bump()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", default="", help="the small database's name (on DATABASE_URL's server; left out: "
                        "DATABASE_URL's own)")  # fmt: skip
    parser.add_argument("--large", default="", help="the large database's name (left out: DATABASE_URL's own)")
    parser.add_argument("--repeat", type=int, default=31, help="timed requests per size")
    parser.add_argument("--only", default="", help="measure only the URLs containing this text")
    parser.add_argument("--pages", action="store_true", help="the Community page too, cached, rebuilt, past changed, "
                        "the next day's")  # fmt: skip
    parser.add_argument("--modes", default=",".join(PAGE_MODES), help="the page's modes measured, comma-separated")
    args = parser.parse_args()
    base, own = os.environ.get("DATABASE_URL", _common.DEFAULT_DATABASE_URL).rsplit("/", 1)
    args.small, args.large = args.small or own, args.large or own
    os.environ["DATABASE_URL"] = f"{base}/{args.small}"
    # Hundreds of requests a minute from one manager: over DESK_API_RATE's 600/min, which would answer 429. The
    # throttle's own work (a cache read and write per request) is measured all the same.
    os.environ["DESK_API_RATE"] = "1000000/min"
    _common.setup_django()
    _common.machine_print()

    from unittest import mock

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from metrics.community import active_past
    from metrics.community.ahead import members_ahead

    sizes = {"small": args.small, "large": args.large}

    def use(size: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = sizes[size]
        connection.ensure_connection()

    clients = {}
    for size in sizes:
        use(size)
        clients[size] = Client()
        clients[size].force_login(get_user_model().objects.get(username="analytics-bench-manager"))
    end = date.today()
    print(f"Server time, {args.repeat} requests per size alternating between {args.small} and {args.large}:")
    for days in (30, 365):
        query = f"from={end - timedelta(days=days - 1)}&to={end}"
        measured = [(u.format(query=query), "") for u in URLS if args.only in u]
        if args.pages:
            measured += [(PAGE.format(query=query), mode) for mode in PAGE_MODES if mode in args.modes.split(",")]
        for url, mode in measured:
            wall: dict[str, list[float]] = {size: [] for size in sizes}
            cpu: dict[str, list[float]] = {size: [] for size in sizes}
            slides = mode in ("slide", "ahead")
            assert args.repeat <= 50 or not slides, "the slide's days must stay in the databases' year"
            for n in range(args.repeat):
                for size in list(sizes)[:: 1 if n % 2 == 0 else -1]:
                    use(size)
                    if mode:
                        page_prepared(mode, switched=True)
                    warm_url = timed_url = url
                    if slides:
                        warm, timed = (slid_day(n, timed=t) for t in (False, True))
                        warm_url, timed_url = (PAGE.format(query=f"from={d - timedelta(days=days - 1)}&to={d}")
                                               for d in (warm, timed))  # fmt: skip
                        mock.patch.object(active_past, "_today", return_value=warm).start()
                    assert clients[size].get(warm_url).status_code == 200  # warm: the session, the new connection
                    if mode:
                        page_prepared(mode, switched=False)
                    if slides:
                        mock.patch.stopall()
                        mock.patch.object(active_past, "_today", return_value=timed).start()
                    if mode == "ahead":
                        members_ahead(today=timed)  # the beat's run after midnight, untimed: nobody waits for it
                    started, cpu_started = time.perf_counter(), time.process_time()
                    status = clients[size].get(timed_url).status_code
                    wall[size].append((time.perf_counter() - started) * 1000)
                    cpu[size].append((time.process_time() - cpu_started) * 1000)
                    mock.patch.stopall()
                    assert status == 200, (timed_url, status)
            small, large = (statistics.median(wall[s]) for s in sizes)
            cpu_small, cpu_large = (statistics.median(cpu[s]) for s in sizes)
            growth, cpu_growth = 100 * (large / small - 1), 100 * (cpu_large / cpu_small - 1)
            print(f"  {url + (f' ({mode})' if mode else ''):<70} {small:6.1f} -> {large:6.1f} ms {growth:+4.0f} %  "
                  f"{'PASS' if growth <= TARGET_GROWTH_PCT else 'MISS'}  "
                  f"(CPU {cpu_small:5.1f} -> {cpu_large:5.1f} ms {cpu_growth:+4.0f} %)", flush=True)  # fmt: skip
    print(f"  load avg at the end: {_common.load_average()}")


if __name__ == "__main__":
    main()
