"""The poll's own cost: every polled platform's first poll of its demo channel, walked and parsed, nothing stored.

Each demo channel (channels.demo.channels, the week `make run` shows) is polled from an empty cursor through its real
adapter (`fetch_chunks`, every chunk drawn), its platform answered on this machine by the demo network
(channels.demo.replay: DESK_DEMO_REPLAY), so what is timed is the adapter, the poll engine and the parsers, with the
replay's answers and `requests`' in-memory transport beside them. Printed per platform: the median wall and CPU time of
a poll, the chunks and the mentions it handed over.

With `--before TREE` (a checkout of an earlier commit, e.g. `git worktree add /tmp/before <rev>`), rounds alternate
between that tree and this one (before, after, after, before, ...), each round in a process of its own loading its
tree's code (BENCH_TREE, bench/_common.py), on the same database: a before and after in one run.

    .venv/bin/python bench/poll_walk.py [--repeat 7] [--before /tmp/before --rounds 4]

It creates the demo channels in the benchmark database (DATABASE_URL, default .../triage_bench) when missing and
writes nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

HERE = Path(__file__).resolve()


def measure(repeat: int) -> dict[str, dict[str, float]]:
    """Each polled platform's first poll, `repeat` times: median wall and CPU ms, chunks and mentions."""
    os.environ["DESK_DEMO_REPLAY"] = "true"
    _common.setup_django()
    try:
        polled_base = importlib.import_module("channels.adapters.poll.adapter").PolledAdapter
    except ImportError:  # a tree from before the poll engine
        polled_base = importlib.import_module("channels.adapters.polling").PolledAdapter
    from channels.adapters.email.platform import PLATFORM as EMAIL
    from channels.adapters.registry import get_adapter
    from channels.demo.channels import DEMO_CHANNELS, demo_slug
    from channels.http import build_session
    from channels.models import Channel

    figures: dict[str, dict[str, float]] = {}
    for kind, spec in sorted(DEMO_CHANNELS.items()):
        adapter = get_adapter(kind)
        if not isinstance(adapter, polled_base) or kind == EMAIL.kind:  # e-mail's poll is IMAP, not the engine's
            continue
        channel, _ = Channel.objects.get_or_create(
            slug=demo_slug(kind), defaults={"name": spec["name"], "kind": kind, "config": spec["config"]}
        )
        if spec.get("credentials") and not channel.credentials:
            channel.credentials = spec["credentials"]
            channel.save(update_fields=["credentials_encrypted"])
        walls, cpus, chunks, mentions = [], [], 0, 0
        for _ in range(repeat + 1):  # the first warms imports and the replay's own caches
            channel.cursor = {}
            session = build_session()
            wall, cpu = time.perf_counter(), time.process_time()
            results = list(adapter.fetch_chunks(channel=channel, session=session))
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            chunks, mentions = len(results), sum(len(r.mentions) for r in results)
        figures[kind] = {
            "wall": statistics.median(walls[1:]),
            "cpu": statistics.median(cpus[1:]),
            "chunks": chunks,
            "mentions": mentions,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", default="", help="an earlier checkout: rounds alternate between it and this one")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a round's child process
    args = parser.parse_args()
    if args.json or not args.before:
        figures = measure(args.repeat)
        if args.json:
            print("FIGURES " + json.dumps(figures))
            return
        for kind, f in figures.items():
            wall, cpu, chunks, found = f["wall"], f["cpu"], f["chunks"], f["mentions"]
            print(f"{kind:14} {wall:8.1f} ms  cpu {cpu:8.1f} ms  {chunks:3.0f} chunks  {found:4.0f} mentions")
        return
    print(f"before: {args.before}; after: {_common.REPO}; load {_common.load_average()}", flush=True)
    trees = [args.before, str(_common.REPO)]
    rounds: dict[str, list[dict[str, dict[str, float]]]] = {"before": [], "after": []}
    for number in range(args.rounds):
        which = ("before", "after", "after", "before")[number % 4]
        tree = trees[0] if which == "before" else trees[1]
        env = {**os.environ, "BENCH_TREE": tree}
        out = subprocess.run(
            [sys.executable, str(HERE), "--json", "--repeat", str(args.repeat)], env=env, capture_output=True, text=True
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith("FIGURES ")), None)
        if line is None:
            sys.exit(f"the {which} round failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
        rounds[which].append(json.loads(line[len("FIGURES ") :]))
        print(f"round {number + 1}: {which} ({tree}), load {_common.load_average()}", flush=True)
    kinds = sorted(set(rounds["after"][0]) | set(rounds["before"][0]))
    print(f"\n{'platform':14} {'before cpu ms':>14} {'after cpu ms':>13} {'change':>7}  chunks b/a  mentions b/a")
    total = {"before": 0.0, "after": 0.0}
    for kind in kinds:
        cells = {}
        for which in ("before", "after"):
            values = [r[kind]["cpu"] for r in rounds[which] if kind in r]
            cells[which] = statistics.median(values) if values else float("nan")
            total[which] += cells[which]
        b, a = rounds["before"][0].get(kind, {}), rounds["after"][0].get(kind, {})
        change = (cells["after"] / cells["before"] - 1) * 100 if cells["before"] else float("nan")
        parts = f"{b.get('chunks', 0):4.0f}/{a.get('chunks', 0):<4.0f}"
        counts = f"{parts}  {b.get('mentions', 0):5.0f}/{a.get('mentions', 0):<5.0f}"
        print(f"{kind:14} {cells['before']:14.1f} {cells['after']:13.1f} {change:+6.0f}%  {counts}")
    change = (total["after"] / total["before"] - 1) * 100
    print(f"{'all':14} {total['before']:14.1f} {total['after']:13.1f} {change:+6.0f}%")


if __name__ == "__main__":
    main()
