"""CPU per request of the list pages (the queue with its stories block, the people list, a person page, the stories
list) beside the floor (a signed-in 404), in-process through Django's test client under production settings, as
bench/page_profile.py measures: this process's CPU plus its PostgreSQL backend's (bench/_cpu.py), the least of
several rounds. The database is bench/_lists_load.py's (people, stories, waiting tickets in stories).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench_lists \\
        .venv/bin/python bench/lists_profile.py [--tree /work/before-lists] [--requests 60] [--rounds 5]

`--tree` runs another checkout's code (its bench/_common.py and apps) on the same script, so a before/after
comparison runs the same measurement; give each tree a database its own migrations made.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

PAGES = {
    "floor": "/tickets/0/",
    "queue": "/",
    "people": "/people/",
    "person": "/people/{person}/",
    "stories": "/stories/",
}
HEAVY_PEOPLE = 20  # bench/_lists_load.py: people 1..20 hold many identities, tickets and contributions


def production_env(database: str, *, redis_db: int) -> None:
    """Production settings for an in-process measurement (bench/page_profile.py's too): written here, not in
    _common, because --tree loads an older tree's _common that may not have it."""
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ.update(
        DJANGO_ENV="production",
        DJANGO_DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("SECRET_KEY", f"{database}-not-a-secret")
    os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{redis_db}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()

    # The tree's own bench helpers and apps; its settings find the project from the working directory too.
    os.chdir(args.tree)
    sys.path.insert(0, str(Path(args.tree) / "bench"))
    production_env("triage_bench_lists", redis_db=10)
    import _common
    from _cpu import CpuMeter

    _common.setup_django()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client

    call_command("collectstatic", "--noinput", verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from _pages_load import people

    advocate = people()[0][0]
    client = Client()
    client.force_login(advocate)
    import people as _people_app

    print(
        f"tree {args.tree} ({Path(_people_app.__file__).parent.parent})  load average {_common.load_average()}",
        flush=True,
    )
    for name in args.pages.split(","):
        url = PAGES[name]

        def get(i: int, url: str = url) -> int:
            return client.get(url.format(person=1 + i % HEAVY_PEOPLE)).status_code

        for i in range(args.warmup):
            get(i)
        connection.force_debug_cursor = True
        reset_queries()
        get(0)
        queries = len(connection.queries)
        connection.force_debug_cursor = False
        rounds = []
        statuses: set[int] = set()
        for _ in range(args.rounds):
            with CpuMeter() as meter:
                statuses |= {get(i) for i in range(args.requests)}
            rounds.append((meter.cpu.app * 1000 / args.requests, meter.cpu.db * 1000 / args.requests))
        least = min(rounds, key=sum)
        median = sorted(sum(r) for r in rounds)[len(rounds) // 2]
        print(
            f"{name:<8} {sum(least):7.2f} CPU ms/req ({least[0]:.2f} app + {least[1]:.2f} PostgreSQL; least of"
            f" {len(rounds)} rounds, median {median:.2f})  {queries} queries  statuses {sorted(statuses)}",
            flush=True,
        )
    print(f"load average {_common.load_average()}", flush=True)


if __name__ == "__main__":
    main()
