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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")
import _common


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(cmd: list[str], *, cwd: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    handle = log.open("a")  # every entry's server in one log: an error of an early entry stays to be read
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


OK_AFTER_FIRST = {200, 204, 286, 304}  # what htmx takes quietly: content, nothing, stop polling, unchanged


def _draw(rng: random.Random, urls: list | str) -> Any:
    if isinstance(urls, list):
        return urls[rng.randrange(len(urls))]
    template, top = urls.rsplit("#", 1)  # "/tickets/{}/#N": a random id from 1 to N
    return template.format(rng.randint(1, int(top)))


def _client(job: tuple) -> tuple[list[float], list[int], int, dict[int, int], int]:
    """One client (a browser tab): back-to-back views from `start` to `end` (wall clock). mode "page": a page as
    the browser loads it (bench/_pages_view.py), "fragment": one htmx request, "poll": the tab's live polls, each
    (path, headers, interval). Returns the seconds and request counts of the views begun after `measure_from`
    and finished by `end`, their errors and statuses, and how many were still unanswered at `end`."""
    port, cookie, urls, seed, start, measure_from, end, mode, expected = job
    from concurrent.futures import ThreadPoolExecutor

    from _pages_view import BROWSER_CONNECTIONS, get, view

    rng = random.Random(seed)
    seconds: list[float] = []
    requests: list[int] = []
    errors = unfinished = 0
    statuses: dict[int, int] = {}
    cookies = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    while time.time() < start:
        time.sleep(0.005)
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        while True:
            began = time.time()
            if began >= end:
                break
            target = _draw(rng, urls)
            if mode == "poll":
                path, headers, _every = target
                answer = get(port, path, dict(cookies), headers, timeout=max(1.0, end - began + 1))
                if answer.status == 200 and answer.etag and "If-None-Match" in headers:
                    # The tab swapped in what changed, with its new ETag (data-etag): its next poll sends that.
                    headers["If-None-Match"] = answer.etag
                codes = [answer.status]
                ok = answer.status in OK_AFTER_FIRST
            else:
                loaded = view(port, str(target), cookies, pool, fragment=mode == "fragment")  # a tab keeps its cookies
                codes = loaded.statuses
                ok = codes[0] == expected and all(code in OK_AFTER_FIRST for code in codes[1:])
            finished = time.time()
            if finished > end:
                unfinished += began >= measure_from
                break
            if began >= measure_from:
                seconds.append(finished - began)
                requests.append(len(codes))
                errors += not ok
                for code in codes:
                    statuses[code] = statuses.get(code, 0) + 1
    return seconds, requests, errors, statuses, unfinished


def _warm_one(job: tuple) -> int:
    """One warming client: `views` views one after another; returns how many answered."""
    port, cookie, urls, seed, mode, views = job
    from concurrent.futures import ThreadPoolExecutor

    from _pages_view import BROWSER_CONNECTIONS, get, view

    rng = random.Random(seed)
    cookies = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    answered = 0
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        for _ in range(views):
            target = _draw(rng, urls)
            if mode == "poll":
                path, headers, _every = target
                answered += get(port, path, dict(cookies), headers).status > 0
            else:
                answered += bool(view(port, str(target), cookies, pool, fragment=mode == "fragment").statuses)
    return answered


def warm(port: int, cookies: list[str], urls: list | str, mode: str, workers: int, views: int) -> int:
    """`views` views per server worker, from as many concurrent clients as there are workers (a sync worker takes
    one connection at a time, so each gets its share), finished before measuring starts. Returns the views done."""
    if views <= 0:
        return 0
    jobs = [(port, cookies[i % len(cookies)], urls, 500 + i, mode, views) for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.map(_warm_one, jobs))


def backend_cpu(db_name: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to `db_name` (bench/_cpu.py reads /proc)."""
    import psycopg2
    from _cpu import process_cpu_seconds

    conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", [db_name]
        )
        pids = [row[0] for row in cur.fetchall()]
    conn.close()
    return {pid: process_cpu_seconds(pid) for pid in pids}


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
    port: int,
    cookies: list[str],
    urls: list | str,
    clients: int,
    seconds: float,
    *,
    group: int | None = None,
    db_name: str = "",
    mode: str = "page",
    expected: int = 200,
    workers: int = 3,
    warmup_views: int = 5,
) -> dict[str, Any]:
    """Views/s, p50 and p95 of a whole view, requests per view for `clients` processes for `seconds` after a
    warm-up, and, given the server's process group and database, the CPU milliseconds per view over the same
    window: gunicorn's processes plus the PostgreSQL backends serving that database (a backend that ends within
    the window takes its CPU with it: with CONN_MAX_AGE the workers keep theirs).

    The warm-up is `warmup_views` views for each of the server's `workers`, done before the clocks start: a fresh
    worker's first view of a heavy page costs about 1.3 s of CPU here (imports, template compilation, the first
    queries' plans), so a fixed warm-up time left some workers cold on a slow page and counted their start."""
    warm(port, cookies, urls, mode, workers, warmup_views)
    start = time.time() + 0.5
    measure_from, end = start, start + seconds
    jobs = [
        (port, cookies[i % len(cookies)], urls, 1000 + i, start, measure_from, end, mode, expected)
        for i in range(clients)
    ]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        pending = pool.map_async(_client, jobs)
        time.sleep(max(0.0, measure_from - time.time()))
        cpu_from = server_cpu_seconds(group) if group else 0.0
        db_from = backend_cpu(db_name) if db_name else {}
        time.sleep(max(0.0, end - time.time()))
        app_used = server_cpu_seconds(group) - cpu_from if group else 0.0
        db_to = backend_cpu(db_name) if db_name else {}
        db_used = sum(cpu - db_from.get(pid, 0.0) for pid, cpu in db_to.items())
        results = pending.get()
    latencies = sorted(lat for res in results for lat in res[0])
    requests = sum(sum(res[1]) for res in results)
    errors = sum(res[2] for res in results)
    statuses: dict[int, int] = {}
    for res in results:
        for code, count in res[3].items():
            statuses[code] = statuses.get(code, 0) + count
    views = len(latencies)
    return {
        "rps": views / seconds,
        "p50": _common.percentile(latencies, 50) * 1000,
        "p95": _common.percentile(latencies, 95) * 1000,
        "errors": errors,
        "statuses": statuses,
        "views": views,
        "requests": requests / views if views else float("nan"),
        "unfinished": sum(res[4] for res in results),
        "cpu_ms": (app_used + db_used) * 1000 / views if group and views else float("nan"),
        "db_ms": db_used * 1000 / views if group and views else float("nan"),
    }
