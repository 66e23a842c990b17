"""Resident memory of the desk's default process set, idle and after load, beside the 1 GB target (issue 41).

Starts the processes exactly as a Procfile says, through honcho as `make run` does:

- `dev`: Procfile.dev (`make run`): SQLite and file broker in a temporary DESK_VAR_DIR, after `migrate` and
  `seed_demo` as `make run` runs them, with the demo's replaying platforms (DESK_DEMO_REPLAY=true).
- `production`: Procfile, DJANGO_ENV=production on PostgreSQL (database triage_bench_memory, emptied and
  migrated each run) and Redis db 12, with the same demo data so the pages and polls have work.

It waits until the set is idle (no process uses CPU for a few seconds), prints RSS and PSS
(/proc/PID/smaps_rollup) of every process honcho started and all their children (gunicorn master and workers,
celery parent and pool children), per Procfile line and in total; then loads it (every main page, signed in,
several rounds, and the worker's tasks: a poll of every demo channel queued to the worker) and prints again.
PSS divides shared pages between the processes that share them, so its total is what the set costs the box;
RSS counts shared pages in every process. honcho itself (the process manager) is printed apart: under systemd
it is not there.

    .venv/bin/python bench/memory.py                          # both sets, this checkout
    .venv/bin/python bench/memory.py --tree /work/before-weight --tree .   # interleaved before/after
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import embedded_template_copy, load_average

REPO = Path(__file__).resolve().parent.parent
# Resident memory under load: the production set (issue 41), `make run`'s (issue 73).
TARGETS_MIB = {"production": 1024, "dev": 900}
PRODUCTION_DB = "triage_bench_memory"
PRODUCTION_REDIS = "redis://127.0.0.1:6379/12"
PAGES = ["/", "/tickets/", "/tickets/?q=docker", "/people/", "/stories/", "/kpi/", "/notifications/"]

SESSION_SCRIPT = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from mentions.models import Ticket
user = get_user_model().objects.get(username="manager")
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print("SESSION", store.session_key, *Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:5])
"""
POLL_SCRIPT = """
from advocacy.celery import app
from channels.models import Channel
for pk in Channel.objects.values_list("pk", flat=True):
    app.send_task("intake.poll", kwargs={"channel_id": pk})
print("QUEUED", Channel.objects.count())
"""


def procfile_read(path: Path) -> dict[str, str]:
    """name -> command, as honcho reads a Procfile (one `name: command` a line)."""
    lines = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and ":" in line:
            name, command = line.split(":", 1)
            lines[name.strip()] = command.strip()
    return lines


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        for child in tree.get(current, []):
            out.append(child)
            todo.append(child)
    return sorted(out)


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB from /proc/PID/smaps_rollup; (0, 0) for a process that has gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _name(pid: int) -> str:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return "?"
    for item in environ:
        if item.startswith(b"HONCHO_PROCESS_NAME="):
            return item.split(b"=", 1)[1].decode().split(".")[0]
    return "?"


def _command(pid: int) -> str:
    try:
        parts = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(Path(p.decode()).name if i == 0 else p.decode() for i, p in enumerate(parts) if p)
    return text[:70]


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def idle_wait(root: int, *, quiet_seconds: float = 5, longest: float = 60) -> float:
    """Wait until the set used under 5% of a core for quiet_seconds (beat's schedule and the worker's heartbeats
    never stop), at most `longest`; returns the seconds waited."""
    start = time.monotonic()
    hz = os.sysconf("SC_CLK_TCK")
    while time.monotonic() - start < longest:
        before = _cpu_ticks(descendants(root))
        time.sleep(quiet_seconds)
        if (_cpu_ticks(descendants(root)) - before) / hz < 0.05 * quiet_seconds:
            break
    return time.monotonic() - start


def table(root: int, title: str, target: int) -> tuple[float, float]:
    """Print every process of the set; returns the total (RSS, PSS) in MiB, honcho not counted."""
    rows, manager = [], [root]
    for pid in descendants(root):
        rss, pss = memory_kib(pid)
        if _name(pid) == "?" and "honcho" in _command(pid):
            manager.append(pid)  # honcho's own helper for each line, not part of the desk
        elif rss:
            rows.append((_name(pid), pid, rss, pss, _command(pid)))
    print(f"  {title} (load average {load_average()}):")
    print(f"    {'process':<9} {'pid':>7} {'RSS MiB':>8} {'PSS MiB':>8}  command")
    per_line: dict[str, list[int]] = {}
    for name, pid, rss, pss, command in rows:
        print(f"    {name:<9} {pid:>7} {rss / 1024:8.1f} {pss / 1024:8.1f}  {command}")
        line = per_line.setdefault(name, [0, 0])
        line[0] += rss
        line[1] += pss
    for name, (rss, pss) in per_line.items():
        print(f"    = {name:<7} {'':>7} {rss / 1024:8.1f} {pss / 1024:8.1f}")
    total_rss = sum(r[2] for r in rows) / 1024
    total_pss = sum(r[3] for r in rows) / 1024
    honcho_rss = sum(memory_kib(pid)[0] for pid in manager)
    honcho_pss = sum(memory_kib(pid)[1] for pid in manager)
    verdict = "within" if total_rss <= target else "OVER"
    print(
        f"    TOTAL   {len(rows)} processes  RSS {total_rss:7.1f} MiB  PSS {total_pss:7.1f} MiB"
        f"   target {target} MiB resident: {verdict}   (honcho itself: RSS {honcho_rss / 1024:.1f},"
        f" PSS {honcho_pss / 1024:.1f})",
        flush=True,
    )
    return total_rss, total_pss


