"""Soak of the embedded default (issue 55): `make run`'s processes under a steady ingest, and nothing dies.

`make run`'s worker died after 6.5 minutes on kombu's filesystem broker (a half-written message file), and 1,453
messages piled up behind it. This starts what `make run` starts, the same way: `migrate` and `seed_demo` on a fresh
SQLite `DESK_VAR_DIR` with `DESK_DEMO_REPLAY=true`, then `honcho -f Procfile.dev start` (web, worker, beat).
For `--minutes` it drives a steady ingest: beat dispatches the demo channels' polls (answered by the demo replay on
this machine) and this script POSTs signed mentions to the demo's webhook channel through the web server, at
`--webhooks-per-minute`, each a new mention (the documented shape and signature, docs/platforms/webhook.md). Every
`--sample-seconds` it reads the broker's queued messages, the mentions stored and whether every process still runs.

Then it stops pushing, waits (at most `--drain-seconds`) for the broker to hold nothing, stops honcho, and prints:
minutes, mentions stored (the pushed ones, each once, and all the desk's), worker deaths (a process of the set
gone, or a pool process lost), messages left queued, the most ever queued, and tracebacks in the log. The exit
status is non-zero when any of deaths, messages left, tracebacks is not 0 or a pushed mention is missing.

    .venv/bin/python bench/embedded_soak.py                  # 15 minutes, 30 webhooks a minute
    .venv/bin/python bench/embedded_soak.py --minutes 0.5    # the smoke CI can run (2-3 minutes with the seeding)

No PostgreSQL or Redis: the embedded default needs neither, and the script takes DATABASE_URL and REDIS_URL out of
the processes' environment. The temporary var/ is removed at the end unless `--keep` (its honcho.log is the log).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import embedded_template_copy

ROOT = Path(__file__).resolve().parents[1]
# The demo's webhook channel and its signing secret (channels/demo/channels.py: a demo value, not a secret).
HOOK = "/hooks/webhook-demo/"
HOOK_SECRET = b"demo-webhook-secret-not-a-secret"
PROCESSES = ("web", "worker", "beat")
STARTED = re.compile(r"(\w+)\.\d+ started \(pid=(\d+)\)")
# Celery's parent logs a pool process that died under it (the OOM killer, a crash in C): a death too.
POOL_LOST = re.compile(r"Process '[^']+' pid:\d+ exited with")


@dataclass
class Soak:
    var: Path
    port: int
    log: Path
    pids: dict[str, int] = field(default_factory=dict)
    pushed: dict[int, int] = field(default_factory=dict)  # HTTP status -> count
    sent_ids: list[str] = field(default_factory=list)
    most_queued: int = 0


def environment(var: Path, port: int) -> dict[str, str]:
    """make run's: nothing of PostgreSQL or Redis, the demo replay on, the tree's virtualenv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DESK_", "DATABASE", "REDIS", "CELERY"))}
    env.update(DESK_VAR_DIR=str(var), DESK_DEMO_REPLAY="true", DESK_PORT=str(port), PYTHONUNBUFFERED="1")
    env["PATH"] = f"{ROOT / '.venv/bin'}:{env.get('PATH', '')}"
    return env


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body or None, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def push(soak: Soak, n: int) -> None:
    """One new mention, signed as docs/platforms/webhook.md says a sender signs: HMAC-SHA256 of "<ts>.<body>"."""
    external_id = f"soak-{os.getpid()}-{n}"
    body = json.dumps(
        {
            "id": external_id,
            "url": f"https://status.example.com/soak/{n}",
            "author": {"name": f"Soak sender {n % 17}", "handle": f"soak_{n % 17}"},
            "text": f"Soak mention {n}: is the pipeline still green after the runner upgrade? ({n % 5} retries)",
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    ).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(HOOK_SECRET, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Desk-Timestamp": stamp, "X-Desk-Signature": f"sha256={signature}"}
    try:
        status = request(soak.port, "POST", HOOK, body, headers)
    except OSError:
        status = 0  # the web process did not answer
    soak.pushed[status] = soak.pushed.get(status, 0) + 1
    if status == 201:
        soak.sent_ids.append(external_id)


def queued(var: Path) -> dict[str, int]:
    """Messages waiting in the embedded broker, per queue."""
    with sqlite3.connect(var / "broker.sqlite3", timeout=30) as broker:
        rows = broker.execute(
            "SELECT q.name, count(*) FROM kombu_message m JOIN kombu_queue q ON q.id = m.queue_id "
            "WHERE m.visible GROUP BY q.name"
        ).fetchall()
    return dict(rows)


def stored(var: Path, ids: list[str] | None = None) -> int:
    """Mentions in the desk's database; with `ids`, how many of those the webhook channel holds."""
    with sqlite3.connect(var / "desk.sqlite3", timeout=30) as desk:
        if ids is None:
            return int(desk.execute("SELECT count(*) FROM mentions_message WHERE kind != 'note'").fetchone()[0])
        found = 0
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT count(DISTINCT external_id) FROM mentions_message WHERE external_id IN ({marks})"
            found += int(desk.execute(sql, part).fetchone()[0])
        return found


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def start(soak: Soak, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with soak.log.open("w") as handle:
        honcho = subprocess.Popen(
            [str(ROOT / ".venv/bin/honcho"), "-f", str(ROOT / "Procfile.dev"), "start"],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if honcho.poll() is not None:
            sys.exit(f"honcho exited at start; see {soak.log}")
        text = soak.log.read_text(errors="replace")
        soak.pids = {name: int(pid) for name, pid in STARTED.findall(text) if name in PROCESSES}
        workers_ready = " ready." in text  # the one worker (Procfile.dev)
        try:
            web = request(soak.port, "GET", "/health/") == 200
        except OSError:
            web = False
        if web and workers_ready and set(soak.pids) == set(PROCESSES):
            return honcho
        time.sleep(1)
    sys.exit(f"the set did not start in 180 s; see {soak.log}")


def deaths(soak: Soak) -> list[str]:
    gone = [f"{name} (pid {pid}) exited" for name, pid in soak.pids.items() if not running(pid)]
    lost = POOL_LOST.findall(soak.log.read_text(errors="replace"))
    return gone + [f"a pool process: {line}" for line in lost]


def drive(soak: Soak, minutes: float, per_minute: float, sample_seconds: float) -> None:
    began = time.monotonic()
    end = began + minutes * 60
    gap = 60 / per_minute
    n = 0
    next_push = next_sample = began
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_push:
            push(soak, n)
            n += 1
            next_push += gap
        if now >= next_sample:
            waiting = queued(soak.var)
            soak.most_queued = max(soak.most_queued, sum(waiting.values()))
            dead = deaths(soak)
            print(
                f"  {(now - began) / 60:5.1f} min  pushed {n:5d}  mentions {stored(soak.var):6d}  "
                f"queued {sum(waiting.values()):4d} {waiting or ''}  deaths {len(dead)}",
                flush=True,
            )
            if dead:
                print("   " + "; ".join(dead), flush=True)
            next_sample += sample_seconds
        time.sleep(max(0.0, min(next_push, next_sample, end) - time.monotonic()))


def drain(soak: Soak, seconds: float) -> tuple[int, float]:
    """(messages still queued, seconds waited): the broker holding nothing once the pushing stopped. Beat keeps
    dispatching, so empty means the workers keep up, not that nothing more will ever come."""
    began = time.monotonic()
    left = sum(queued(soak.var).values())
    while left and time.monotonic() - began < seconds:
        time.sleep(0.5)
        left = sum(queued(soak.var).values())
    return left, time.monotonic() - began


def stop(honcho: subprocess.Popen[bytes]) -> None:
    os.killpg(honcho.pid, signal.SIGTERM)
    try:
        honcho.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="how long the ingest is driven (default 15)")
    parser.add_argument("--webhooks-per-minute", type=float, default=30.0, help="pushed mentions a minute (30)")
    parser.add_argument("--sample-seconds", type=float, default=30.0, help="how often the figures are read (30)")
    parser.add_argument("--drain-seconds", type=float, default=120.0, help="longest wait for an empty broker (120)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var/ and its honcho.log")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="desk-soak-"))
    soak = Soak(var=var, port=free_port(), log=var / "honcho.log")
    env = environment(var, soak.port)
    print(f"embedded soak: {args.minutes:g} min, {args.webhooks_per_minute:g} webhooks/min, var {var}", flush=True)
    embedded_template_copy(var)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    seeded = stored(var)
    honcho = start(soak, env)
    began = time.monotonic()
    try:
        print(f"  set started: {', '.join(f'{name} {pid}' for name, pid in soak.pids.items())}", flush=True)
        drive(soak, args.minutes, args.webhooks_per_minute, args.sample_seconds)
        driven = (time.monotonic() - began) / 60
        left, waited = drain(soak, args.drain_seconds)
        time.sleep(5)  # the last pushes' after-ingest work, and a moment for a death to show
        dead = deaths(soak)
        landed = stored(var, soak.sent_ids)
        total = stored(var)
    finally:
        stop(honcho)
    log = soak.log.read_text(errors="replace")
    tracebacks = log.count("Traceback (most recent call last)")
    pushed = sum(soak.pushed.values())
    print(f"\nminutes                 {driven:.1f}")
    print(f"webhooks pushed         {pushed} (HTTP {dict(sorted(soak.pushed.items()))})")
    print(f"mentions stored         {landed} of {len(soak.sent_ids)} accepted pushes; the desk {seeded} -> {total}")
    print(f"worker deaths           {len(dead)}" + (f": {'; '.join(dead)}" if dead else ""))
    print(f"messages left queued    {left} (broker empty {waited:.1f} s after the pushing stopped)")
    print(f"most queued at a sample {soak.most_queued}")
    print(f"tracebacks in the log   {tracebacks}")
    failed = dead or left or tracebacks or landed != len(soak.sent_ids) or len(soak.sent_ids) != pushed
    if args.keep or failed:
        print(f"log: {soak.log}")
    else:
        shutil.rmtree(var, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
