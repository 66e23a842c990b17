"""HTTP to the Stack Exchange API: the app key, the per-poll request budget, `backoff` (per method, shared
through the cache), quota figures, and every failure mapped to what the poller should do.

Messages name the API method, never the URL: the URL carries the app key (``key=``), which must reach
neither a log nor an error message."""

from __future__ import annotations

import logging
import math
import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests
from django.core.cache import cache

from channels import clean
from channels.http import PollBudget, credential_of, json_or_none, redact_encoded, request
from channels.http_status import Ladder, passed, retry_after_of, status_check

from ..base import AuthError, ConfigError, PayloadError, PermanentError, PollStopped, RateLimited, TransientError
from .fields import count_of

if TYPE_CHECKING:
    from channels.models import Channel

logger = logging.getLogger(__name__)

API_ROOT = "https://api.stackexchange.com/2.3"
# API methods as the backoff field names them (ids stand for any vectorised id list).
QUESTIONS = "/questions"
ANSWERS = "/questions/{ids}/answers"
COMMENTS = "/posts/{ids}/comments"
POSTS = "/posts/{ids}"
INFO = "/info"

# A backoff longer than a day is not one the API sends; it is capped rather than trusted.
BACKOFF_MAX = 86400.0
_AUTH_ERROR_IDS = {401, 402, 403, 405, 406}
_AUTH_ERROR_NAMES = {
    "access_token_required",
    "invalid_access_token",
    "access_denied",
    "key_required",
    "access_token_compromised",
}


def backoff_cache_key(site: str, method: str) -> str:
    return f"se:backoff:{site}:{method}"


# A call not made: its method is under backoff, the poll's request budget is used up, or the API throttled us
# earlier in this poll (`PollBudget`). The paging reads on without it.
Skipped = PollStopped


