"""Issue 11, defect 9: secrets never reach a log, at any level (advocacy/logging.py)."""

import http.server
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from advocacy.logging import REDACTED, RedactSecrets, redact, redaction_install

ROOT = Path(__file__).resolve().parents[1]
DISQUS_KEY = "Hq2ZtYdVUzK5mHbDisqusPublicKey0123456789abcdefABCDEF"
SE_KEY = "U4DMV*8nvpm3EOpvf69Rxw(("
SE_TOKEN = "pTzWx3Q8b7d(r1sStackToken))"  # noqa: S105 (a made-up token the test looks for)
URLLIB3_FORMAT = '%s://%s:%s "%s %s %s" %s %s'  # urllib3.connectionpool's request line


def _urllib3_record(url: str) -> logging.LogRecord:
    return logging.LogRecord(
        "urllib3.connectionpool",
        logging.DEBUG,
        "connectionpool.py",
        546,
        URLLIB3_FORMAT,
        ("https", "disqus.com", 443, "GET", url, "HTTP/1.1", 200, None),
        None,
    )


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        (f"/api/3.0/forums/listPosts.json?forum=gitlab&api_key={DISQUS_KEY}&limit=100", [DISQUS_KEY]),
        (f"/2.3/search/excerpts?site=stackoverflow&key={SE_KEY}&access_token={SE_TOKEN}", [SE_KEY, SE_TOKEN]),
        ("/x?api_secret=s1&client_secret=s2&token=s3&password=s4&sig=s5", ["s1", "s2", "s3", "s4", "s5"]),
    ],
)
def test_a_urllib3_request_line_is_logged_without_its_secrets(url, secrets):
    record = _urllib3_record(url)
    assert RedactSecrets().filter(record) is True  # redacted, never dropped
    message = record.getMessage()
    for secret in secrets:
        assert secret not in message
        assert all(secret not in str(a) for a in record.args or ())
    assert message.startswith('https://disqus.com:443 "GET /')
    assert REDACTED in message and message.endswith('HTTP/1.1" 200 None')


def test_authorization_headers_tracebacks_and_urls_with_passwords_are_redacted():
    assert redact("{'Authorization': 'Bearer AAAAtwitterBearer'}") == "{'Authorization': 'Bearer [redacted]'}"
    assert redact("Authorization: Basic dXNlcjpwYXNz") == "Authorization: Basic [redacted]"
    assert redact('{"client_secret": "abc", "id": 5}') == '{"client_secret": "[redacted]", "id": 5}'
    assert redact("imaps://desk:hunter2@imap.example.com/") == "imaps://desk:[redacted]@imap.example.com/"
    assert redact("posting with xoxb-1234-5678-abcdef") == f"posting with {REDACTED}"
    # Ordinary words and longer names stay.
    assert redact("cache key: poll:42 monkey=banana keyboard=1") == "cache key: poll:42 monkey=banana keyboard=1"

    try:
        raise ConnectionError(f"Max retries exceeded with url: /api/3.0/posts/list.json?api_key={DISQUS_KEY}")
    except ConnectionError:
        record = logging.LogRecord("channels", logging.ERROR, "x.py", 1, "poll failed", (), sys.exc_info())
    RedactSecrets().filter(record)
    assert record.exc_text is not None
    assert DISQUS_KEY not in record.exc_text and "api_key=[redacted]" in record.exc_text


def test_the_settings_put_the_filter_on_every_handler():
    from django.conf import settings

    config: dict[str, Any] = settings.LOGGING
    assert config["filters"]["redact_secrets"] == {"()": "advocacy.logging.RedactSecrets"}
    for name, handler in config["handlers"].items():
        assert "redact_secrets" in handler.get("filters", []), name


def test_the_celery_worker_handlers_get_the_filter_too():
    """Celery's worker replaces the root handlers with its own; its logging signals install the filter."""
    from celery.signals import after_setup_logger

    import advocacy.celery  # noqa: F401  (connects the signal handlers)

    logger = logging.getLogger("test.celery.worker")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        after_setup_logger.send(
            sender=None, logger=logger, loglevel=logging.DEBUG, logfile=None, format="", colorize=False
        )
        assert [type(f) for f in handler.filters] == [RedactSecrets]
        redaction_install(logger)  # idempotent
        assert len(handler.filters) == 1
    finally:
        logger.removeHandler(handler)


class _Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"code": 0, "response": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


SCRIPT = """
import logging, sys, requests
logging.getLogger("probe").debug("probe: debug logging is on")
session = requests.Session()
*urls, dead = sys.argv[1:]
for url in urls:
    session.get(url, headers={"Authorization": "Bearer TWITTER-BEARER-SECRET"}, timeout=10).raise_for_status()
try:
    session.get(dead, timeout=5)  # refused: requests' error names the URL, query string included
except requests.ConnectionError:
    logging.getLogger("channels.services").exception("poll failed")
"""


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_real_request_at_log_level_debug_leaves_no_key_in_the_log(tmp_path):
    """A real HTTP request through requests/urllib3 to a local server, the desk's LOGGING at
    LOG_LEVEL=DEBUG: urllib3 logs the request line, and the keys in it are redacted."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    urls = [
        f"http://127.0.0.1:{port}/api/3.0/forums/listPosts.json?forum=gitlab&api_key={DISQUS_KEY}",
        f"http://127.0.0.1:{port}/2.3/questions?site=stackoverflow&key={SE_KEY}&access_token={SE_TOKEN}",
        f"http://127.0.0.1:{_closed_port()}/api/3.0/posts/list.json?api_key={DISQUS_KEY}",
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", DESK_VAR_DIR=str(tmp_path), LOG_LEVEL="DEBUG")
    try:
        code = "import django; django.setup()\n" + SCRIPT
        result = subprocess.run(
            [sys.executable, "-c", code, *urls], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert "probe: debug logging is on" in log  # DEBUG records reach the console handler
    assert f'"GET /api/3.0/forums/listPosts.json?forum=gitlab&api_key={REDACTED} HTTP/1.1" 200' in log
    assert f'"GET /2.3/questions?site=stackoverflow&key={REDACTED}&access_token={REDACTED} HTTP/1.1" 200' in log
    assert "poll failed" in log and "Max retries exceeded with url: /api/3.0/posts/list.json?api_key=[redacted]" in log
    for secret in (DISQUS_KEY, SE_KEY, SE_TOKEN, "TWITTER-BEARER-SECRET"):
        assert secret not in log


@pytest.mark.django_db
def test_a_403_is_a_one_line_warning_without_a_traceback_and_a_500_keeps_its_traceback(caplog):
    """`make run`'s log stays free of tracebacks when an advocate opens a manager's page."""
    from django.test import Client

    from mentions.tests.factories import AdvocateFactory

    client = Client()
    client.force_login(AdvocateFactory())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/kpi/").status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING and "Forbidden" in record.getMessage()
    assert record.exc_info is None and not record.exc_text

    error = logging.getLogger("django.request").makeRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), (ValueError, ValueError("x"), None)
    )
    logging.getLogger("django.request").filter(error)
    assert error.exc_info is not None
