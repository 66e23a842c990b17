"""The importer against hostile files (issue 69): each case a documented export (docs/importing.md, "From any tool")
imported by `manage.py import_zendesk --documented DIR --no-index` in a process of its own, as an admin runs it,
so its peak resident memory (ru_maxrss from wait4) is the case's alone. Printed per case: seconds (wall, and the
process's CPU seconds, steadier on a shared machine; both include Django's start, the floor row's), peak RSS,
tickets imported, lines quarantined, and the outcome (the run's status, the command's exit status, then the run's
error, the length of the traceback if the command printed one, or the first record it quarantined).

The line cases are a tickets.jsonl of --lines good tickets with the hostile line in the middle (a page of 1,000
lines: the probe found that one bad line lost the whole page): a lone surrogate (an escaped "\\ud83d" with no low
half, as a JavaScript exporter writes a cut emoji), a line nested 5,000 deep, a truncated line (its first half),
a line of --big-mb MB (one ticket with a body that size). The file cases: random bytes (a binary file), an empty
file, and the wrong format (the same tickets as one pretty-printed JSON array). The first row is the same file
with nothing hostile in it, the floor.

Run by hand, from the repository root (BENCH_TREE=<tree> runs another tree's code, e.g. main's, for a before):

    .venv/bin/python bench/import_hostile.py [--lines 1000] [--big-mb 80]

It wipes the channel, ticket, message, people and import tables of the benchmark database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/triage_bench) before each case.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common


def _ticket(number: int) -> dict:
    return {
        "id": f"HX-{number}",
        "subject": f"Runner stuck on job {number}",
        "status": "solved" if number % 3 else "open",
        "created_at": f"2024-05-01T{number % 24:02d}:00:00Z",
        "updated_at": f"2024-05-02T{number % 24:02d}:00:00Z",
        "tags": ["ci"],
        "requester": {"email": f"user{number % 97}@example.com", "name": f"User {number % 97}"},
        "messages": [
            {"id": "m1", "from": "requester", "body": f"My pipeline {number} waits for a runner.",
             "created_at": f"2024-05-01T{number % 24:02d}:00:00Z"},
            {"id": "m2", "from": "agent", "author": {"email": "sam@desk.example", "name": "Sam"},
             "body": "Restart the runner, then retry the job.", "created_at": f"2024-05-01T{number % 24:02d}:30:00Z"},
        ],
    }  # fmt: skip


def _line(number: int) -> bytes:
    return json.dumps(_ticket(number)).encode()


def _surrogate(number: int) -> bytes:
    # json.dumps escapes the lone high surrogate as \ud83d, as JSON.stringify of a string cut inside an emoji does.
    return json.dumps({**_ticket(number), "subject": "Broken emoji \ud83d"}).encode()


def _deep(number: int) -> bytes:
    head = json.dumps(_ticket(number))[:-1].encode()
    return head + b', "custom": ' + b"[" * 5000 + b"]" * 5000 + b"}"


def _truncated(number: int) -> bytes:
    whole = _line(number)
    return whole[: len(whole) // 2]


def _with(bad: Callable[[int], bytes]) -> Callable[[Path, int], None]:
    def write(path: Path, lines: int) -> None:
        middle = lines // 2
        with path.open("wb") as handle:
            for number in range(1, lines + 1):
                handle.write((bad(number) if number == middle else _line(number)) + b"\n")

    return write


def _big(megabytes: int) -> Callable[[Path, int], None]:
    """One ticket whose question is `megabytes` long, written a megabyte at a time: this process stays small (a
    child's peak is measured from its own start, but a parent that grew would be the floor of the next)."""

    def write(path: Path, lines: int) -> None:
        middle = lines // 2
        with path.open("wb") as handle:
            for number in range(1, lines + 1):
                if number != middle:
                    handle.write(_line(number) + b"\n")
                    continue
                handle.write(json.dumps({**_ticket(number), "messages": []})[:-3].encode())
                handle.write(b'[{"id": "m1", "from": "requester", "created_at": "2024-05-01T09:00:00Z", "body": "')
                for _ in range(megabytes):
                    handle.write(b"x" * 1_000_000)
                handle.write(b'"}]}\n')

    return write


def _binary(path: Path, lines: int) -> None:
    path.write_bytes(random.Random(7).randbytes(1_000_000))


def _empty(path: Path, lines: int) -> None:
    path.write_bytes(b"")


def _array(path: Path, lines: int) -> None:
    path.write_text(json.dumps([_ticket(n) for n in range(1, lines + 1)], indent=2))


def cases(big_mb: int) -> dict[str, Callable[[Path, int], None]]:
    return {
        "none (the floor)": _with(_line),
        "lone surrogate": _with(_surrogate),
        "5,000-deep line": _with(_deep),
        "truncated line": _with(_truncated),
        f"{big_mb} MB line": _big(big_mb),
        "binary file": _binary,
        "empty file": _empty,
        "wrong format (JSON array)": _array,
    }


# Started by a small process of its own: Linux counts the peak of the process a child was forked from in the
# child's ru_maxrss, and this one holds Django; the launcher holds nothing but itself.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_pid, status, usage = os.wait4(child.pid, 0)
print("PEAK", usage.ru_maxrss, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, flush=True)
"""


def _import(root: Path) -> tuple[float, float, float, str, int]:
    """The command in a process of its own: (seconds, CPU seconds, peak RSS in MB, its output, its exit status)."""
    command = [sys.executable, str(_common.REPO / "manage.py"), "import_zendesk", "--documented", str(root)]
    began = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        subprocess.run(
            [sys.executable, "-c", LAUNCHER, *command, "--no-index"],
            cwd=_common.REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )
        took = time.perf_counter() - began
        output.seek(0)
        text = output.read().decode(errors="replace")
    text, _, peak = text.rpartition("PEAK ")
    kilobytes, code, cpu = peak.split()
    return took, float(cpu), int(kilobytes) / 1024, text, int(code)


def _outcome(text: str, code: int) -> str:
    """The run's status and the command's exit status, then what it said: the run's error, a traceback's length, or
    the first record it quarantined."""
    from imports.models import ImportRun

    run = ImportRun.objects.order_by("-pk").first()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    said = (run.error.splitlines() or [""])[0] if run else ""
    traceback = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), None)
    if traceback is not None:
        said = f"{len(lines) - traceback}-line traceback"
    elif not said and any(line.startswith("Not imported") for line in lines):
        said = lines[next(i for i, line in enumerate(lines) if line.startswith("Not imported")) + 1]
    return f"{run.status if run else 'no run'} (exit {code}){f': {said}' if said else ''}"[:160]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=1000, help="good tickets in each line case's file")
    parser.add_argument("--big-mb", type=int, default=80, help="the long line's size")
    args = parser.parse_args()
    _common.setup_django()
    _common.machine_print()
    print(f"tree: {_common.REPO}", flush=True)

    from django.db import connection

    from channels.models import Channel
    from imports.models import ExternalRef, ImportRun
    from mentions.models import Message, Tag, Ticket
    from people.models import Authorship, Identity, Person, Requester

    models = (Channel, Ticket, Message, Tag, Ticket.tags.through, Person, Identity, Authorship, Requester,
              ExternalRef, ImportRun)  # fmt: skip
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    connection.close()  # the child writes; each case reads its run after
    rows = []
    for case, write in cases(args.big_mb).items():
        _common.truncate(*tables)
        connection.close()
        with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
            root = Path(folder)
            write(root / "tickets.jsonl", args.lines)
            took, cpu, peak, text, code = _import(root)
        run = ImportRun.objects.order_by("-pk").first()
        counts = run.counts if run else {}
        quarantined = counts.get("quarantined", 0) + counts.get("rejected", 0)
        rows.append((case, took, cpu, peak, Ticket.objects.count(), quarantined, _outcome(text, code)))
        print(f"  {case}: {took:.1f} s ({cpu:.1f} CPU s), {peak:.0f} MB", flush=True)
        connection.close()
    print()
    print("hostile files:")
    print("| case | seconds (CPU) | peak RSS (MB) | tickets imported | lines quarantined | outcome |")
    print("|---|---|---|---|---|---|")
    for case, took, cpu, peak, imported, quarantined, outcome in rows:
        print(f"| {case} | {took:.1f} ({cpu:.1f}) | {peak:.0f} | {imported:,} | {quarantined:,} | {outcome} |")
    print(f"load avg after: {_common.load_average()}")


if __name__ == "__main__":
    main()
