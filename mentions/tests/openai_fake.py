"""A local OpenAI-compatible chat server for the team model's tests (http.server in a thread): the one harness for
the seam between the desk and the team's endpoint (mentions.assistant.client).

The shapes are those documented for `POST /v1/chat/completions`:
- OpenAI's API reference, "Create chat completion" (platform.openai.com/docs/api-reference/chat/create): the
  request's model, messages, temperature, max_tokens, stream and response_format {"type": "json_object"}; the
  answer's choices[0].message.content, finish_reason and usage; streamed, "chat completion chunk" objects as
  server-sent events (`data: {...choices[0].delta.content...}`), ended by `data: [DONE]`; errors as
  {"error": {"message", "type", "code"}} with their status, 429 with Retry-After;
- Ollama's OpenAI compatibility (github.com/ollama/ollama, docs/openai.md) and llama.cpp's server
  (github.com/ggml-org/llama.cpp, tools/server/README.md, "POST /v1/chat/completions"), which serve the same
  shapes (Ollama's ids "chatcmpl-NNN", system_fingerprint "fp_ollama"; chunked transfer for the stream).

Each request is recorded (path, headers, JSON body) so a test can count them and read what left the desk."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

CREATED = 1732600000


def completion(content: str, *, model: str = "llama3.1:8b", prompt_tokens: int = 57, completion_tokens: int = 9):
    """A non-streamed answer, as Ollama's /v1/chat/completions gives it."""
    return {
        "id": "chatcmpl-512",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_ollama",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"},
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def chunk(content: str | None, *, finish: str | None = None, model: str = "llama3.1:8b") -> dict[str, Any]:
    """One streamed part ("chat.completion.chunk"): the first carries the role, the last a finish_reason."""
    delta: dict[str, Any] = {"role": "assistant"}
    if content is not None:
        delta["content"] = content
    return {
        "id": "chatcmpl-512",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_ollama",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def error_body(message: str, kind: str = "server_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


@dataclass
class Reply:
    """How the fake answers one request."""

    status: int = 200
    body: Any = None  # JSON (dict) or bytes as they are
    headers: dict[str, str] = field(default_factory=dict)
    events: list[str] | None = None  # server-sent events' data lines, each sent as one chunk
    delay: float = 0.0  # before the status line
    gap: float = 0.0  # between streamed events


def answer(content: str, **kwargs: Any) -> Reply:
    return Reply(body=completion(content, **kwargs))


def streamed(parts: list[str], *, done: bool = True, gap: float = 0.0) -> Reply:
    events = [json.dumps(chunk(parts[0] if parts else ""))]
    events += [json.dumps(chunk(p)) for p in parts[1:]]
    events.append(json.dumps(chunk(None, finish="stop")))
    if done:
        events.append("[DONE]")
    return Reply(events=events, gap=gap)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any


class FakeOpenAI:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.replies: list[Reply] = []  # taken in order; the last one stays
        self.respond: Callable[[Seen], Reply] | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                fake.seen.append(seen)
                reply = fake._reply(seen)
                # The desk may hang up (its deadline): what a real server meets too.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    fake._send(self, reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def requests(self) -> int:
        return len(self.seen)

    def _reply(self, seen: Seen) -> Reply:
        if self.respond is not None:
            return self.respond(seen)
        if not self.replies:
            return answer("OK")
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.events is not None:
            handler.send_header("Content-Type", "text/event-stream")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            for data in reply.events:
                part = f"data: {data}\n\n".encode()
                handler.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                handler.wfile.flush()
                if reply.gap:
                    time.sleep(reply.gap)
            handler.wfile.write(b"0\r\n\r\n")
            return
        payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body or {}).encode()
        if "Content-Type" not in reply.headers:
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    try:
        yield fake
    finally:
        fake.stop()


class Served(Protocol):
    """A fake endpoint on this machine: this module's, or hostile_fake's raw one."""

    @property
    def base_url(self) -> str: ...


def endpoint_configure(fake: Served, **fields: Any) -> Any:
    """The admin's endpoint row, pointed at the fake, enabled (fields override)."""
    from mentions.models import TeamModelEndpoint

    values: dict[str, Any] = {"enabled": True, "base_url": fake.base_url, "model": "llama3.1:8b", "timeout_seconds": 5}
    values |= fields
    key = str(values.pop("api_key", ""))
    row = TeamModelEndpoint(**values)
    row.api_key = key
    row.save()
    return row
