"""The embedded default's broker (advocacy.broker) makes a queue's row once however many processes ask for it at the
same moment: CI saw a worker die at start with "UNIQUE constraint failed: kombu_queue.name" when two workers
started on a fresh var/ (kombu's get-or-create looks, then inserts, under a lock of its own process only).

Real processes on one fresh broker file, each declaring the same queues in the same order from the same instant,
through kombu's Connection with the desk's transport, as a worker does at start. No payloads: only queue rows."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 4
QUEUES = 150

DECLARE = """
import sys, time
from kombu import Connection
path, start, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
with Connection(f"sqlite:///{path}", transport="advocacy.broker:Transport") as connection:
    channel = connection.default_channel
    while time.time() < start:
        time.sleep(0.001)
    for n in range(count):
        channel._new_queue(f"queue-{n}")
print("ok")
"""


def test_processes_declaring_the_same_queues_at_once_each_get_them_and_none_dies(tmp_path):
    broker = tmp_path / "broker.sqlite3"
    start = time.time() + 3  # every process connected (tables made) before any declares
    running = [
        subprocess.Popen(
            [sys.executable, "-c", DECLARE, str(broker), str(start), str(QUEUES)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(PROCESSES)
    ]  # fmt: skip
    results = [process.communicate(timeout=120) for process in running]

    assert [out.strip() for out, _ in results] == ["ok"] * PROCESSES, [err[-2000:] for _, err in results]
    with sqlite3.connect(broker) as db:
        assert db.execute("SELECT count(*), count(DISTINCT name) FROM kombu_queue").fetchone() == (QUEUES, QUEUES)
