"""Issue 55: the embedded default's broker (advocacy.broker: SQLite through kombu's SQLAlchemy transport) holds with
several processes writing at once, as `make run`'s do.

Real processes on a fresh `DESK_VAR_DIR` with no DATABASE_URL and no REDIS_URL (the embedded default's settings):
producer processes, each publishing from several threads, while two real `celery -A advocacy worker` processes
consume the same queue (one prefork with 2 pool processes, as the Procfile's `worker`; one solo, as Procfile.dev's
one worker, which beside the web and beat processes publishing makes `make run`'s writers),
and every first delivery publishes a second one from inside the worker. The task (tests/embedded_broker_tasks.py)
appends a line per run, so a lost message is a missing line and a doubled one a second line. Each message carries
64 KB: with the settings of before issue 55 (kombu's filesystem transport) this test failed twice in two runs, the
solo worker stopping with "Unrecoverable error: JSONDecodeError('Expecting value: line 1 column 1 (char 0)')" (the
finding of issue 55) and a message never run.

Payloads: Celery's own task messages, made by `send_task`; the old-folder test writes its files with kombu's
filesystem transport itself (the settings the embedded default had before), and cuts one as that transport's
in-place write leaves a file a reader can catch.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from kombu import Connection, Producer

from advocacy.celery import app

ROOT = Path(__file__).resolve().parents[1]
TASK = "tests.broker_record"
PRODUCERS = 4
THREADS = 3
PER_THREAD = 50
PADDING = 64 * 1024  # characters a message: a write long enough for a reader to catch in the middle

PRODUCER = """
import sys, threading
import django
django.setup()
from advocacy.celery import app

name, threads, per_thread, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
padding = "x" * int(sys.argv[5])

def publish(thread):
    for n in range(per_thread):
        app.send_task("tests.broker_record", args=[f"{name}-{thread}-{n}", 0, path, "ingest", padding], queue="celery")

started = [threading.Thread(target=publish, args=(t,)) for t in range(threads)]
for thread in started:
    thread.start()
for thread in started:
    thread.join()
"""


def _embedded_env(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER")
    }
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", DESK_VAR_DIR=str(var))
    return env


class Worker:
    def __init__(self, var: Path, name: str, queues: str, *pool: str) -> None:
        self.log = var.parent / f"{name}.log"
        self.hostname = f"{name}@broker-test-{os.getpid()}"
        command = [sys.executable, "-m", "celery", "-A", "advocacy", "worker", "-n", self.hostname, "-Q", queues]
        command += [*pool, "--include=tests.embedded_broker_tasks", "--loglevel=INFO"]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=_embedded_env(var), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self) -> None:
        for _ in range(900):
            if b" ready." in self.log.read_bytes():
                return
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.1)
        pytest.fail(f"{self.hostname} did not start in 90 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        """A warm shutdown, as honcho's Ctrl-C gives: the worker's own process, which stops its pool."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self) -> None:
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


