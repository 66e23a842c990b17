"""The desk's pages as a browser loads them, at 1,000,000 tickets, against gunicorn, beside bare Django, a minimal
signed-in Django project and django-helpdesk, in one run.

1. Loads (or reuses, when it already holds the same number of tickets) a PostgreSQL database with the tickets,
   their messages, events, tags, channels, 20 advocates and a manager (bench/_pages_load.py); people, stories
   and the answers' index come from bench/_pages_people.py.
2. For each entry of bench/_pages_entries.py (every desk page, panel and fragment; a test fails when one is
   missing) starts gunicorn (3 workers, production settings) and runs concurrent clients, each a browser tab
   signed in as the entry's role, for a fixed time. A *view* is the page's request plus every request its HTML
   fires before it is idle (`hx-trigger` with `load`, recursively), in the same session with htmx's headers
   (bench/_pages_view.py); folded parts (`revealed`, `toggle`, clicks) are not fired.
3. Prints per entry: views/s, p50/p95 of the whole view, requests per view, queries per request (counted
   in-process on the same database), server CPU ms per view (gunicorn's processes plus the PostgreSQL backends
   serving its database, over the measured window, divided by the views) and its ratio to bare Django's.
4. The live polls (`hx-trigger="every Ns"`) the page keeps making while open: measured apart, as a tab sends
   them (its ETag, so an unchanged page answers 304), and reported as CPU per minute of an open tab.
5. References in the same run: `bare` (one Django view, no middleware, no database, in the desk's gunicorn) and
   `minimal-db` / `minimal-cookie` (bench/_minimal_project: Django's standard middleware, login_required, a
   small template; sessions in PostgreSQL or signed cookies), served by the same gunicorn setup.
6. Unless --no-helpdesk: django-helpdesk's pages (its own virtualenv and database), and the ratios.

    .venv/bin/python bench/pages.py [--tickets 1000000] [--clients 16] [--seconds 15] [--warmup-views 5] [--pages ...]
                                    [--tree PATH] [--no-polls] [--no-helpdesk] [--reload] [--load-only]

--tree PATH serves (and counts the queries of) another checkout's code against the same database, to compare a
before and an after with one bench. Database: DATABASE_URL, default .../triage_bench_pages; django-helpdesk uses
HELPDESK_DATABASE_URL, default .../triage_bench_helpdesk; the minimal project MINIMAL_DB_NAME, default
triage_bench_minimal.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")


def _tree_argument() -> None:
    """--tree PATH: run again with that checkout's code first on the path (its Django apps, its migrations)."""
    if "--tree" not in sys.argv:
        return
    tree = str(Path(sys.argv[sys.argv.index("--tree") + 1]).resolve())
    if os.environ.get("BENCH_TREE") != tree:
        os.environ["BENCH_TREE"] = tree
        sys.exit(subprocess.run([sys.executable, __file__, *sys.argv[1:]]).returncode)
    sys.path.insert(0, tree)


_tree_argument()
import _common  # noqa: E402  (after --tree has set the code it loads)
from _pages_entries import DEFAULT_ORDER, ENTRIES  # noqa: E402
from _pages_helpdesk import helpdesk_prepare, helpdesk_run  # noqa: E402
from _pages_inprocess import desk_env, desk_queries, minimal_sessions, sample, sessions  # noqa: E402
from _pages_load import load, loaded_size, people  # noqa: E402
from _pages_serve import backends_end, free_port, gunicorn_start, gunicorn_stop, measure  # noqa: E402
from _pages_view import discover_polls  # noqa: E402

REPO = _common.REPO  # the served tree: this checkout, or --tree
WORKERS = 3

HEADER = (
    f"  {'page':<22} {'views/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'req/view':>8} {'q/req':>6}"
    f" {'CPU ms/view':>11} {'(of it PG)':>10} {'x bare':>7} {'errors':>6}"
)


