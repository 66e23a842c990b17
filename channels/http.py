"""The HTTP edge shared by platform clients: one session per client, a timeout on every
call, a descriptive User-Agent, and status codes mapped to what the poller should do."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from advocacy.fetch_guard import FetchRefused, GuardedAdapter, guarded_session
from advocacy.fetch_guard import _Refused as GuardRefused  # raised where urllib3 connects: not to be retried
from channels.adapters.base import AuthError, PayloadError, PermanentError, PollStopped, RateLimited, TransientError
from channels.http_status import Ladder, RateLimit, rate_limit_of, status_check
from channels.text import clean_text

if TYPE_CHECKING:
    from channels.models import Channel

T = TypeVar("T")
logger = logging.getLogger(__name__)


class _Redirected(GuardedAdapter):
    """Sends what was addressed to a platform's `prefix` to `target` instead (a sandbox, a local fake), through
    the same guard: a local target's network is listed in DESK_FETCH_ALLOWED_NETWORKS."""

    def __init__(self, prefix: str, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.prefix, self.target = prefix, target

    # `*args, **kwargs`: whatever the session passes (stream, timeout, verify...) goes on unchanged.
    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        assert request.url is not None  # the session prepared it, and preparing sets the URL
        request.url = self.target + request.url[len(self.prefix) :]
        return super().send(request, *args, **kwargs)


# A Retry-After longer than this is not waited inside a call (a worker would hang on it): the answer goes to the
# caller, whose RateLimited or TransientError puts the channel's next poll after it.
RETRY_AFTER_MAX = 10.0
# Two more tries: a load balancer's passing 502 or a restart's 503 is over by then; a longer outage is the poll
# backoff's to wait out, not a worker's.
READ_RETRIES = 2


class ReadRetry(Retry):
    """urllib3's Retry, which requests' transport already runs for every request: it retries only what the
    platform cannot have acted on twice (a GET answered 502, 503 or 504; a connection that never opened, which
    sent nothing, whatever the method), waits Retry-After where it is short and backs off otherwise, and hands
    the last answer back instead of raising, so the status ladder (channels.http_status) maps it. A POST's
    answer is never retried: a reply that may have been posted is ReplyUncertain's, not ours to send again."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("total", READ_RETRIES)
        # A read timeout already waited DESK_HTTP_TIMEOUT_SECONDS: not twice more, and raised as requests' ReadTimeout.
        kwargs.setdefault("read", False)
        kwargs.setdefault("other", 0)
        kwargs.setdefault("redirect", None)  # requests follows redirects itself
        kwargs.setdefault("allowed_methods", frozenset({"GET"}))
        kwargs.setdefault("status_forcelist", (502, 503, 504))
        kwargs.setdefault("backoff_factor", 0.5)
        kwargs.setdefault("backoff_max", RETRY_AFTER_MAX)
        kwargs.setdefault("raise_on_status", False)
        kwargs.setdefault("respect_retry_after_header", True)
        super().__init__(**kwargs)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        after = self.get_retry_after(response) if response is not None else None
        # The fetch guard's refusal is final (the address, not the network); so is a long wait.
        if isinstance(error, GuardRefused) or (after is not None and after > RETRY_AFTER_MAX):
            raise MaxRetryError(_pool, url or "", error)  # type: ignore[arg-type]  # urllib3 passes None too
        return super().increment(method, url, response, error, _pool, _stacktrace)


def build_session(*, retries: bool = True) -> requests.Session:
    """A session for the platforms, feeds and sources: every connection it opens, redirects included, goes
    through the fetch guard (advocacy.fetch_guard), and its reads are retried (ReadRetry) unless `retries` is
    False (a page that waits on the answer: one try, its failure said)."""
    session = guarded_session()
    retry = ReadRetry() if retries else Retry(0, read=False)  # requests' own default
    for adapter in session.adapters.values():
        assert isinstance(adapter, GuardedAdapter)  # guarded_session mounts only these
        adapter.max_retries = retry
    session.headers["User-Agent"] = settings.DESK_USER_AGENT
    session.headers["Accept"] = "application/json"
    # DESK_PLATFORM_URL_OVERRIDES: a platform's API reached at another address, e.g. a staging
    # desk against a platform's sandbox, or the end-to-end tests against a local fake of X.
    for prefix, target in settings.DESK_PLATFORM_URL_OVERRIDES.items():
        session.mount(prefix, _Redirected(prefix, target, max_retries=retry))
    for mount in session_mounts:
        network = mount()
        if network is not None:
            session.mount("http://", network)
            session.mount("https://", network)
    return session


# What else answers every session's requests: the demo desk installs its network here (channels.demo.replay,
# `network_install`, from ChannelsConfig.ready), a factory that gives its adapter while DESK_DEMO_REPLAY is on
# (`make run`: the platforms answered on this machine) and None otherwise. This module imports nothing of the demo.
session_mounts: list[Callable[[], requests.adapters.BaseAdapter | None]] = []


def get_json(
    session: requests.Session,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    label: str = "",
    ladder: Ladder | None = None,
) -> Any:
    """GET `url`'s JSON, every failure the ladder's error (the platform's `ladder` over it) naming `label`, else the
    URL (a platform whose URL carries no key)."""
    label = label or url
    response = request(session, "GET", url, label=label, params=params)
    status_check(response, label, ladder)
    return json_of(response, label)


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


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    label: str,
    undecodable_is_payload: bool = False,
    timeout: float | None = None,
    **options: Any,
) -> requests.Response:
    """`session.request` with the desk's timeout (or the caller's own: a knowledge source's); a timeout or a network
    failure is a TransientError naming `label` (never the URL, which may carry a key), the fetch guard's refusal a
    PermanentError. With
    `undecodable_is_payload`, a body that cannot be uncompressed is a PayloadError. For reads: a send, which may
    have posted when no answer came, goes through channels.accounts.sending.reply_request. A redirect whose
    Location requests cannot read (it parses it even when not following it) is a PayloadError naming it."""
    answers: list[requests.Response] = []  # the last answer: a redirect's Location, when requests cannot read it
    # `request` sets the response hook itself: no caller passes hooks of its own.
    hooks = {"response": lambda response, **_: answers.append(response)}
    timeout = timeout or settings.DESK_HTTP_TIMEOUT_SECONDS
    try:
        return session.request(method, url, timeout=timeout, hooks=hooks, **options)
    except requests.Timeout:
        raise TransientError(f"{label}: timed out after {timeout:g}s") from None
    except FetchRefused as exc:  # the channel's address, not the network: asking again changes nothing
        raise PermanentError(f"{label}: {exc}") from None
    except requests.exceptions.ContentDecodingError as exc:
        if undecodable_is_payload:
            raise PayloadError(f"{label}: the compressed response could not be decoded") from None
        raise TransientError(f"{label}: network error ({exc.__class__.__name__})") from None
    except requests.RequestException as exc:
        raise TransientError(f"{label}: network error ({exc.__class__.__name__})") from None
    except ValueError as exc:
        location = answers[-1].headers.get("Location") if answers and answers[-1].is_redirect else None
        if location is None:
            raise  # not a redirect's: a fault of the desk's, for the poll's unexpected-error path
        answers[-1].close()  # requests stopped before reading it: its connection goes back to the pool
        shown = address_shown(location)
        logger.warning(
            "http: %s: HTTP %s redirect to %r, which cannot be read (%s)", label, answers[-1].status_code, shown, exc
        )
        raise PayloadError(
            f"{label}: HTTP {answers[-1].status_code} redirect to a malformed address {shown!r}"
        ) from None


_SECRET_NAME = re.compile(r"token|key|secret|sig|auth|pass|hash|session|code", re.IGNORECASE)


def address_redacted(url: str) -> str:
    """An admin's address for a message, a log line or a status: its query kept (a feed's ``?tag=`` tells two feeds
    apart) but the value of any parameter named like a credential (``feed_token``, ``key``, ``sig``…) shown as
    "hidden", and user information dropped, so a private address's token stays out of logs, stored errors and the
    API."""
    parts = urlsplit(url)
    query = [(k, "hidden" if _SECRET_NAME.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    host = parts.netloc.rpartition("@")[2]
    shown = urlunsplit((parts.scheme, host, parts.path, urlencode(query, safe="/:,"), ""))
    return clean_text(shown)[:300]


def address_shown(location: str) -> str:
    """An address for a message or a log line: clean text, without its query or fragment (a signed or private
    address's token stays out of logs, stored errors and the API), shortened."""
    bare = re.split(r"[?#]", location, maxsplit=1)[0]
    return clean_text(bare)[:200] + ("?…" if len(bare) < len(location) else "")


def fetch_json(
    session: requests.Session,
    url: str,
    *,
    label: str,
    ladder: Ladder | None = None,
    error_text: Callable[[Any], str] = lambda data: "",
    secret: str = "",
    not_json: str = "",
    fields: dict[str, Any] | None = None,
    **options: Any,
) -> tuple[requests.Response, Any]:
    """GET `url` and its JSON, every failure mapped: the network by `request`, the status by the ladder with the
    platform's `ladder` over it (`error_text` reads the platform's error body for the message), a body that is
    not JSON a PayloadError (`not_json`: what an HTML page there tells the admin). `secret` never reaches a
    message; `fields`: more names the ladder's templates use."""
    response = request(session, "GET", url, label=label, **options)
    data, too_deep = json_or_none(response)
    status_check(response, label, ladder, said=redact(error_text(data), secret), secret=secret, **(fields or {}))
    if too_deep:
        raise PayloadError(f"{label}: the answer is JSON nested too deep to read")
    if data is None:
        raise PayloadError(not_json_reason(label, response.text, secret, html_means=not_json or "not the API"))
    return response, data


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
    (`stopped`, raised as `PollStopped`) instead of failing the poll."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.made = 0
        self.answered = 0
        self.stopped: RateLimited | None = None

    def can_call(self) -> bool:
        return self.made < self.budget and self.stopped is None

    def stop_when_low(self, what: str, remaining: int | None, low: int, *, retry_after: float | None) -> None:
        """End the walk after this call when the platform's `remaining` count is down to `low` (what is left stays
        for the desk's sends and the next poll): the poll waits `retry_after`, until the limit resets."""
        if remaining is not None and remaining <= low and self.stopped is None:
            message = f"{what}: {remaining} requests left until the limit resets"
            self.stopped = RateLimited(message, retry_after=retry_after)

    def counted(self, call: Callable[[], T]) -> T:
        """Make one call against the budget."""
        self.made += 1
        try:
            data = call()
        except RateLimited as exc:
            if not self.answered:
                raise
            self.stopped = exc
            raise PollStopped(str(exc)) from None
        self.answered += 1
        return data


P = TypeVar("P")  # a page as a platform's client reads it


class InstanceClient(PollBudget, Generic[P]):
    """One poll's view of an instance of a platform of many (GitLab, Mastodon), read with the channel's token: `get`
    is the platform's `read` counted against the budget, and the rate-limit figures the instance reported last
    (`limits`, kept by `heard`) end the walk once `LOW` requests or fewer are left in the window, keeping the rest
    for the desk's sends and the next poll."""

    LOW = 10

    def __init__(self, session: requests.Session, base_url: str, token: str, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        self.base_url = base_url
        self.token = token
        self.limits = RateLimit()

    def get(self, path: str, params: dict[str, Any]) -> P:
        return self.counted(lambda: self.read(path, params))

    def read(self, path: str, params: dict[str, Any]) -> P:
        """One request to the instance, its answer read as the platform's page: each platform's client says how
        (GitLab's and Mastodon's `Client`); this base only counts and stops."""
        raise NotImplementedError

    def heard(self, label: str, response: requests.Response) -> None:
        """An answer's rate-limit figures over the last ones (an answer without the headers leaves them)."""
        self.limits = self.limits.merged(rate_limit_of(response))
        self.stop_when_low(label, self.limits.remaining, self.LOW, retry_after=self.limits.until_reset())


def redact(text: str, secret: str) -> str:
    """`text` without `secret` (a token or password an error message, a URL or a body may quote)."""
    return text.replace(secret, "REDACTED") if secret else text


def redact_encoded(text: str, secret: str) -> str:
    """`text` without `secret` as sent or URL-encoded in any way: a key that travels in a query string (Disqus,
    Stack Exchange) comes back encoded in an echoed address (an app key's "((" as "%28%28")."""
    if not secret:
        return text
    pattern = "".join(
        re.escape(c) if c.isalnum() else f"(?:{re.escape(c)}|%{ord(c):02X}|{re.escape(quote_plus(c))})"
        for c in secret[:200]
    )
    return re.sub(pattern, "REDACTED", text, flags=re.IGNORECASE)


def not_json_reason(label: str, body: str, secret: str, *, html_means: str) -> str:
    """Why an answer that should be JSON is not, in words: an HTML page by its title (`html_means`: what such a
    page tells the admin about their settings), else the body's start; never the secret."""
    start = body[:2000].lstrip()
    if start.startswith("<"):
        match = re.search(r"<title[^>]*>(.*?)</title>", start, re.IGNORECASE | re.DOTALL)
        title = f" ({clean_text(html.unescape(match.group(1)))[:80]!r})" if match else ""
        return redact(f"{label}: the server answered with an HTML page{title}, not JSON: {html_means}", secret)
    return redact(f"{label}: response is not JSON ({start[:120]!r})", secret)