@pytest.fixture
def var(tmp_path: Path) -> Path:
    folder = tmp_path / "var"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(var: Path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()
    for worker in started:
        worker.wait_stopped()


def _effects(path: Path, expected: int, timeout: float = 240) -> Counter[tuple[str, int]]:
    """The runs recorded, once `expected` are there (and a little longer, for a second run of any to show)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count("\n") >= expected:
            time.sleep(3)
            break
        time.sleep(0.5)
    lines = path.read_text().splitlines() if path.exists() else []
    return Counter((key, int(hop)) for key, hop, _ in (line.split() for line in lines))


def _queued(var: Path) -> int:
    with sqlite3.connect(var / "broker.sqlite3") as broker:
        return broker.execute("SELECT count(*) FROM kombu_message").fetchone()[0]


def test_concurrent_producers_and_two_workers_lose_nothing_double_nothing_and_no_worker_dies(var, workers):
    effects = var.parent / "effects.txt"
    # Started together, as honcho starts them: both make the broker's tables on a fresh var/ at once.
    workers += [
        Worker(var, "main", "celery,ingest", "--concurrency=2"),
        Worker(var, "solo", "celery", "--pool=solo"),
    ]
    for worker in workers:
        worker.wait_ready()

    producers = [
        subprocess.Popen(
            [sys.executable, "-c", PRODUCER, f"p{n}", str(THREADS), str(PER_THREAD), str(effects), str(PADDING)],
            cwd=ROOT,
            env=_embedded_env(var),
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PRODUCERS)
    ]
    for producer in producers:
        _, error = producer.communicate(timeout=240)
        assert producer.returncode == 0, error

    keys = {f"p{n}-{t}-{i}" for n in range(PRODUCERS) for t in range(THREADS) for i in range(PER_THREAD)}
    expected = {(key, hop) for key in keys for hop in (0, 1)}
    runs = _effects(effects, len(expected))
    logs = {worker.hostname: worker.log.read_text() for worker in workers}
    assert set(runs) == expected, f"{len(expected - set(runs))} never ran"  # none lost
    assert max(runs.values()) == 1, [run for run, count in runs.items() if count > 1][:10]  # none twice
    assert [worker.process.poll() for worker in workers] == [None, None]  # no worker died
    for hostname, log in logs.items():
        assert "Traceback" not in log and "ERROR" not in log, f"{hostname}:\n{log}"
    # Both workers took messages from the shared queue: they competed for the same rows.
    solo_pid = str(workers[1].process.pid)
    by_solo = sum(1 for line in effects.read_text().splitlines() if line.split()[2] == solo_pid)
    assert 0 < by_solo < len(expected)
    # A message taken is gone from the file: nothing is left queued and nothing piles up as kept rows.
    assert _queued(var) == 0
    with sqlite3.connect(var / "broker.sqlite3") as broker:
        assert broker.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    print(f"\n{len(keys)} published by {PRODUCERS} processes x {THREADS} threads, {len(expected)} runs, each once; ")
    print(f"the solo worker ran {by_solo}, the prefork worker {len(expected) - by_solo}; 0 left queued")


def _old_file_broker(var: Path) -> Connection:
    """kombu's filesystem transport with the options the embedded default used before issue 55."""
    broker, control = var / "celery" / "broker", var / "celery" / "control"
    broker.mkdir(parents=True)
    control.mkdir()
    options: dict[str, object] = {"data_folder_in": str(broker), "data_folder_out": str(broker)}
    options.update(processed_folder=str(broker), control_folder=str(control), store_processed=False)
    return Connection("filesystem://localhost/", transport_options=options)


def test_messages_queued_by_the_old_file_broker_run_once_after_the_upgrade(var, workers):
    effects = var.parent / "effects.txt"
    with _old_file_broker(var) as old:
        producer = Producer(old)
        for n in range(20):
            app.send_task(TASK, args=[f"old-{n}", 1, str(effects), "ingest"], queue="celery", producer=producer)
    files = sorted((var / "celery" / "broker").glob("*.msg"))
    assert len(files) == 20
    # What the file broker's reader met: a file created and not yet written, and one half written.
    shutil.copy(files[0], var / "celery" / "broker" / "0_empty.celery.msg")
    (var / "celery" / "broker" / "0_empty.celery.msg").write_bytes(b"")
    half = files[1].read_bytes()[: len(files[1].read_bytes()) // 2]
    (var / "celery" / "broker" / "1_half.celery.msg").write_bytes(half)

    workers += [Worker(var, "main", "celery,ingest", "--concurrency=2"), Worker(var, "solo", "celery", "--pool=solo")]
    for worker in workers:
        worker.wait_ready()

    runs = _effects(effects, 20)
    assert runs == Counter({(f"old-{n}", 1): 1 for n in range(20)})  # each once, though two workers started
    assert [worker.process.poll() for worker in workers] == [None, None]
    assert sorted(path.name for path in (var / "celery" / "unreadable").iterdir()) == [
        "0_empty.celery.msg",
        "1_half.celery.msg",
    ]
    assert not (var / "celery" / "broker").exists() and not (var / "celery" / "control").exists()
    logs = "".join(worker.log.read_text() for worker in workers)
    assert "Moved 20 queued messages from the old file broker" in logs
    assert "2 unreadable set aside" in logs
    assert "Traceback" not in logs
    assert _queued(var) == 0