def print_row(name: str, figures: dict[str, Any], queries: list[tuple[str, int, int]] | None, bare: float) -> None:
    per_request = f"{sum(q for _, _, q in queries) / len(queries):.1f}" if queries else "-"
    ratio = f"{figures['cpu_ms'] / bare:7.1f}" if bare and bare == bare else f"{'?':>7}"
    unfinished = f"  ({figures['unfinished']} unanswered at the end)" if figures["unfinished"] else ""
    statuses = f"  statuses {figures['statuses']}" if figures["errors"] else ""
    print(
        f"  {name:<22} {figures['rps']:7.1f} {figures['p50']:7.1f} {figures['p95']:7.1f} {figures['requests']:8.1f}"
        f" {per_request:>6} {figures['cpu_ms']:11.2f} {figures['db_ms']:10.2f} {ratio} {figures['errors']:6d}"
        f"{unfinished}{statuses}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (browser tabs, one process each)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time per page (after the warm-up)")
    parser.add_argument(
        "--warmup-views",
        type=int,
        default=5,
        help="views per gunicorn worker on each freshly started server before measuring (default 5)",
    )
    parser.add_argument(
        "--pages",
        default=",".join(DEFAULT_ORDER),
        help="entries of bench/_pages_entries.py, comma-separated (default: all). floor: a missing ticket's 404, "
        "signed in; bare: one Django view with no middleware and no database in the same gunicorn; minimal-db / "
        "minimal-cookie: the minimal signed-in project (bench/_minimal_project)",
    )
    parser.add_argument("--tree", default="", help="serve this checkout's code (same database): a before/after")
    parser.add_argument("--no-polls", action="store_true", help="skip the live polls' per-minute measurement")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync or gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker with gthread")
    parser.add_argument("--no-helpdesk", action="store_true", help="skip django-helpdesk")
    parser.add_argument("--helpdesk-only", action="store_true", help="measure django-helpdesk alone")
    parser.add_argument(
        "--helpdesk-pages", default="", help="django-helpdesk's pages to measure, comma-separated (default: all)"
    )
    parser.add_argument(
        "--helpdesk-queries", action="store_true", help="count django-helpdesk's queries per page (minutes at 1M)"
    )
    parser.add_argument(
        "--products",
        default="",
        help="measure the pages on a desk of each of these numbers of products in turn, e.g. 1,5,1,5 "
        "(bench/_pages_products.py; the database ends with one product)",
    )
    parser.add_argument("--reload", action="store_true", help="load again even if the size matches")
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args()
    # In-process sessions are signed with the key gunicorn gets, so they are valid there.
    os.environ.setdefault("SECRET_KEY", "bench-pages-not-a-secret")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    _common.setup_django()
    _common.machine_print()
    print(f"code served: {REPO} ({_git_head(REPO)})", flush=True)
    tickets, messages = loaded_size()
    if args.reload or tickets != args.tickets:
        print(f"loading {args.tickets:,} tickets (the database held {tickets:,})", flush=True)
        load(args.tickets)
    else:
        print(f"reusing the loaded {tickets:,} tickets and {messages:,} messages", flush=True)
    hd_db = os.environ.get("HELPDESK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_helpdesk")
    hd_db_name = _common._database_from_url(hd_db)["name"]
    helpdesk = not args.no_helpdesk and helpdesk_prepare(args.tickets, hd_db_name, args.reload)
    if args.load_only:
        return

    workers = ["--workers", str(WORKERS), "--worker-class", args.worker_class, "--threads", str(args.threads)]
    print(f"gunicorn: {WORKERS} workers, {args.worker_class}; {args.clients} clients, {args.seconds:.0f} s per page")
    print("(each page on a freshly started gunicorn, so requests a slow page left queued cannot slow the next)")
    print(f"load avg before: {_common.load_average()}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    wanted = [name for name in args.pages.split(",") if name]
    if args.products and not args.helpdesk_only:
        _products_runs(args, wanted, workers)
    elif not args.helpdesk_only:
        results = desk_run(args, wanted, workers)
    if helpdesk:
        helpdesk_run(args, hd_db_name, workers, results, print_row, HEADER)
    print(f"\nload avg after: {_common.load_average()}", flush=True)


def _products_runs(args: argparse.Namespace, wanted: list[str], workers: list[str]) -> None:
    """The pages on a desk of each number of products in turn (--products 1,5,1,5), then each entry's CPU per view
    with n products over its CPU with one, run by run, so the machine's drift shows beside the difference."""
    from _pages_products import products_set

    counts = [int(n) for n in args.products.split(",") if n.strip()]
    runs: list[tuple[int, dict[str, dict[str, Any]]]] = []
    try:
        for n in counts:
            print(f"\n=== {n} product(s): {products_set(n)}; load avg {_common.load_average()}", flush=True)
            runs.append((n, desk_run(args, wanted, workers)))
    finally:
        if counts and counts[-1] != 1:
            print(f"\nback to one product: {products_set(1)}", flush=True)
    print("\nCPU ms per view by run (products: ms), and each run over the mean of the one-product runs")
    ones = [r for n, r in runs if n == 1]
    for name in wanted:
        base = sum(r[name]["cpu_ms"] for r in ones) / len(ones) if ones else float("nan")
        cells = ", ".join(f"{n}: {r[name]['cpu_ms']:.2f} ({r[name]['cpu_ms'] / base:.2f}x)" for n, r in runs)
        print(f"  {name:<22} {cells}", flush=True)


def _git_head(tree: Path) -> str:
    git = shutil.which("git") or "git"
    done = subprocess.run([git, "-C", str(tree), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return done.stdout.strip()[:80] or "not a git checkout"


def desk_run(args: argparse.Namespace, wanted: list[str], workers: list[str]) -> dict[str, dict[str, Any]]:
    unknown = [name for name in wanted if name not in ENTRIES]
    if unknown:
        sys.exit(f"no such entries: {unknown}; see bench/_pages_entries.py")
    env = desk_env(REPO)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    advocates, manager = people()
    data = sample(args.tickets)
    print(f"sample: {len(data.people)} people, {len(data.stories)} stories", flush=True)
    queries = desk_queries(wanted, data, {"advocate": advocates[0], "manager": manager})
    cookies = {
        "advocate": sessions(advocates),
        "manager": sessions([manager]),
        "none": [""],
        "minimal": minimal_sessions(len(advocates), "db", env),
        "minimal-cookie": minimal_sessions(len(advocates), "cookie", env),
    }
    from django.db import connection

    desk_db = connection.settings_dict["NAME"]
    connection.close()
    minimal_db = os.environ.get("MINIMAL_DB_NAME", "triage_bench_minimal")
    python = Path(sys.executable)
    # The desk's application plus the bare reference page (bench/_bare_wsgi.py); every other path unchanged.
    desk_cmd = [str(python.with_name("gunicorn")), "--pythonpath", f"{REPO},{BENCH}", "_bare_wsgi:application"]
    minimal_cmd = [str(python.with_name("gunicorn")), "--pythonpath", str(BENCH), "_minimal_project.wsgi"]
    log_dir = Path(os.environ["DESK_VAR_DIR"])
    results: dict[str, dict[str, Any]] = {}
    polls: dict[str, tuple[float, dict[str, Any]]] = {}
    print("\ntriage desk, a view = the page and what it fires on load (fragments: one htmx request)")
    print(HEADER)
    for name in wanted:
        entry = ENTRIES[name]
        minimal = entry.role.startswith("minimal")
        cmd, cwd, db_name = (minimal_cmd, BENCH, minimal_db) if minimal else (desk_cmd, REPO, desk_db)
        page_env = {**env, "MINIMAL_SESSIONS": "cookie" if entry.role == "minimal-cookie" else "db"}
        if minimal:  # this process runs with the desk's settings: the minimal project's own, by name
            page_env["DJANGO_SETTINGS_MODULE"] = "_minimal_project.settings"
        port = free_port()
        proc = gunicorn_start(
            [*cmd, *workers, "--bind", f"127.0.0.1:{port}"],
            cwd=cwd,
            env=page_env,
            port=port,
            log=log_dir / "gunicorn-desk.log",
        )
        try:
            urls = entry.urls(data)
            figures = measure(
                port,
                cookies[entry.role],
                urls,
                args.clients,
                args.seconds,
                group=proc.pid,
                db_name=db_name,
                mode=entry.kind,
                expected=entry.status,
                workers=WORKERS,
                warmup_views=args.warmup_views,
            )
            if entry.kind == "page" and not args.no_polls and not minimal and entry.role != "none":
                found = _polls(port, cookies[entry.role], urls, args.clients)
                if found:
                    per_minute = sum(60 / every for _, _, every in found) / min(args.clients, 8)
                    polls[name] = (
                        per_minute,
                        measure(
                            port,
                            cookies[entry.role],
                            found,
                            args.clients,
                            args.seconds,
                            group=proc.pid,
                            db_name=db_name,
                            mode="poll",
                            workers=WORKERS,
                            warmup_views=args.warmup_views,
                        ),
                    )
        finally:
            gunicorn_stop(proc)
            backends_end(db_name)
        results[name] = figures
        bare = results["bare"]["cpu_ms"] if "bare" in results else 0.0
        print_row(name, figures, queries.get(name), bare)
    _print_after(results, polls, queries)
    return results


def _polls(port: int, cookies: list[str], urls: list[str] | str, clients: int) -> list:
    """The polls of a few open tabs (one per client up to 8), each with the ETag its page carried."""
    import random

    from _pages_serve import _draw

    rng = random.Random(7)
    found = []
    for i in range(min(clients, 8)):
        jar = dict(part.split("=", 1) for part in cookies[i % len(cookies)].split("; ") if "=" in part)
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        # Each poll goes with the tab's own session: its ETag is made for that user.
        found += [
            (path, {**headers, "Cookie": cookie}, every)
            for path, headers, every in discover_polls(port, str(_draw(rng, urls)), jar)
        ]
    return found


def _print_after(
    results: dict[str, dict[str, Any]],
    polls: dict[str, tuple[float, dict[str, Any]]],
    queries: dict[str, list[tuple[str, int, int]]],
) -> None:
    bare = results["bare"]["cpu_ms"] if "bare" in results else float("nan")
    if polls:
        print("\nlive polls of an open tab (each poll as the tab sends it: its ETag, so unchanged answers 304)")
        print(f"  {'page':<22} {'polls/min':>9} {'CPU ms/poll':>11} {'CPU ms/min':>10} {'x bare/min':>10}  statuses")
        for name, (per_minute, fig) in polls.items():
            print(
                f"  {name:<22} {per_minute:9.1f} {fig['cpu_ms']:11.2f} {per_minute * fig['cpu_ms']:10.1f}"
                f" {per_minute * fig['cpu_ms'] / bare:10.1f}  {fig['statuses']}",
                flush=True,
            )
    if "bare" in results:
        print("\nCPU per view over bare's, the references and the desk (issue 41's targets are these ratios)")
        print("  " + ", ".join(f"{name} {fig['cpu_ms'] / bare:.1f}x" for name, fig in results.items()))
    if "minimal-db" in results:
        minimal = results["minimal-db"]["cpu_ms"]
        print("\nCPU per view over the minimal signed-in page's (minimal-db; issue 58's targets are these ratios)")
        print("  " + ", ".join(f"{name} {fig['cpu_ms'] / minimal:.2f}x" for name, fig in results.items()))
    if queries:
        print("\nqueries per request of one view (in-process, second view): path status queries")
        for name, done in queries.items():
            print(f"  {name:<22} " + ", ".join(f"{path} {status} {count}" for path, status, count in done))


if __name__ == "__main__":
    main()
