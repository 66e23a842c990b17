"""One exchange with the team's endpoint held to its limits whatever the server does (docs/team-model.md, "Time").

- **One deadline from connecting.** A timer armed before the request is sent shuts down every socket the client
  opened when the endpoint's timeout has passed: while it connects, while it reads the status line and headers and
  while it reads the body. urllib3's timeouts bound one socket read each, so a server sending a byte every few
  seconds, in the headers or the body, met none of them and held the judging worker for minutes. A socket opened
  after the timer fired (a connection that was still being made) is shut down at once. The sockets are known from
  the client's own connection classes (`watched_pools`).
- **Bytes.** The body is read raw, in parts of READ_BYTES, and decoded here (gzip or deflate, which the request asks
  for; another Content-Encoding is refused): at most MAX_BODY_BYTES from the socket, a larger Content-Length refused
  before anything is read, and at most MAX_BODY_BYTES once inflated, each step inflated with zlib's max_length, so a
  small gzip bomb never grows past the cap in memory (it took 17 s and 2 GB with urllib3's decoding, which inflates
  what it is given whole).
- **JSON** is read by orjson, whose parser refuses nesting deeper than 1,024 levels with a JSONDecodeError (a
  ValueError) where the standard library's decoder raises RecursionError, an error the callers did not expect."""

from __future__ import annotations

import contextlib
import socket
import threading
import zlib
from collections.abc import Iterator
from typing import Any

import orjson
import requests
from requests.adapters import HTTPAdapter

MAX_BODY_BYTES = 2_000_000
READ_BYTES = 65_536
ACCEPT_ENCODING = "gzip, deflate"


class BodyRefused(Exception):
    """The body passes a limit or cannot be decoded: the words say which (the client's TeamModelBadAnswer)."""


class Sockets:
    """The sockets one client opened, and the deadline of the exchange in progress: one exchange at a time (a job's
    client is used by its one thread), so every socket of the client is the exchange's or idle in the pool."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._passed = False

    def opened(self, sock: Any) -> None:
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._open = [s for s in self._open if s.fileno() != -1]
            if sock not in self._open:
                self._open.append(sock)
            passed = self._passed
        if passed:  # connected after the deadline: the exchange is over
            _shut(sock)

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[threading.Event]:
        """Within the block, the exchange; the event is set when the deadline passes, before its sockets are shut
        (so whatever their shutdown breaks is read as the deadline's)."""
        passed = threading.Event()

        def _cut() -> None:
            with self._lock:
                self._passed = True
                sockets = list(self._open)
            passed.set()
            for sock in sockets:
                _shut(sock)

        with self._lock:
            self._passed = False
        timer = threading.Timer(max(seconds, 0.0), _cut)
        timer.daemon = True
        timer.start()
        try:
            yield passed
        finally:
            timer.cancel()


def _shut(sock: socket.socket) -> None:
    # A blocked read or connect wakes at once on shutdown; a socket closed already has nothing to wake.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def watched_pools(session: requests.Session, sockets: Sockets) -> None:
    """Every connection the session's adapters open tells `sockets` of its socket: the pools' connection classes
    (advocacy.fetch_guard's guarded ones, or a proxy manager's, made when the operator's proxy is first used), each
    with one more step after it connected. (The response's own `connection.sock` is no help: http.client lets go of
    it once the headers are read, so a timer that looked for it there shut nothing down.)"""
    for adapter in {id(a): a for a in session.adapters.values()}.values():
        if not isinstance(adapter, HTTPAdapter):
            continue
        _watch(adapter.poolmanager, sockets)
        made = adapter.proxy_manager_for

        def proxy_manager_for(proxy: str, made: Any = made, **kwargs: Any) -> Any:
            return _watch(made(proxy, **kwargs), sockets)

        adapter.proxy_manager_for = proxy_manager_for  # type: ignore[method-assign]


def _watch(manager: Any, sockets: Sockets) -> Any:
    if getattr(manager, "desk_watched", False):
        return manager
    manager.pool_classes_by_scheme = {
        scheme: _watched(pool, sockets) for scheme, pool in manager.pool_classes_by_scheme.items()
    }
    manager.desk_watched = True
    return manager


def _watched(pool: Any, sockets: Sockets) -> Any:
    base = pool.ConnectionCls

    def _new_conn(self: Any) -> socket.socket:
        sock = base._new_conn(self)
        sockets.opened(sock)
        return sock

    connection = type(base.__name__, (base,), {"_new_conn": _new_conn})
    return type(pool.__name__, (pool,), {"ConnectionCls": connection})


class _Inflater:
    """The body's Content-Encoding undone, at most `room` bytes a step (zlib's max_length): never more in memory."""

    def __init__(self, encoding: str) -> None:
        name = encoding.strip().lower()
        if name in ("", "identity"):
            self._wbits: int | None = None
        elif name in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif name == "deflate":
            self._wbits = zlib.MAX_WBITS  # RFC 9110's deflate is zlib's format; a raw stream is tried on its error
        else:
            raise BodyRefused(f"an answer in an encoding the desk does not read ({name[:30]})")
        self._first = True
        self._zlib = zlib.decompressobj(self._wbits) if self._wbits is not None else None

    def feed(self, data: bytes, room: int) -> bytes:
        if self._zlib is None:
            return data
        try:
            return self._inflate(data, room)
        except zlib.error:
            if not (self._first and self._wbits == zlib.MAX_WBITS):
                raise BodyRefused("the compressed answer is broken") from None
            self._wbits = -zlib.MAX_WBITS  # deflate without zlib's header, as some servers send it
            self._zlib = zlib.decompressobj(self._wbits)
            try:
                return self._inflate(data, room)
            except zlib.error:
                raise BodyRefused("the compressed answer is broken") from None
        finally:
            self._first = False

    def _inflate(self, data: bytes, room: int) -> bytes:
        assert self._zlib is not None and self._wbits is not None
        parts: list[bytes] = []
        size = 0
        while data:
            part = self._zlib.decompress(data, room + 1 - size)
            size += len(part)
            parts.append(part)
            if size > room:
                raise BodyRefused(f"an answer over {MAX_BODY_BYTES // 1_000_000} MB once decompressed")
            # All of `data` was taken (max_length was not reached); what is left follows a gzip member's end.
            data = self._zlib.unused_data if self._zlib.eof else b""
            if data:
                self._zlib = zlib.decompressobj(self._wbits)
        return b"".join(parts)

    def finished(self) -> bool:
        return self._zlib is None or self._zlib.eof


def body_read(response: requests.Response, passed: threading.Event) -> bytes:
    """The body, read as it comes until its end, the caps or the deadline (`passed`: then what came, cut)."""
    length = response.headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise BodyRefused(f"an answer over {MAX_BODY_BYTES // 1_000_000} MB")
    inflater = _Inflater(response.headers.get("Content-Encoding", ""))
    parts: list[bytes] = []
    received = size = 0
    for chunk in response.raw.stream(READ_BYTES, decode_content=False):
        received += len(chunk)
        if received > MAX_BODY_BYTES:
            raise BodyRefused(f"an answer over {MAX_BODY_BYTES // 1_000_000} MB")
        part = inflater.feed(chunk, MAX_BODY_BYTES - size)
        size += len(part)
        parts.append(part)
        if passed.is_set():
            break
    if not passed.is_set() and not inflater.finished():
        raise BodyRefused("the compressed answer ended before its end")
    return b"".join(parts)


def json_read(raw: bytes | str) -> Any:
    """The JSON value, or None when it is not JSON (or nests deeper than orjson's 1,024 levels)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
