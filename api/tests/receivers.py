"""The outgoing-webhook tests' one harness: real HTTP receivers on real sockets (http.server in threads),
a resolver answering at the operating-system boundary (socket.getaddrinfo) for names the tests make up,
and the environment a subprocess (a Celery worker, a worker to kill) needs to use this test database.

What a receiver does with a delivery follows the Standard Webhooks specification
(https://www.standardwebhooks.com/, "Verifying webhooks"): verify webhook-signature with the shared
secret using the `standardwebhooks` library, and process each webhook-id once.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when the request had been read
    server: tuple  # the (address, port) it arrived on


@dataclass
class Receiver:
    """A receiver on `host`:`port` (0: any free port). mode: "answer" (`status` with `headers`),
    "trickle" (the status line, then one byte of a header every `trickle_every` seconds, forever),
    "hold" (waits until `release` is set, then answers)."""

    host: str = "127.0.0.1"
    port: int = 0
    mode: str = "answer"
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    status_for: Callable[[Received], int] | None = None  # decides the status per request, when given
    tls: ssl.SSLContext | None = None  # serve HTTPS with this context
    server_names: list[str | None] = field(default_factory=list)  # the TLS SNI each client asked for
    trickle_every: float = 2.0
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    trickle_ended_at: float | None = None
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                address = self.server.server_address
                assert isinstance(address, tuple)  # an IP server's (host, port)
                request = Received(self.path, dict(self.headers.items()), body, time.monotonic(), address)
                receiver.requests.append(request)
                receiver.arrived.set()
                if receiver.mode == "trickle":
                    self._trickle()
                    return
                if receiver.mode == "hold":
                    receiver.release.wait(60)
                self.send_response(receiver.status_for(request) if receiver.status_for else receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _trickle(self) -> None:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                try:
                    while True:
                        self.wfile.write(b"z")
                        self.wfile.flush()
                        time.sleep(receiver.trickle_every)
                except OSError:  # the desk hung up
                    receiver.trickle_ended_at = time.monotonic()
                    self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_class = type("Server", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True})
        self._server = server_class((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        if self.tls is not None:
            self.tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, *, host: str | None = None, path: str = "/hook") -> str:
        host = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"


def verified(request: Received, secret: str) -> dict:
    """What a receiver does first: the standardwebhooks library checks the signature and timestamp."""
    key = secret if secret.startswith("whsec_") else secret.encode()
    return Webhook(key).verify(request.body, request.headers)


def processed_once(requests: list[Received]) -> list[str]:
    """What a deduplicating receiver keeps: each webhook-id's first arrival, in arrival order."""
    seen: list[str] = []
    for request in requests:
        if request.headers["webhook-id"] not in seen:
            seen.append(request.headers["webhook-id"])
    return seen


class Resolver:
    """socket.getaddrinfo for made-up names: `answers[name]` is a list of addresses, or a callable giving
    one per call (to change the answer between the check and the connection). Any other name is asked
    of the real resolver. `calls` records every name asked."""

    def __init__(self, real) -> None:
        self.real = real
        self.answers: dict[str, list[str] | Callable[[], list[str]]] = {}
        self.calls: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        self.calls.append(name)
        if name not in self.answers:
            return self.real(host, port, *args, **kwargs)
        answer = self.answers[name]
        addresses = answer() if callable(answer) else answer
        out: list[tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]] = []
        for address in addresses:
            if ":" in address:
                out.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port), 0, 0)))
            else:
                out.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port))))
        return out


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess that works on this test run's database."""
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(
        DJANGO_SETTINGS_MODULE="advocacy.settings_test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        **extra,
    )
    return env
