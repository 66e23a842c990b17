"""One request to the team's OpenAI-compatible chat endpoint: POST {base}/chat/completions.

The shapes are OpenAI's API reference for chat completions (platform.openai.com/docs/api-reference/chat), which
Ollama (docs/openai.md), llama.cpp's server (tools/server/README.md) and vLLM (its OpenAI-compatible server) serve:

- request: {"model", "messages": [{"role", "content"}], "temperature", "max_tokens", "stream",
  optionally "response_format": {"type": "json_object"}};
- answer: {"choices": [{"message": {"role": "assistant", "content": "..."}}], "usage": {"prompt_tokens",
  "completion_tokens"}};
- streamed (server-sent events): lines `data: {"choices": [{"delta": {"content": "..."}}]}`, then `data: [DONE]`.
  A server asked to stream that answers plain JSON is read as such.

**Time, bytes, nesting** (`exchange.py`). Connecting may take at most CONNECT_SECONDS (or the whole timeout if
shorter); the whole exchange, from connecting to the body's end (the headers and every streamed part included), is
cut at the endpoint's timeout: past it the connection is shut down from a timer, so a server trickling bytes cannot
hold the worker. At most 2 MB (exchange.MAX_BODY_BYTES) are read and at most as many kept once decompressed; JSON
nested deeper than 1,024 levels is no JSON.

**Where it may connect.** Through the fetch guard (advocacy/fetch_guard.py). The admin's endpoint is often on
this host or the team's network (Ollama beside the worker), which the guard refuses to everyone else: this client,
and only it, may also reach the addresses the configured host itself resolves to when they are loopback, private
or shared (carrier-grade NAT) addresses, never link-local ones (cloud metadata services), multicast or reserved
ones. Redirects are not followed at all (a 3xx is an error), so an answer can never lead it to another host.

**Failures** are one error class each, all TeamModelError, with words safe to log and to show an admin: never the
key, never the body the server sent, never the prompt. Whatever an endpoint makes go wrong below (a broken
connection, a decoder's error, a nesting past the parser's limit) is one of them: `chat` raises nothing else."""

from __future__ import annotations

import http.client
import ipaddress
import time
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings

from advocacy.fetch_guard import FetchRefused, address_refusal, guarded_session, resolve_checked
from mentions.assistant.exchange import (
    ACCEPT_ENCODING,
    BodyRefused,
    Sockets,
    body_read,
    json_read,
    watched_pools,
)
from mentions.models.team_model import OWN_NETWORK_KINDS

CONNECT_SECONDS = 5.0
# What an endpoint can make go wrong below `chat`, each turned into the client's own error: the connection and HTTP
# libraries' errors, a decoder's, a parser's (RecursionError is the standard library's on deep nesting: no JSON is
# read with it here, but nothing an answer does may escape as it).
_BROKEN = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
    ValueError,
    zlib.error,
    RecursionError,
)
_EVERYWHERE = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    model: str
    api_key: str = ""
    timeout: float = 20.0
    stream: bool = False


@dataclass(frozen=True)
class ChatAnswer:
    content: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    streamed: bool = False


class TeamModelError(Exception):
    """The request gave no usable answer; `str()` says why in words safe to log and show (no key, no body)."""

    def __init__(self, said: str, *, status: int | None = None) -> None:
        super().__init__(said)
        self.status = status


class TeamModelTimeout(TeamModelError):
    pass


class TeamModelUnreachable(TeamModelError):
    """No connection: refused, no such host, or refused by the fetch guard."""


class TeamModelRateLimited(TeamModelError):
    """429: `retry_after` seconds the endpoint asked for (None when it gave none)."""

    def __init__(self, said: str, *, retry_after: float | None) -> None:
        super().__init__(said, status=429)
        self.retry_after = retry_after


class TeamModelHTTPError(TeamModelError):
    """Any other status than 200 (a 5xx, a 401, a redirect not followed)."""


class TeamModelBadAnswer(TeamModelError):
    """A 200 whose body is not the documented shape (not JSON, no choices, a stream cut before [DONE])."""


