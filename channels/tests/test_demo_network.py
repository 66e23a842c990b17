"""The demo desk's network (channels.demo.replay.DemoNetwork, mounted by channels.http.build_session when
DESK_DEMO_REPLAY is on): a host outside this machine that no replay answers is refused, this machine is still
reached; with the setting off the sessions are the ordinary ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.test import override_settings

from channels.demo.replay import DemoNetwork
from channels.http import build_session


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"local {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet


@pytest.fixture
def local_server() -> Iterator[str]:
    """A tiny HTTP server on a free port of 127.0.0.1, in a thread; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def demo_adapters(session: requests.Session) -> list[DemoNetwork]:
    return [adapter for adapter in session.adapters.values() if isinstance(adapter, DemoNetwork)]


@override_settings(DESK_DEMO_REPLAY=True)
def test_the_demo_session_refuses_an_outside_host_and_reaches_this_machine(local_server):
    session = build_session()
    assert len({id(a) for a in demo_adapters(session)}) == 1
    assert {prefix for prefix, a in session.adapters.items() if isinstance(a, DemoNetwork)} == {"http://", "https://"}

    # Refused by the demo network itself (its words), not by a network that happens to be unreachable.
    with pytest.raises(requests.ConnectionError, match=r"no connection outside this machine \(example\.org\)"):
        session.get("https://example.org/", timeout=5)
    with pytest.raises(requests.ConnectionError, match=r"no connection outside this machine \(example\.org\)"):
        session.get("http://example.org/plain-http", timeout=5)

    answer = session.get(f"{local_server}/hello", timeout=5)
    assert answer.status_code == 200 and answer.text == "local /hello"


@override_settings(DESK_DEMO_REPLAY=False)
def test_without_the_demo_no_demo_network_is_mounted():
    session = build_session()
    assert demo_adapters(session) == []
    assert all(isinstance(a, requests.adapters.HTTPAdapter) for a in session.adapters.values())
