"""Serving (gunicorn on a free port) and measuring (concurrent client processes) for bench/pages.py."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")
import _common

FLOOR_URL = "/tickets/0/"  # no ticket 0: the desk's 404 page, signed in


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(cmd: list[str], *, cwd: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited at start ({proc.returncode}); see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/", headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.3)
    gunicorn_stop(proc)
    sys.exit(f"gunicorn did not answer on port {port} within 60 s; see {log}")


def gunicorn_stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def backends_end(db_name: str) -> None:
    """End the queries a stopped server left running (PostgreSQL finishes a query whose client went away)."""
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db_name],
        )
    conn.close()


def _client(job: tuple) -> tuple[list[float], int, dict[int, int], int]:
    """One client: back-to-back GETs from `start` to `end` (wall clock). Returns the latencies of the
    requests begun after `measure_from` and finished by `end`, their errors and statuses, and how many
    were still unanswered at `end` (abandoned: a page slower than the run)."""
    port, cookie, urls, seed, start, measure_from, end = job
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = unfinished = 0
    statuses: dict[int, int] = {}
    while time.time() < start:
        time.sleep(0.005)
    while True:
        began = time.time()
        if began >= end:
            break
        if isinstance(urls, list):
            url = urls[rng.randrange(len(urls))]
        else:  # "/tickets/{}/#N": a random id from 1 to N
            template, top = urls.rsplit("#", 1)
            url = template.format(rng.randint(1, int(top)))
        status = 0
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max(1.0, end - began + 1))
            headers = {"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})}
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except OSError:
            pass
        finished = time.time()
        if finished > end:
            unfinished += began >= measure_from
            break
        if began >= measure_from:
            latencies.append(finished - began)
            errors += status != (404 if url.startswith(FLOOR_URL) else 200)
            statuses[status] = statuses.get(status, 0) + 1
    return latencies, errors, statuses, unfinished


def server_cpu_seconds(group: int) -> float:
    """User + system CPU seconds so far of every process in the server's process group (gunicorn's
    master and workers), from /proc/<pid>/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                # The command name may hold spaces: the fields after its closing parenthesis are fixed.
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def measure(
    port: int, cookies: list[str], urls: list[str] | str, clients: int, seconds: float, group: int | None = None
) -> dict[str, float]:
    """Requests/s, p50 and p95 of `clients` processes for `seconds` after a warm-up, and, given the server's
    process group, its CPU milliseconds per request over the same window."""
    warmup = 2.0
    start = time.time() + 1.0
    measure_from, end = start + warmup, start + warmup + seconds
    jobs = [(port, cookies[i % len(cookies)], urls, 1000 + i, start, measure_from, end) for i in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        pending = pool.map_async(_client, jobs)
        time.sleep(max(0.0, measure_from - time.time()))
        cpu_from = server_cpu_seconds(group) if group else 0.0
        time.sleep(max(0.0, end - time.time()))
        cpu_used = server_cpu_seconds(group) - cpu_from if group else 0.0
        results = pending.get()
    latencies = sorted(lat for res in results for lat in res[0])
    errors = sum(res[1] for res in results)
    statuses: dict[int, int] = {}
    for res in results:
        for code, count in res[2].items():
            statuses[code] = statuses.get(code, 0) + count
    if errors:
        print(f"    statuses: {statuses} (0 = no answer)", flush=True)
    return {
        "rps": len(latencies) / seconds,
        "p50": _common.percentile(latencies, 50) * 1000,
        "p95": _common.percentile(latencies, 95) * 1000,
        "errors": errors,
        "requests": len(latencies),
        "unfinished": sum(res[3] for res in results),
        "cpu_ms": cpu_used * 1000 / len(latencies) if group and latencies else float("nan"),
    }