class Client(PollBudget):
    """One poll's calls: at most `budget` of them, none to a method under backoff, and a throttle (429 or
    ``throttle_violation``) after a successful call ends the poll's calls instead of failing the poll."""

    def __init__(self, session: requests.Session, *, site: str, key: str, budget: int, backoff: dict) -> None:
        super().__init__(budget)
        self.session = session
        self.site = site
        self.key = key
        self.backoff_until: dict[str, float] = dict(backoff)
        self.quota: dict[str, int] = {}

    def backoff_remaining(self, method: str) -> float:
        stored = clean.number(cache.get(backoff_cache_key(self.site, method)))
        until = min(max(self.backoff_until.get(method, 0.0), stored or 0.0), time.time() + BACKOFF_MAX)
        if until > time.time():
            self.backoff_until[method] = until
        return until - time.time()

    def get(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        remaining = self.backoff_remaining(method)
        if remaining > 0:
            raise Skipped(f"Stack Exchange asked for a backoff, {remaining:.0f}s left")
        if self.stopped is not None:
            raise Skipped(f"throttled earlier in this poll ({self.stopped})")
        if self.made >= self.budget:
            raise Skipped(f"max_requests_per_poll ({self.budget}) used up")
        query = {**params, "site": self.site}
        if self.key:
            query["key"] = self.key
        data = self.counted(lambda: se_request(self.session, method, API_ROOT + path, query, secret=self.key))
        for name in ("quota_remaining", "quota_max"):
            value = count_of(data.get(name))
            if value is not None:
                self.quota[name] = value
        backoff = clean.number(data.get("backoff"))
        if backoff is not None and backoff > 0:
            backoff = min(backoff, BACKOFF_MAX)
            until = time.time() + backoff
            self.backoff_until[method] = until
            cache.set(backoff_cache_key(self.site, method), until, timeout=math.ceil(backoff) + 1)
            logger.info("stackexchange: site=%s backoff of %ss on %s", self.site, backoff, method)
        return data

    def active_backoffs(self) -> dict[str, float]:
        now = time.time()
        return {method: min(until, now + BACKOFF_MAX) for method, until in self.backoff_until.items() if until > now}

    def not_before(self) -> datetime | None:
        until = max(self.active_backoffs().values(), default=0.0)
        if self.stopped is not None:
            until = max(until, time.time() + min(self.stopped.retry_after or 60.0, BACKOFF_MAX))
        return datetime.fromtimestamp(until, tz=UTC) if until else None

    def platform_status(self) -> dict[str, Any]:
        status: dict[str, Any] = dict(self.quota)
        # Always present (empty when none): channel_poll merges this into the stored status, and a
        # backoff that is over must not linger there.
        status["backoff_until"] = {
            m: datetime.fromtimestamp(u, tz=UTC).isoformat() for m, u in sorted(self.active_backoffs().items())
        }
        return status


def se_request(
    session: requests.Session, method: str, url: str, params: dict[str, Any], *, secret: str = ""
) -> dict[str, Any]:
    """GET one API method and return its wrapper, mapping failures to what the poller should do.

    Messages name the method, never the URL: the URL carries the app key."""
    label = f"Stack Exchange {method}"
    response = request(
        session,
        "GET",
        url,
        label=label,
        undecodable_is_payload=True,
        params=params,
        # The API always compresses; requests decodes gzip and deflate, not every other coding.
        headers={"Accept-Encoding": "gzip, deflate"},
    )
    data, too_deep = json_or_none(response)  # too deep: JSON nested thousands deep, no API response is
    error = data if isinstance(data, dict) and data.get("error_id") is not None else None
    # A 5xx is transient whatever its body says; below that, the API's own error (`error_id`) says more than the status.
    ladder = passed(LADDER, "4xx", 401, 403, 429) if error is not None else LADDER
    said = _error_text(error, secret) if error is not None else ""
    wait = retry_after_of(response)  # kept to BACKOFF_MAX, as the body's backoff is
    status_check(response, label, ladder, said=said, retry_after=None if wait is None else min(wait, BACKOFF_MAX))
    if error is not None:
        raise _api_error(label, error, secret)
    if too_deep:
        raise PayloadError(f"{label}: the answer is JSON nested too deep to be an API response")
    if data is None:
        raise PayloadError(
            f"{label}: response is not JSON ({redact_encoded(clean.preview(response.text[:200]), secret)})"
        )
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise PayloadError(f'{label}: response is not an API wrapper with an "items" list')
    return data


# Stack Exchange's rungs over the common ladder: a refusal names the app key.
LADDER: Ladder = {
    **dict.fromkeys((401, 403), (AuthError, "{label}: HTTP {status}: check the channel's app key")),
    "5xx": (TransientError, "{label}: HTTP {status}{detail}"),
}


def _error_text(error: dict[str, Any], secret: str) -> str:
    message = clean.line(error.get("error_message"), max_length=300)
    name = clean.line(error.get("error_name"), max_length=60)
    return redact_encoded(f"error {clean.preview(error.get('error_id'), 40)} {name}: {message}", secret)


def _api_error(label: str, error: dict[str, Any], secret: str) -> Exception:
    error_id = clean.whole(error.get("error_id"))
    name = clean.line(error.get("error_name"), max_length=60)
    message = clean.line(error.get("error_message"), max_length=300)
    text = f"{label}: {_error_text(error, secret)}"
    if name == "throttle_violation" or error_id == 502:
        # Kept to BACKOFF_MAX, as a Retry-After and the body's backoff are.
        seconds = re.search(r"(\d{1,9})\s*seconds?", message)
        return RateLimited(text, retry_after=min(float(seconds.group(1)), BACKOFF_MAX) if seconds else None)
    if error_id in _AUTH_ERROR_IDS or name in _AUTH_ERROR_NAMES:
        return AuthError(f"{text} (check the channel's app key)")
    if error_id == 400 or name == "bad_parameter":
        if re.search(r"\bkey\b", message):
            return AuthError(f"{text} (the app key was refused: check the channel's credentials)")
        return ConfigError(text)
    if error_id in (409, 500, 503) or name in ("duplicate_request", "internal_error", "temporarily_unavailable"):
        return TransientError(text)
    return PermanentError(text)


def app_key(channel: Channel) -> str:
    key = credential_of(channel, "key")
    if key in (None, ""):
        return ""
    if not isinstance(key, str):
        raise AuthError('Credential "key" must be a string: the app key registered on stackapps.com.')
    return key.strip()
