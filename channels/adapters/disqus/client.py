"""HTTP to the Disqus API 3.0: the key in the query string, the per-poll request budget, the hourly rate
limit shared by every channel using a key, and every failure mapped to what the poller should do.

The key travels as ``api_key=`` in the URL, so nothing here ever puts a URL, a requests exception (its message
holds the URL) or an unscrubbed response body into an error message: messages name the API method only."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import requests
from django.core.cache import cache

from channels import clean
from channels.http import credential_of, json_or_none, redact_encoded, request
from channels.http_status import Ladder, passed, rate_limit_of, status_check

from ..base import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from ..values import finite_number as _num

if TYPE_CHECKING:
    from channels.models import Channel

API_ROOT = "https://disqus.com/api/3.0"
LIST_POSTS = "forums/listPosts"
FORUM_DETAILS = "forums/details"

# How long to wait after a rate-limit error that came without a reset time (the quota is hourly).
RATE_LIMITED_WAIT = 900

# Disqus error codes (disqus.com/api/docs/errors/).
_CONFIG_CODES = {2, 8}  # missing or invalid argument; requested object not found
_AUTH_CODES = {4, 5, 9, 11, 12}  # needs a user; invalid key; wrong key type; key not valid on domain; privileges
_RATE_CODES = {13, 14}  # rate limit for the resource; for the account
_TRANSIENT_CODES = {15, 16}  # error processing the request; request timed out


class BudgetUsed(Exception):
    """A call not made: the poll's request budget is used up."""


def api_key_of(channel: Channel) -> str:
    key = credential_of(channel, "api_key")
    if not isinstance(key, str) or not key.strip():
        raise ConfigError(
            f"Disqus channel {channel.name!r} needs the public key of a Disqus API application in its credentials: "
            '{"api_key": "…"} (disqus.com/api/applications/).'
        )
    return key.strip()


