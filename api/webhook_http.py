"""One POST to a webhook receiver: to the checked address only, within one deadline for the whole exchange.

Why urllib3's connection classes rather than a requests session: a delivery must connect to the address
api.webhook_urls checked (not resolve the name again: DNS rebinding), keep the host name for the Host
header, TLS SNI and certificate checks, follow no redirect, use no proxy from the environment, and be cut
at a deadline that a receiver trickling one byte at a time cannot stretch (a socket timeout is per read,
so a byte every few seconds never trips it). urllib3's HTTPSConnection does the hostname-verified TLS
given a socket; overriding its `_new_conn` gives it the checked socket; a watchdog timer shuts that socket
down at the deadline, which wakes whatever read or write is blocked on it.

Only the answer's status line and headers are read: the log records categories, never the receiver's
body, so there is nothing in the body worth waiting for.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass

import certifi
import urllib3.connection
import urllib3.exceptions
from django.conf import settings

from api.webhook_urls import WebhookTarget

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostResult:
    delivered: bool
    status_code: int | None  # the receiver's HTTP status, when it answered
    category: str  # "" when delivered; else what went wrong, in words safe to show ("timeout", "answered 503")


class _Pinned:
    """Connects to the checked socket addresses, in the resolver's order, within the time left."""

    addresses: tuple[tuple[int, tuple], ...]
    deadline_at: float

    def _new_conn(self) -> socket.socket:
        last: OSError = OSError("no address to connect to")
        for family, sockaddr in self.addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(0.01, self.deadline_at - time.monotonic()))
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                last = exc
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        raise last


class _PinnedHTTPConnection(_Pinned, urllib3.connection.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, urllib3.connection.HTTPSConnection):
    pass


def webhook_post(*, target: WebhookTarget, body: bytes, headers: dict[str, str], deadline: float) -> PostResult:
    """POST `body` to `target`; the whole exchange (connect, TLS, request, the answer's status and
    headers) ends within `deadline` seconds."""
    deadline_at = time.monotonic() + deadline
    if target.scheme == "https":
        conn: _PinnedHTTPConnection | _PinnedHTTPSConnection = _PinnedHTTPSConnection(
            target.host,
            target.port,
            timeout=deadline,
            ca_certs=settings.DESK_WEBHOOK_CA_BUNDLE or certifi.where(),
        )
    else:
        conn = _PinnedHTTPConnection(target.host, target.port, timeout=deadline)
    conn.addresses, conn.deadline_at = target.addresses, deadline_at
    cut = threading.Event()

    def _cut() -> None:
        cut.set()
        sock = conn.sock
        if sock is not None:
            # Wakes the read or write blocked on it in the delivering thread. OSError: already closed (the
            # exchange ended just as the deadline came).
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(deadline, _cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", target.path, body=body, headers={**headers, "Connection": "close"}, preload_content=False)
        status = conn.getresponse().status
    except Exception as exc:  # every failure of the exchange becomes a category and a retry
        category = "timeout" if cut.is_set() else _category(exc)
        logger.info("webhook: POST to %s failed (%s): %s: %s", target.host, category, type(exc).__name__, exc)
        return PostResult(delivered=False, status_code=None, category=category)
    finally:
        watchdog.cancel()
        conn.close()
    if cut.is_set():  # answered, but only as the deadline passed: not trusted to be complete
        return PostResult(delivered=False, status_code=None, category="timeout")
    if 200 <= status < 300:
        return PostResult(delivered=True, status_code=status, category="")
    return PostResult(delivered=False, status_code=status, category=f"answered {status}")


def _category(exc: Exception) -> str:
    if isinstance(exc, TimeoutError | socket.timeout | urllib3.exceptions.TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed without an answer"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError | urllib3.exceptions.SSLError):
        return "TLS error"
    if isinstance(exc, http.client.HTTPException | urllib3.exceptions.ProtocolError):
        return "invalid HTTP answer"
    if isinstance(exc, OSError):
        return "connection failed"
    logger.exception("webhook: unexpected error in a POST")
    return "failed"