def _manage(tree: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(tree / ".venv/bin/python"), "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args[:1])} failed in {tree}:\n{done.stderr[-3000:]}")
    return done.stdout


def environment(which: str, tree: Path, var: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DESK_", "DATABASE", "REDIS"))}
    env.update(
        DESK_VAR_DIR=str(var),
        DESK_STATIC_ROOT=str(var / "static"),
        DESK_DEMO_REPLAY="true",
        PORT=str(port),
        DESK_PORT=str(port),
    )
    env["PATH"] = f"{tree / '.venv/bin'}:{env.get('PATH', '')}"
    if which == "production":
        env.update(
            DJANGO_ENV="production",
            SECRET_KEY="bench-memory-" + "x" * 50,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=f"https://127.0.0.1:{port}",
            BEHIND_TLS_PROXY="true",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{PRODUCTION_DB}",
            REDIS_URL=PRODUCTION_REDIS,
        )
    return env


def _prepare(which: str, tree: Path, env: dict[str, str]) -> None:
    if which == "production":
        import psycopg2
        import redis

        conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
        conn.autocommit = True
        with conn.cursor() as cur:  # an empty database each run: every tree migrates and seeds the same
            cur.execute(f"DROP DATABASE IF EXISTS {PRODUCTION_DB} WITH (FORCE)")
            cur.execute(f"CREATE DATABASE {PRODUCTION_DB}")
        conn.close()
        redis.Redis.from_url(PRODUCTION_REDIS).flushdb()
        _manage(tree, env, "collectstatic", "--noinput")  # as docs/operations.md starts production
    elif tree.resolve() == REPO:  # the template is this checkout's schema, not another tree's
        embedded_template_copy(Path(env["DESK_VAR_DIR"]))
    _manage(tree, env, "migrate", "--noinput")
    _manage(tree, env, "seed_demo")


def _get(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1", "Cookie": cookie, "X-Forwarded-Proto": "https"}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _wait_for_web(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"honcho exited at start; see {log}")
        try:
            _get(port, "/health/", "")
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the web process did not answer on {port}; see {log}")


def load(tree: Path, env: dict[str, str], port: int, rounds: int) -> None:
    session = _manage(tree, env, "shell", "-c", SESSION_SCRIPT).split("SESSION", 1)[1].split()
    cookie, tickets = f"sessionid={session[0]}", session[1:]
    queued = _manage(tree, env, "shell", "-c", POLL_SCRIPT).split("QUEUED", 1)[1].split()[0]
    statuses: dict[int, int] = {}
    for _ in range(rounds):
        for path in PAGES + [f"/tickets/{pk}/" for pk in tickets]:
            status = _get(port, path, cookie)
            statuses[status] = statuses.get(status, 0) + 1
    print(f"  load: {rounds} rounds of {len(PAGES) + len(tickets)} pages (statuses {statuses}), {queued} polls queued")


def measure(which: str, tree: Path, rounds: int, settle: float) -> tuple[float, float, float, float]:
    procfile = tree / ("Procfile.dev" if which == "dev" else "Procfile")
    var = Path(tempfile.mkdtemp(prefix=f"bench-memory-{which}-"))
    port = 18000 + os.getpid() % 1000
    env = environment(which, tree, var, port)
    print(f"\n{which} set from {procfile} ({', '.join(procfile_read(procfile))}):", flush=True)
    _prepare(which, tree, env)
    log = var / "honcho.log"
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [str(tree / ".venv/bin/honcho"), "-f", str(procfile), "start"],
            cwd=tree,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_web(port, proc, log)
        waited = idle_wait(proc.pid, longest=settle)
        idle = table(proc.pid, f"idle (after {waited:.0f} s to settle)", TARGETS_MIB[which])
        load(tree, env, port, rounds)
        waited = idle_wait(proc.pid, longest=settle)
        loaded = table(proc.pid, f"after load (after {waited:.0f} s to settle)", TARGETS_MIB[which])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(var, ignore_errors=True)
    return (*idle, *loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=["dev", "production", "both"], default="both")
    parser.add_argument("--tree", action="append", type=Path, help="checkout to measure (repeat: interleaved)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every page in the load (default 5)")
    parser.add_argument("--repeat", type=int, default=1, help="measure each tree this many times, interleaved")
    # `make run`'s set never goes quiet by that measure (runserver's reloader alone polls at ~4 % of a core), so each
    # wait lasts its whole `--settle`: a smoke run that only checks the script works passes a few seconds.
    parser.add_argument("--settle", type=float, default=60, help="longest wait for the set to go quiet (60 s)")
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [REPO])]
    sets = ["dev", "production"] if args.set == "both" else [args.set]
    print(f"load average at start: {load_average()}")
    results: list[tuple[str, Path, tuple[float, float, float, float]]] = []
    for _ in range(args.repeat):
        for which in sets:
            for tree in trees:
                results.append((which, tree, measure(which, tree, args.rounds, args.settle)))
    print(f"\nsummary (MiB; targets under load, resident: {TARGETS_MIB}; load average now {load_average()}):")
    print(f"  {'set':<11} {'tree':<28} {'idle RSS':>9} {'idle PSS':>9} {'load RSS':>9} {'load PSS':>9}")
    for which, tree, (irss, ipss, lrss, lpss) in results:
        verdict = "within" if lrss <= TARGETS_MIB[which] else "OVER"
        print(f"  {which:<11} {str(tree)[-28:]:<28} {irss:9.1f} {ipss:9.1f} {lrss:9.1f} {lpss:9.1f}  {verdict}")


if __name__ == "__main__":
    main()