@dataclass
class Client:
    """One poll's calls: at most `budget` (`BudgetUsed` past it), the key's rate-limit figures, and the 429 that
    ended the walk after its first page (`stopped`, kept by `paging.Reader`), which the poll's closing chunk waits."""

    session: requests.Session
    api_key: str = field(repr=False)
    budget: int
    made: int = 0
    ratelimit: dict[str, Any] = field(default_factory=dict)
    exhausted_until: float | None = None
    stopped: RateLimited | None = None

    def can_call(self) -> bool:
        return self.made < self.budget and self.stopped is None

    @property
    def _exhausted_key(self) -> str:
        digest = hashlib.sha256(f"disqus-key:{self.api_key}".encode()).hexdigest()[:32]
        return f"disqus:exhausted:{digest}"

    def get(self, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        until = _num(cache.get(self._exhausted_key))
        if until and until > now:
            raise RateLimited(
                "Disqus: no requests left for this API key until its rate-limit window resets "
                "(shared by every Disqus channel using the key)",
                retry_after=until - now,
            )
        if self.made >= self.budget:
            raise BudgetUsed
        self.made += 1
        label = f"Disqus {endpoint}"
        # `request`'s messages name the label, never the URL, which holds the key.
        response = request(
            self.session, "GET", f"{API_ROOT}/{endpoint}.json", label=label, undecodable_is_payload=True,
            params={**params, "api_key": self.api_key},
        )  # fmt: skip
        self._read_ratelimit(response)
        try:
            return envelope(label, response, self.api_key)
        except RateLimited as exc:
            if exc.retry_after:
                self._exhausted(time.time() + exc.retry_after)
            raise

    def _read_ratelimit(self, response: requests.Response) -> None:
        limits = rate_limit_of(response)
        if limits.limit is None and limits.remaining is None and limits.reset_at is None:
            return
        self.ratelimit = limits.status("ratelimit", "reset_at")
        if limits.remaining is not None and limits.remaining < 1 and limits.reset_at and limits.until_reset():
            self._exhausted(limits.reset_at.timestamp())

    def _exhausted(self, until: float) -> None:
        self.exhausted_until = max(self.exhausted_until or until, until)
        cache.set(self._exhausted_key, self.exhausted_until, timeout=max(1, math.ceil(until - time.time()) + 1))

    def not_before(self) -> datetime | None:
        if self.exhausted_until and self.exhausted_until > time.time():
            return datetime.fromtimestamp(self.exhausted_until, tz=UTC)
        return None

    def platform_status(self) -> dict[str, Any]:
        # Always every key (None when Disqus sent no figures): channel_poll merges this into the stored
        # status, and old figures must not linger there under a new checked_at (the poll engine's).
        return {"ratelimit_limit": None, "ratelimit_remaining": None, "ratelimit_reset_at": None, **self.ratelimit}


def envelope(label: str, response: requests.Response, secret: str) -> dict[str, Any]:
    """The API's envelope `{"code": 0, "response": ...}`, or the error the poller should see."""
    data, too_deep = json_or_none(response)  # too deep: nested thousands deep, no Disqus response is
    code = _int_or_none(data.get("code")) if isinstance(data, dict) else None
    error = data if code not in (None, 0) else None
    retry_after = _retry_after(response)
    if error is not None and code in _RATE_CODES:
        raise api_error(label, error, secret, retry_after)
    # A 5xx is transient whatever its body says; below that, the API's own error code says more than the status.
    ladder = passed(LADDER, "4xx", 401, 403, 429) if error is not None else LADDER
    said = error_text(error, secret) if error is not None else ""
    secrets = [secret, quote(secret, safe=""), quote_plus(secret)] if secret else []
    status_check(response, label, ladder, said=said, secret=secrets, retry_after=retry_after)
    if error is not None:
        raise api_error(label, error, secret, retry_after)
    if too_deep:
        raise PayloadError(f"{label}: response nested too deeply to read")
    if data is None:
        body = clean.line(redact_encoded(response.text[:2000], secret), max_length=120)
        raise PayloadError(f"{label}: response is not JSON ({body!r})")
    if code != 0 or "response" not in data:
        raise PayloadError(f'{label}: response is not a Disqus API envelope {{"code": 0, "response": ...}}')
    return data


# Disqus's rungs over the common ladder: a refusal names the API key.
LADDER: Ladder = {
    **dict.fromkeys((401, 403), (AuthError, "{label}: HTTP {status}: check the channel's API key")),
    "5xx": (TransientError, "{label}: HTTP {status}{detail}"),
}


def error_text(error: dict[str, Any], secret: str) -> str:
    message = error.get("response")
    text = clean.line(
        redact_encoded(message, secret) if isinstance(message, str) else clean.preview(message), max_length=300
    )
    return f"error {clean.preview(error.get('code'), 20)}: {text}"


def api_error(label: str, error: dict[str, Any], secret: str, retry_after: float | None) -> Exception:
    code = _int_or_none(error.get("code"))
    text = f"{label}: {error_text(error, secret)}"
    response = error.get("response")
    message = response.lower() if isinstance(response, str) else ""
    if code in _RATE_CODES:
        return RateLimited(text, retry_after=retry_after)
    if code == 5 or (code == 2 and "api_key" in message):
        return AuthError(f"{text} (the public API key was refused: check the channel's credentials)")
    if code in _AUTH_CODES:
        return AuthError(f"{text} (check the channel's API key and its Disqus application)")
    if code in _CONFIG_CODES:
        hint = " (check the channel's forum shortname)" if "forum" in message else ""
        return ConfigError(f"{text}{hint}")
    if code in _TRANSIENT_CODES:
        return TransientError(text)
    return PermanentError(text)


def next_page(cursor: Any) -> str | None:
    """`cursor.next` while `cursor.hasNext` is true: the page after this one."""
    if not isinstance(cursor, dict) or cursor.get("hasNext") is not True:
        return None
    value = clean.line(cursor.get("next"), max_length=201)
    return value if value and len(value) <= 200 else None


def _retry_after(response: requests.Response) -> float | None:
    """Seconds to wait: Retry-After, else the rate-limit window's reset."""
    limits = rate_limit_of(response)
    return limits.retry_after or limits.until_reset() or None


def _int_or_none(value: Any) -> int | None:
    return clean.whole(value, minimum=-(2**31), maximum=2**31)
