"""Every place the server opens a connection of its own, listed: a new HTTP client, session, socket or mail
connection outside the fetch guard (advocacy/fetch_guard.py) fails here until it goes through the guard or is
added below with the reason it need not.

Reads the project's own source (tests, benchmarks and migrations are not the server).
No payloads are involved.
"""

from __future__ import annotations

import re
from pathlib import Path

import requests

from advocacy.fetch_guard import GuardedAdapter
from channels.http import build_session

ROOT = Path(__file__).resolve().parent.parent

# What opens a connection: an HTTP client or session, a bare transport, a socket, a mail or websocket client.
OPENS_A_CONNECTION = re.compile(
    r"\brequests\.(get|post|put|patch|delete|head|options|request|Session|session)\("
    r"|\burlopen\(|\burllib\.request\b|\bhttpx\b|\baiohttp\b|\bpycurl\b"
    r"|\burllib3\.(PoolManager|ProxyManager|HTTPConnectionPool|HTTPSConnectionPool|connection_from_url|request)\b"
    r"|\burllib3\.connection\.HTTPS?Connection\b|\bhttp\.client\.HTTPS?Connection\b"
    r"|\bsocket\.(socket|create_connection)\(|\bHTTPAdapter\("
    r"|\bimaplib\.IMAP4(_SSL)?\(|\bsmtplib\.SMTP(_SSL)?\(|\bftplib\b|\bpoplib\b|\btelnetlib\b"
    r"|\b(Async)?WebClient\(|\bSocketModeClient\(|\bwebsockets\.(sync\.)?client\b|\bwebsockets\.connect\b"
)

# (file, what it opens, why it is not a bypass). Anything found and not listed fails the test.
LISTED: dict[str, tuple[str, str]] = {
    "advocacy/fetch_guard.py": ("the guard itself", "its session, pinned connections and checked sockets"),
    "api/webhook_http.py": (
        "urllib3 connections on sockets it opens",
        "it connects only to the addresses api.webhook_urls had the guard resolve and check (resolve_checked)",
    ),
    "channels/adapters/discord/gateway.py": (
        "Discord's gateway websocket",
        "its URL comes from Discord's own answer (GET /gateway/bot through the guarded session) and ws_url "
        "takes only wss://, or ws:// on this machine for a local fake: nothing an admin or author types",
    ),
    "slackapp/socket_mode.py": (
        "slack_sdk's WebClient and Socket Mode websocket",
        "SLACK_API_URL is an operator's environment setting (default https://slack.com/api), never edited in "
        "the desk; the websocket URL is Slack's answer",
    ),
}


SKIPPED_DIRS = {".git", ".venv", "node_modules", "var", "test-artifacts", "tests", "bench", "migrations"}


def _sources() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts[:-1])
    )


def _openers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _sources():
        for number, line in enumerate((ROOT / path).read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if OPENS_A_CONNECTION.search(code):
                found.setdefault(path, []).append(f"{number}: {line.strip()}")
    return found


def test_every_connection_the_server_opens_goes_through_the_fetch_guard_or_is_listed_with_its_reason():
    found = _openers()
    for path, lines in sorted(found.items()):
        print(f"{path}: {LISTED.get(path, ('NOT LISTED', ''))[0]}")
        for line in lines:
            print(f"    {line}")
    unlisted = {path: lines for path, lines in found.items() if path not in LISTED}
    assert unlisted == {}, "a connection outside the fetch guard: use advocacy.fetch_guard (guarded_session,"
    " connect_checked), or list it here with why it cannot reach an address someone else chose"
    assert sorted(path for path in LISTED if path not in found) == []  # a listing outlives its code: remove it


def test_the_desk_sessions_mount_only_the_guard():
    """build_session (platforms, feeds, knowledge sources) mounts the guard for both schemes; requests' own
    plain transport, which would resolve and connect unchecked, is nowhere in it."""
    session = build_session()
    assert {prefix: type(adapter) for prefix, adapter in session.adapters.items()} == {
        "https://": GuardedAdapter,
        "http://": GuardedAdapter,
    }
    assert type(requests.Session().adapters["https://"]) is requests.adapters.HTTPAdapter  # what it replaces


def test_the_pattern_finds_what_it_is_for():
    """The scan is only as good as its pattern: each kind of opener it must catch."""
    for line in [
        "response = requests.get(url)",
        "requests.post(self.url, json=body)",
        "session = requests.Session()",
        "with urllib.request.urlopen(url) as answer:",
        "import httpx",
        "pool = urllib3.PoolManager()",
        "conn = http.client.HTTPSConnection(host)",
        "sock = socket.create_connection((host, port))",
        "session.mount('https://', HTTPAdapter())",
        "imap = imaplib.IMAP4_SSL(host)",
        "smtp = smtplib.SMTP(host)",
        "client = WebClient(token=token)",
    ]:
        assert OPENS_A_CONNECTION.search(line), line
