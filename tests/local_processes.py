"""What the tests that start a server or a worker of their own need around it: a free local port to give it, and
the worker stopped (killed when it will not stop) with its test queue's leftovers dropped from the broker, a script
run as the desk's own process runs it (`manage.py shell -c`), and a JSON answer from a fake API of the test's own."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A local TCP port nothing listens on (the system's pick, given back for the test's server to take)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_stopped(worker: subprocess.Popen, queue: str) -> None:
    """Stop the Celery worker the test started, killed if it has not stopped in 20 s, and empty its queue."""
    worker.terminate()
    try:
        worker.wait(20)
    except subprocess.TimeoutExpired:
        worker.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)


def manage_shell(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`script` run by `manage.py shell -c` in a process of its own with `env`, its output captured (for a minute
    at most)."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def json_answer(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    """Answer the request `handler` (a fake API's) is serving with `body` as JSON and `status`."""
    payload = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
