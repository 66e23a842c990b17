"""The HTTP edge shared by platform clients: one session per client, a timeout on every
call, a descriptive User-Agent, and status codes mapped to what the poller should do."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from django.conf import settings

from advocacy.fetch_guard import FetchRefused, GuardedAdapter, guarded_session
from channels.adapters.base import AuthError, PayloadError, PermanentError, RateLimited, TransientError
from channels.text import clean_text

if TYPE_CHECKING:
    from channels.models import Channel

T = TypeVar("T")


class _Redirected(GuardedAdapter):
    """Sends what was addressed to a platform's `prefix` to `target` instead (a sandbox, a local fake), through
    the same guard: a local target's network is listed in DESK_FETCH_ALLOWED_NETWORKS."""

    def __init__(self, prefix: str, target: str) -> None:
        super().__init__()
        self.prefix, self.target = prefix, target

    # `*args, **kwargs`: whatever the session passes (stream, timeout, verify...) goes on unchanged.
    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        assert request.url is not None  # the session prepared it, and preparing sets the URL
        request.url = self.target + request.url[len(self.prefix) :]
        return super().send(request, *args, **kwargs)


def build_session() -> requests.Session:
    """A session for the platforms, feeds and sources: every connection it opens, redirects included, goes
    through the fetch guard (advocacy.fetch_guard)."""
    session = guarded_session()
    session.headers["User-Agent"] = settings.DESK_USER_AGENT
    session.headers["Accept"] = "application/json"
    # DESK_PLATFORM_URL_OVERRIDES: a platform's API reached at another address, e.g. a staging
    # desk against a platform's sandbox, or the end-to-end tests against a local fake of X.
    for prefix, target in settings.DESK_PLATFORM_URL_OVERRIDES.items():
        session.mount(prefix, _Redirected(prefix, target))
    if settings.DESK_DEMO_REPLAY:  # `make run`: the platforms answered on this machine (channels.demo.replay)
        from channels.demo.replay import DemoNetwork

        network = DemoNetwork()
        session.mount("http://", network)
        session.mount("https://", network)
    return session


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def get_json(session: requests.Session, url: str, *, params: dict[str, Any] | None = None) -> Any:
    try:
        response = session.get(url, params=params, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS)
    except FetchRefused as exc:  # the channel's address, not the network: asking again changes nothing
        raise PermanentError(f"{url}: {exc}") from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
    status = response.status_code
    if status == 429:
        raise RateLimited(f"{url}: HTTP 429 Too Many Requests", retry_after=_retry_after(response))
    if status in (401, 403):
        raise AuthError(f"{url}: HTTP {status} {response.reason}: check the channel's credentials")
    http_errors_check(response, url)
    return json_of(response, url)


def http_errors_check(response: requests.Response, label: str) -> None:
    """A 5xx is a TransientError, any other 4xx a PermanentError (our request is wrong, usually the channel's
    config: asking again unchanged would fail the same way); `label` names the call."""
    status = response.status_code
    if status >= 500:
        raise TransientError(f"{label}: HTTP {status} {response.reason}")
    if status >= 400:
        raise PermanentError(f"{label}: HTTP {status} {response.reason}: {response.text[:300]}")


def json_of(response: requests.Response, label: str) -> Any:
    """The response's JSON; a body that is not JSON, or is nested thousands deep (no platform sends that), is
    a PayloadError naming `label`."""
    try:
        return response.json()
    except RecursionError as exc:
        raise PayloadError(f"{label}: response nested too deeply to read") from exc
    except ValueError as exc:
        raise PayloadError(f"{label}: response is not JSON ({response.text[:120]!r})") from exc


def json_or_none(response: requests.Response) -> tuple[Any, bool]:
    """(the response's JSON, False); (None, False) for a body that is not JSON; (None, True) for JSON nested
    thousands deep. For a client that reads the platform's error body before deciding what a status means."""
    try:
        return response.json(), False
    except ValueError:
        return None, False
    except RecursionError:
        return None, True


def get_or_transient(
    session: requests.Session, url: str, *, label: str, undecodable_is_payload: bool = False, **options: Any
) -> requests.Response:
    """`session.get` with the desk's timeout; a timeout or a network failure is a TransientError naming `label`
    (never the URL, which may carry a key). With `undecodable_is_payload`, a body that cannot be uncompressed
    is a PayloadError."""
    try:
        return session.get(url, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS, **options)
    except requests.Timeout:
        raise TransientError(f"{label}: timed out after {settings.DESK_HTTP_TIMEOUT_SECONDS:g}s") from None
    except FetchRefused as exc:
        raise PermanentError(f"{label}: {exc}") from None
    except requests.exceptions.ContentDecodingError as exc:
        if undecodable_is_payload:
            raise PayloadError(f"{label}: the compressed response could not be decoded") from None
        raise TransientError(f"{label}: network error ({exc.__class__.__name__})") from None
    except requests.RequestException as exc:
        raise TransientError(f"{label}: network error ({exc.__class__.__name__})") from None


def credential_of(channel: Channel, name: str) -> Any:
    """The channel's credential `name` (None when it has none); credentials that cannot be read (decrypted)
    are an AuthError."""
    from channels.secrets import CredentialsUnreadable

    try:
        credentials = channel.credentials
    except CredentialsUnreadable as exc:
        raise AuthError(str(exc)) from None
    return credentials.get(name) if isinstance(credentials, dict) else None


class PollBudget:
    """One poll's requests: at most `budget`; a 429 after a call the platform answered ends the poll's walk
    (`stopped`, raised as `stop`) instead of failing the poll."""

    stop: type[Exception] = Exception

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.made = 0
        self.answered = 0
        self.stopped: RateLimited | None = None

    def can_call(self) -> bool:
        return self.made < self.budget and self.stopped is None

    def counted(self, call: Callable[[], T]) -> T:
        """Make one call against the budget."""
        self.made += 1
        try:
            data = call()
        except RateLimited as exc:
            if not self.answered:
                raise
            self.stopped = exc
            raise self.stop(str(exc)) from None
        self.answered += 1
        return data


def redact(text: str, secret: str) -> str:
    """`text` without `secret` (a token or password an error message, a URL or a body may quote)."""
    return text.replace(secret, "REDACTED") if secret else text


def not_json_reason(label: str, body: str, secret: str, *, html_means: str) -> str:
    """Why an answer that should be JSON is not, in words: an HTML page by its title (`html_means`: what such a
    page tells the admin about their settings), else the body's start; never the secret."""
    start = body[:2000].lstrip()
    if start.startswith("<"):
        match = re.search(r"<title[^>]*>(.*?)</title>", start, re.IGNORECASE | re.DOTALL)
        title = f" ({clean_text(html.unescape(match.group(1)))[:80]!r})" if match else ""
        return redact(f"{label}: the server answered with an HTML page{title}, not JSON: {html_means}", secret)
    return redact(f"{label}: response is not JSON ({start[:120]!r})", secret)
