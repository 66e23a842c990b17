"""Which Celery worker process serves which queues: the one list the Procfile, Procfile.dev and compose.yaml start
their workers from, through `bin/desk-worker PROCESS` (docs/operations.md, "The process set").

Before issue 55 each of those files wrote its own `-Q`, and compose.yaml's worker served `celery,webhooks` only: a
desk deployed with it queued every poll and send and never ran them. Now a file names a process and this module
says what it reads; tests/test_queues.py parses the three files and fails when a routed queue is served by no
process or when two files disagree.

Queue names are settings (`DESK_*_QUEUE`), read here from django.conf.settings, so a renamed queue is routed and
served under the same name. No Django app is loaded: the launcher reads the settings and execs Celery.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# Celery's default queue (task_default_queue): every task without a route.
DEFAULT_QUEUE = "celery"


@dataclass(frozen=True)
class WorkerProcess:
    """A worker line: the settings naming its queues, and the options that make it what it is (not its size)."""

    name: str
    queue_settings: tuple[str, ...]
    options: tuple[str, ...] = ()


# The main worker serves every queue but the model's: on a small install one worker does all the slow work that
# waits on the network (docs/operations.md, "A queue per kind of slow work"). `meaning` holds the embedding model
# and runs its tasks one at a time, in the order they were queued (--pool=solo). `webhooks` is the optional
# threads worker for outgoing webhooks (bin/desk-start starts it when DESK_WEBHOOK_WORKERS is set). `single` is
# `make run`'s one worker (Procfile.dev): every queue, the model's too, one task at a time in one process. The
# embedded default writes to one SQLite file, one writer at a time, so a second process adds little work done, and
# each costs memory: after load the main worker's parent and two pool processes held 503-592 MiB resident and the
# model's process 414-422, where this one holds 416 (bench/memory.py, 2026-11-30). The solo pool stops no task at
# CELERY_TASK_TIME_LIMIT; every platform call has its own timeout.
WORKER_QUEUES = ("", "DESK_WEBHOOK_QUEUE", "DESK_INGEST_QUEUE", "DESK_SENDS_QUEUE", "DESK_KNOWLEDGE_QUEUE")
PROCESSES: dict[str, WorkerProcess] = {
    process.name: process
    for process in (
        WorkerProcess("worker", WORKER_QUEUES),
        WorkerProcess("meaning", ("DESK_MEANING_QUEUE",), ("-n", "meaning@%h", "--pool=solo")),
        WorkerProcess("single", (*WORKER_QUEUES, "DESK_MEANING_QUEUE"), ("--pool=solo",)),
        WorkerProcess("webhooks", ("DESK_WEBHOOK_QUEUE",), ("-n", "webhooks@%h", "--pool=threads")),
    )
}


def default_queues(process: str) -> list[str]:
    """The queues `process` serves when nothing overrides them (names from the settings, in the list's order)."""
    names = [getattr(settings, setting) if setting else DEFAULT_QUEUE for setting in PROCESSES[process].queue_settings]
    return list(dict.fromkeys(names))  # two settings may give one name (several desks share none: same queue)


def queues(process: str, *, without: str = "") -> list[str]:
    """The queues `process` serves: DESK_WORKER_QUEUES for the main worker when set (a large team's worker per
    queue), else its default; `without` leaves out another process's queues (the main worker beside a separate
    webhooks worker, which bin/desk-start starts and then tells the main worker so)."""
    chosen = default_queues(process)
    if process == "worker" and settings.DESK_WORKER_QUEUES:
        chosen = list(settings.DESK_WORKER_QUEUES)
    elif without:
        chosen = [queue for queue in chosen if queue not in default_queues(without)]
    return chosen


def routed_queues() -> set[str]:
    """Every queue a task can be put on: the routes, Celery's default, and the queue webhook deliveries name when
    they are queued (api.webhook_delivery)."""
    routes = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return routes | {DEFAULT_QUEUE, settings.DESK_WEBHOOK_QUEUE}


def worker_argv(process: str, extra: list[str], *, without: str = "") -> list[str]:
    """Celery's arguments (after the program) for `process`: its queues and options, then the line's own."""
    served = ",".join(queues(process, without=without))
    return ["-A", "advocacy", "worker", "-Q", served, *PROCESSES[process].options, *extra]


def main(argv: list[str]) -> None:
    """bin/desk-worker's command line (its docstring has the usage)."""
    parser = argparse.ArgumentParser(prog="desk-worker", description="Start one of the desk's Celery workers.")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--print", action="store_true", help="print the Celery command instead of running it")
    action.add_argument("--queues", action="store_true", help="print the process's queues, comma-separated")
    parser.add_argument("--without", default="", help="leave out the queues this other process serves")
    parser.add_argument("--quiet", action="store_true", help="Celery's --quiet (no banner)")
    parser.add_argument("process")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="the line's own Celery worker options")
    args = parser.parse_args(argv)
    for name in (args.process, args.without):
        if name and name not in PROCESSES:
            parser.error(f"unknown process {name!r}: one of {', '.join(PROCESSES)}")
    if args.queues:
        print(",".join(queues(args.process, without=args.without)))
        return
    celery = [sys.executable, "-m", "celery", *worker_argv(args.process, args.options, without=args.without)]
    if args.quiet:
        celery.insert(celery.index("worker"), "--quiet")
    if args.print:
        print(shlex.join(celery))
        return
    os.chdir(Path(__file__).resolve().parents[1])  # `-A advocacy` is imported from the project's directory
    os.execv(sys.executable, celery)  # noqa: S606 (this interpreter, arguments from the settings: no shell)
