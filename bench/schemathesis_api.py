"""The long schemathesis run: every operation of the REST API against its own OpenAPI schema, every check.

Serves the desk (the WSGI app, threaded as runserver does) on a free local port over a small seeded desk
(api/tests/schema_data.py: a manager's read-write token, channels, tickets with messages and history, a
macro, a view), then runs schemathesis's own command line against /api/schema/ with `--checks all` and
the hooks of api/tests/schemathesis_hooks.py (the date rules OpenAPI cannot state), and prints its
output, whose last line is its summary. The suite runs a short version of the same thing
(api/tests/test_schema.py); this one is for many examples per operation, by hand:

    .venv/bin/python bench/schemathesis_api.py [--max-examples 200] [--seed 1] [-- extra schemathesis options]

It empties every table of its database first (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/triage_bench_api, created and migrated when missing): the fuzzer writes
notes, statuses and assignments. The rate limit is raised for the run (the fuzzer is one user making
thousands of requests); everything else is the production settings' defaults. Exit status: schemathesis's.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/triage_bench_api"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=200, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=1, help="schemathesis's random seed (a run is repeatable)")
    parser.add_argument("extra", nargs="*", help="more schemathesis options, after --")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DESK_API_RATE", "1000000/min")
    # A manager without the staff flag: the fuzzer's token is refused nothing for want of two-factor.
    warnings.filterwarnings("ignore", "No directory at")  # collected static files: the API serves none
    _common.setup_django()
    _common.machine_print()

    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from api.tests.schema_data import fuzz_desk_create

    call_command("flush", interactive=False, verbosity=0)
    desk = fuzz_desk_create()

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *a: object) -> None:  # thousands of requests: schemathesis reports them
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())  # (sets logging up again: the level below comes after)
    # Thousands of 4xx answers are the point of the run: not one log line each. A 5xx still logs (ERROR).
    logging.getLogger("django.request").setLevel(logging.ERROR)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/schema/?format=json"
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(Path(__file__).resolve().parent / "schemathesis.toml"),
        "run",
        url,
        "--checks",
        "all",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        # One worker: hypothesis describes its strategies with Python's ast, which is not thread-safe on
        # Python 3.11 (a "recursion depth mismatch" SystemError with two workers).
        "--workers",
        "1",
        "--generation-database",
        "none",
        *args.extra,
    ]
    print("$", " ".join(command), "-H 'Authorization: Bearer …'", flush=True)
    try:
        # The token is a throwaway one of this database, passed in the header schemathesis sends.
        hooks = {"SCHEMATHESIS_HOOKS": str(_common.REPO / "api" / "tests" / "schemathesis_hooks.py")}
        return subprocess.call([*command, "-H", f"Authorization: Bearer {desk.secret}"], env={**os.environ, **hooks})
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