def _allowed_for(base_url: str) -> tuple[str, ...]:
    """DESK_FETCH_ALLOWED_NETWORKS and the configured host's own loopback, private or shared addresses."""
    parts = urlsplit(base_url)
    own: list[str] = []
    port = parts.port or (80 if parts.scheme == "http" else 443)
    try:
        found = resolve_checked(parts.hostname or "", port, _EVERYWHERE)
    except FetchRefused:
        found = []  # no such host: the connection will say so
    for _family, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0])
        refusal = address_refusal(address)
        if refusal and refusal.startswith(OWN_NETWORK_KINDS):
            own.append(f"{address}/{address.max_prefixlen}")
    return (*settings.DESK_FETCH_ALLOWED_NETWORKS, *own)


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds (a number, or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


class TeamModelClient:
    """The endpoint's client for one job (a batch of judgements, a draft): one session, checked connections."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.url = endpoint.base_url.rstrip("/") + "/chat/completions"
        if settings.DESK_DEMO_REPLAY:  # `make run`: answered on this machine, as the platforms are (its docstring)
            from mentions.assistant.demo import demo_session

            self._session = demo_session()
        else:
            self._session = guarded_session(allowed=_allowed_for(endpoint.base_url))
        self._session.headers["User-Agent"] = settings.DESK_USER_AGENT
        self._sockets = Sockets()
        watched_pools(self._session, self._sockets)

    def close(self) -> None:
        self._session.close()

    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> ChatAnswer:
        """The answer, or a TeamModelError (and nothing else) within the endpoint's timeout."""
        endpoint = self.endpoint
        body: dict[str, Any] = {
            "model": endpoint.model,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "stream": endpoint.stream,
        }
        if json_object:
            body["response_format"] = {"type": "json_object"}
        headers = {
            "Accept": "text/event-stream" if endpoint.stream else "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,  # what exchange.body_read decodes, capped
        }
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        with self._sockets.deadline(endpoint.timeout) as passed:
            try:
                raw, events = self._exchange(body, headers, passed)
            except TeamModelError:
                raise
            except _BROKEN as exc:
                if passed.is_set():
                    raise TeamModelTimeout(f"the answer took longer than {endpoint.timeout:g} s") from None
                raise TeamModelUnreachable(f"the connection broke ({type(exc).__name__})") from None
        try:
            return _events_parse(raw) if events else _json_parse(raw)
        except TeamModelError:
            raise
        except _BROKEN as exc:
            raise TeamModelBadAnswer(f"the answer could not be read ({type(exc).__name__})") from None

    def _exchange(self, body: dict[str, Any], headers: dict[str, str], passed: Any) -> tuple[bytes, bool]:
        """The body as it came and whether it is server-sent events, all within the deadline `passed` marks."""
        timeout = self.endpoint.timeout
        try:
            response = self._session.post(
                self.url,
                json=body,
                headers=headers,
                timeout=(min(CONNECT_SECONDS, timeout), timeout),
                stream=True,
                allow_redirects=False,
            )
        except FetchRefused as exc:
            raise TeamModelUnreachable(f"not reached: {exc.category}") from None
        except requests.RequestException as exc:
            if passed.is_set() or isinstance(exc, requests.Timeout):
                raise TeamModelTimeout(f"no answer within {timeout:g} s") from None
            raise TeamModelUnreachable(f"not reached ({type(exc).__name__})") from None
        with response:
            _status_check(response)
            try:
                raw = body_read(response, passed)
            except BodyRefused as exc:
                raise TeamModelBadAnswer(str(exc)) from None
            if passed.is_set():
                raise TeamModelTimeout(f"the answer took longer than {timeout:g} s")
        return raw, "text/event-stream" in response.headers.get("Content-Type", "")


def _status_check(response: requests.Response) -> None:
    status = response.status_code
    if status == 200:
        return
    if status == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        said = "rate limited (429)" + (f", asked to wait {wait:.0f} s" if wait is not None else "")
        raise TeamModelRateLimited(said, retry_after=wait)
    if 300 <= status < 400:
        raise TeamModelHTTPError(f"answered {status}: a redirect, not followed", status=status)
    if status in (401, 403):
        raise TeamModelHTTPError(f"answered {status}: check the API key", status=status)
    if status == 404:
        raise TeamModelHTTPError("answered 404: check the base URL (…/v1) and the model's name", status=status)
    raise TeamModelHTTPError(f"answered {status}", status=status)


def _tokens(usage: Any, name: str) -> int | None:
    value = usage.get(name) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _json_parse(raw: bytes) -> ChatAnswer:
    data = json_read(raw)
    if not isinstance(data, dict):
        raise TeamModelBadAnswer("the answer is not a JSON object")
    choices = data.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise TeamModelBadAnswer("the answer has no choices[0].message.content")
    usage = data.get("usage")
    return ChatAnswer(content, _tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens"))


def _events_parse(raw: bytes) -> ChatAnswer:
    """Server-sent events: each `data:` line a chunk whose choices[0].delta.content is the next part; `[DONE]`
    ends it. Comments (`:`), `event:` and `id:` lines are skipped; a stream without [DONE] was cut."""
    parts: list[str] = []
    usage: Any = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TeamModelBadAnswer("the stream is not UTF-8") from None
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            prompt, completion = _tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens")
            return ChatAnswer("".join(parts), prompt, completion, streamed=True)
        chunk = json_read(payload)
        if not isinstance(chunk, dict):
            raise TeamModelBadAnswer("a streamed part is not a JSON object")
        if "error" in chunk:
            raise TeamModelHTTPError("the stream carried an error")
        usage = chunk.get("usage") or usage
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            raise TeamModelBadAnswer("a streamed part has no choices")
        first = choices[0] if choices else {}
        delta = first.get("delta") if isinstance(first, dict) else None
        content = delta.get("content") if isinstance(delta, dict) else None
        if content is not None and not isinstance(content, str):
            raise TeamModelBadAnswer("a streamed part's delta.content is not text")
        if content:
            parts.append(content)
    raise TeamModelBadAnswer("the stream ended before data: [DONE]")
