"""The demo's team model: `POST https://team-model.demo.invalid/v1/chat/completions` answered on this machine, as the
demo network answers the platforms (channels.demo.replay), so `make run` shows drafts, summaries and second opinions
without a model, a GPU or a connection.

With DESK_DEMO_REPLAY the team model's client (mentions.assistant.client) takes its session from `demo_session`:
the demo endpoint's address (mentions.models.team_model.DEMO_BASE_URL, which seed_demo configures) is answered by
`TeamModelReplay`, every other address by the demo network (a host on this machine is connected to, so a team may
still try its own Ollama on a demo desk; any other is refused, as for the platforms). Nothing is resolved or
connected for the demo's endpoint.

The shapes are the ones the client reads, from OpenAI's API reference for chat completions
(platform.openai.com/docs/api-reference/chat/object and /chat/streaming), as Ollama serves them
(docs/openai.md; mentions/tests/openai_fake.py is the tests' fake of the same): an answer's id, object, created,
model, choices[0].message.content and finish_reason; streamed ("stream": true), one chat.completion.chunk per line
of the answer as server-sent events ended by `data: [DONE]`; errors as {"error": {"message", "type", "param",
"code"}}: 404 model_not_found for another model's name (the demo answers only as DEMO_MODEL, so whatever the pages
show as the demo's was the demo's), 400 for a request that is none of the desk's, 404 for another path. No `usage`:
the demo counts no tokens, and says none. The answers themselves are composed (mentions.assistant.demo_answers)."""

from __future__ import annotations

import hashlib
import io
import json
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse

from advocacy.fetch_guard import guarded_session
from channels.demo.replay import LOCAL_HOSTS, DemoNetwork
from channels.demo.replay_kit import Asked
from mentions.assistant.demo_answers import content_for
from mentions.models.team_model import DEMO_BASE_URL, DEMO_MODEL

_BASE = urlsplit(DEMO_BASE_URL)
ORIGIN = f"{_BASE.scheme}://{_BASE.netloc}"
PATH = _BASE.path.rstrip("/") + "/chat/completions"
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


def _error(status: int, message: str, kind: str = "invalid_request_error", code: str | None = None) -> tuple:
    return status, {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _events(ident: str, content: str) -> bytes:
    """The answer streamed: the role, then each line of it, then the finish, then [DONE]."""

    def chunk(delta: dict[str, str], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        body = {"id": ident, "object": "chat.completion.chunk", "model": DEMO_MODEL, "choices": [choice]}
        return "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"

    parts = [chunk({"role": "assistant", "content": ""})]
    parts += [chunk({"content": line}) for line in content.splitlines(keepends=True)]
    parts += [chunk({}, "stop"), "data: [DONE]\n\n"]
    return "".join(parts).encode()


def demo_answer(asked: Asked) -> tuple[int, Any, str]:
    """(status, body, content type) for one request to the demo's endpoint."""
    if asked.path.rstrip("/") != PATH:
        status, body = _error(404, f"no route {asked.path} on the demo's model", code="not_found")
        return status, body, "application/json"
    if asked.method != "POST":
        status, body = _error(405, "only POST", code="method_not_allowed")
        return status, body, "application/json"
    sent = asked.json
    if sent.get("model") != DEMO_MODEL:
        status, body = _error(404, f"The model `{sent.get('model')}` does not exist", code="model_not_found")
        return status, body, "application/json"
    messages = sent.get("messages")
    listed = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    json_object = sent.get("response_format") == {"type": "json_object"}
    content = content_for(listed, json_object=json_object)
    if content is None:
        status, body = _error(400, "the demo's model answers the desk's own requests only")
        return status, body, "application/json"
    # The same request, the same id: the demo's answers are a function of what was asked.
    ident = "chatcmpl-demo-" + hashlib.sha256(asked.body).hexdigest()[:12]
    if sent.get("stream") is True:
        return 200, _events(ident, content), "text/event-stream"
    choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    answer = {"id": ident, "object": "chat.completion", "created": int(time.time()), "model": DEMO_MODEL}
    return 200, answer | {"choices": [choice]}, "application/json"


class _Body(io.BytesIO):
    """The answer's bytes as a socket's file gives them: closed once read to the end, which is how urllib3 knows
    a body read in one go (`stream(None)`, the client's) is over."""

    def __init__(self, payload: bytes) -> None:
        super().__init__(payload)
        self.length = len(payload)

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if self.tell() >= self.length:
            self.close()
        return data


class TeamModelReplay(HTTPAdapter):
    """requests' transport for the demo endpoint's origin: the answer is made here, read by the client through
    urllib3's response as from a socket (streamed, in parts), and nothing is connected."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        status, body, kind = demo_answer(Asked(request))
        payload = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        raw = HTTPResponse(
            body=_Body(payload),
            headers={"Content-Type": kind, "Content-Length": str(len(payload))},
            status=status,
            reason=_REASONS.get(status, ""),
            preload_content=False,
            request_method=request.method,
            request_url=request.url,
        )
        return self.build_response(request, raw)


def demo_session() -> requests.Session:
    """The team model client's session on a demo desk (the module docstring)."""
    session = guarded_session()
    network = DemoNetwork()
    session.mount("http://", network)
    session.mount("https://", network)
    session.mount(ORIGIN + "/", TeamModelReplay())
    # A model on this machine (a team trying its Ollama on the demo) through the demo network's own guarded adapter,
    # mounted here so the client's deadline watches its connections as any other's (exchange.watched_pools).
    for host in LOCAL_HOSTS:
        for scheme in ("http", "https"):
            address = f"{scheme}://{f'[{host}]' if ':' in host else host}"
            session.mount(address + ":", network.local)
            session.mount(address + "/", network.local)
    return session
