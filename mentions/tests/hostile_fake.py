"""A hostile chat endpoint for the team model's client (mentions.assistant.client): a real TCP server on 127.0.0.1 in
a thread that reads one HTTP request per connection, keeps it, and answers it byte by byte as a case says, which
http.server cannot (a status line and headers a byte at a time, a body slower than any read timeout, a gzip bomb).
The one harness for these cases: mentions/tests/test_team_model_hostile.py and bench/model_client_hostile.py.

The well-formed answers are the shapes of mentions/tests/openai_fake.py (OpenAI's "Create chat completion", as
Ollama and llama.cpp's server give it); the hostile ones are what a broken, slow or malicious server can send over
HTTP/1.1 (RFC 9112: status line, headers, a Content-Length or chunked body; RFC 9110's Content-Encoding: gzip)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mentions.tests.openai_fake import completion

Send = Callable[[socket.socket], None]
STOP_AFTER = 120.0  # a trickle never runs longer than this, whoever listens


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class HostileServer:
    """Answers every request with `send(connection)`; `seen` keeps each request as it arrived (path, lower-cased
    headers, the raw body); `hung_up` is set when the client closed the connection before the answer was all sent."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.seen: list[Seen] = []
        self.hung_up = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                self.seen.append(_request_read(conn))
                self.send(conn)
            except (BrokenPipeError, ConnectionResetError):
                self.hung_up.set()
            except (TimeoutError, ValueError):
                return

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._listener.close()


@contextmanager
def hostile(send: Send) -> Iterator[HostileServer]:
    server = HostileServer(send).start()
    try:
        yield server
    finally:
        server.stop()


def _request_read(conn: socket.socket) -> Seen:
    data = b""
    while b"\r\n\r\n" not in data:
        part = conn.recv(65536)
        if not part:
            raise ValueError("the client closed before its request's end")
        data += part
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    while len(body) < length:
        part = conn.recv(65536)
        if not part:
            break
        body += part
    return Seen(path=lines[0].split(" ")[1], headers=headers, body=body)


def head(status: str = "200 OK", *, content_type: str = "application/json", **fields: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _trickle(conn: socket.socket, data: bytes, gap: float) -> None:
    """`data` a byte at a time, `gap` seconds apart: every read the client makes gets a byte well inside its read
    timeout, so only a deadline over the whole exchange ends it."""
    ends = time.monotonic() + STOP_AFTER
    for byte in data:
        conn.sendall(bytes([byte]))
        time.sleep(gap)
        if time.monotonic() > ends:
            return


# --- the cases ------------------------------------------------------------------------------------------------------


def plain(content: str) -> Send:
    """A well-formed answer at once."""
    payload = json.dumps(completion(content)).encode()

    def send(conn: socket.socket) -> None:
        conn.sendall(head(Content_Length=str(len(payload))) + payload)

    return send


def raw_body(payload: bytes, *, content_type: str = "application/json") -> Send:
    """`payload` as the body of a 200, at once, with its Content-Length."""

    def send(conn: socket.socket) -> None:
        conn.sendall(head(content_type=content_type, Content_Length=str(len(payload))))
        conn.sendall(payload)  # apart: no copy of a large body in the server's memory (tests measure the client's)

    return send


def slow_headers(content: str, *, gap: float, header_bytes: int) -> Send:
    """The status line at once, then a header `header_bytes` long a byte every `gap` seconds, then a well-formed
    answer: valid, but only after the headers' trickle."""
    payload = json.dumps(completion(content)).encode()
    rest = head(Content_Length=str(len(payload)), X_Padding="p" * header_bytes)

    def send(conn: socket.socket) -> None:
        line, _, headers = rest.partition(b"\r\n")
        conn.sendall(line + b"\r\n")
        _trickle(conn, headers, gap)
        conn.sendall(payload)

    return send


def slow_body(content: str, *, gap: float) -> Send:
    """The headers at once, then a well-formed answer a byte every `gap` seconds."""
    payload = json.dumps(completion(content)).encode()

    def send(conn: socket.socket) -> None:
        conn.sendall(head(Content_Length=str(len(payload))))
        _trickle(conn, payload, gap)

    return send


def gzip_bomb_bytes(megabytes: int) -> bytes:
    """`megabytes` MB of spaces (valid JSON whitespace) gzipped: about a thousandth of that on the wire."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * 1_000_000
    parts = [squeeze.compress(block) for _ in range(megabytes)]
    parts.append(squeeze.flush())
    return b"".join(parts)


def gzipped(payload: bytes) -> Send:
    """`payload` as a gzip-encoded body, with the compressed Content-Length."""

    def send(conn: socket.socket) -> None:
        conn.sendall(head(Content_Encoding="gzip", Content_Length=str(len(payload))))
        conn.sendall(payload)

    return send


def gzip_of(data: bytes) -> bytes:
    return gzip.compress(data)


def chunked(payload: bytes, *, chunk: int = 65536) -> Send:
    """`payload` in chunks (Transfer-Encoding: chunked): no Content-Length to refuse it by."""

    def send(conn: socket.socket) -> None:
        conn.sendall(head(Transfer_Encoding="chunked"))
        for start in range(0, len(payload), chunk):
            part = payload[start : start + chunk]
            conn.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        conn.sendall(b"0\r\n\r\n")

    return send


def big_answer(megabytes: int) -> bytes:
    """A well-formed completion whose content is `megabytes` MB of text."""
    return json.dumps(completion("x" * (megabytes * 1_000_000))).encode()


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth
