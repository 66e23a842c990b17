"""One poll's view of the Reddit API: the bearer token, the request budget shared by every channel of one
app, status codes mapped to what the poller should do, and Reddit's rate-limit figures.

Rate limits: Reddit allows about 100 requests per minute per OAuth client. Every Reddit channel using the same
client_id shares a per-minute counter in the Django cache (Redis); past `requests_per_minute` the client raises
RateLimited before sending anything (token calls go to www.reddit.com, are rare and are not counted). Reddit's
own `x-ratelimit-remaining`/`x-ratelimit-reset` headers are read on every response: when none are left, no
further call goes out for that client until the reset, and the poll asks to be scheduled after it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import requests
from django.core.cache import cache

from advocacy.counters import window_count
from channels import clean
from channels.http import PollBudget, json_of, json_or_none, request
from channels.http_status import Ladder, answered, rate_limit_of, status_check, succeeded

from ..base import AuthError, Gone, PermanentError, RateLimited
from .auth import TOKEN_REFRESH_MARGIN, Credentials, request_token

logger = logging.getLogger(__name__)

API_URL = "https://oauth.reddit.com"


class Client(PollBudget):
    """One poll's view of the Reddit API: bearer token from the cache, the shared request
    budget, status codes mapped to what the poller should do, and the rate-limit figures. Its requests are
    counted against the poll's `max_requests_per_poll` (`PollBudget`: `made`, `can_call`); a 429 is raised as it
    comes, and the poll's walk ends on it (channels.adapters.poll.engine)."""

    def __init__(self, session: requests.Session, credentials: Credentials, config: dict[str, Any], agent: str):
        super().__init__(int(config["max_requests_per_poll"]))
        self.session = session
        self.credentials = credentials
        self.per_minute = int(config["requests_per_minute"])
        self.agent = agent
        self.not_before: datetime | None = None
        self._token_memo: tuple[str, float] | None = None
        self._ratelimit: dict[str, Any] = {}
        self._budget_used = 0

    # The only way out to the API.
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        params = {**(params or {}), "raw_json": 1}
        response = self._send(path, params)
        if answered(response, 401):
            # The token was revoked or expired early: drop it and try once with a new one.
            logger.info("reddit: access token refused on %s, fetching a new one", path)
            self._drop_token()
            response = self._send(path, params)
        return self._json(path, response)

    def _send(self, path: str, params: dict[str, Any]) -> requests.Response:
        self._reserve()
        token = self._token()
        url = API_URL + path
        try:
            response = request(
                self.session,
                "GET",
                url,
                label=f"Reddit {path}",
                params=params,
                headers={"Authorization": f"bearer {token}", "User-Agent": self.agent},
                allow_redirects=False,
            )
        finally:
            self.made += 1
        self._read_ratelimit(response)
        return response

    def _json(self, path: str, response: requests.Response) -> Any:
        label = f"Reddit {path}"
        if "/subreddits/search" in response.headers.get("Location", ""):
            ladder: Ladder = {**LADDER, "3xx": NO_SUBREDDIT}
        elif path.startswith("/comments/"):
            # A post's own page: 404 for one deleted or removed, whoever asks.
            ladder = {**LADDER, 403: REFUSED, 404: POST_GONE}
        else:
            ladder = {**LADDER, **dict.fromkeys((403, 404), SUBREDDIT_REFUSED if path.startswith("/r/") else REFUSED)}
        reason = "" if succeeded(response) else error_reason(response)
        status_check(response, label, ladder, what=f" ({reason})" if reason else "")
        return json_of(response, label)

    # -- request budget, shared through the cache by every channel using this client --

    def _reserve(self) -> None:
        now = time.time()
        exhausted_until = clean.number(cache.get(self._exhausted_key))
        if exhausted_until and exhausted_until > now:
            raise RateLimited(
                "Reddit: no requests left for this app until its rate-limit window resets",
                retry_after=exhausted_until - now,
            )
        minute = int(now // 60)
        key = f"reddit:requests:{self.credentials.client_key}:{minute}"
        used = window_count(key, timeout=120)
        self._budget_used = used
        if used > self.per_minute:
            raise RateLimited(
                f"Reddit: this app's budget of {self.per_minute} requests per minute is used up "
                "(shared by every Reddit channel using the same client_id)",
                retry_after=(minute + 1) * 60 - now,
            )

    @property
    def _exhausted_key(self) -> str:
        return f"reddit:exhausted:{self.credentials.client_key}"

    def _read_ratelimit(self, response: requests.Response) -> None:
        limits = rate_limit_of(response)  # Reddit's reset is seconds from now: reset_in
        if limits.remaining is None and limits.reset_in is None:
            return
        until = limits.reset_at
        self._ratelimit = {
            "ratelimit_remaining": limits.remaining,
            "ratelimit_used": limits.used,
            "ratelimit_reset_seconds": limits.reset_in,
            "ratelimit_reset_at": until.isoformat() if until else None,
            "checked_at": datetime.now(tz=UTC).isoformat(),
        }
        if limits.remaining is not None and limits.remaining < 1 and until is not None and limits.reset_in:
            self.not_before = max(self.not_before or until, until)
            cache.set(self._exhausted_key, until.timestamp(), timeout=int(limits.reset_in) + 1)

    def status(self) -> dict[str, Any]:
        return {
            **self._ratelimit,
            "budget_per_minute": self.per_minute,
            "budget_used_this_minute": self._budget_used,
        }

    # -- OAuth token --

    def _drop_token(self) -> None:
        self._token_memo = None
        cache.delete(self.credentials.token_key)

    def _token(self) -> str:
        now = time.time()
        if self._token_memo and self._token_memo[1] - TOKEN_REFRESH_MARGIN > now:
            return self._token_memo[0]
        cached = cache.get(self.credentials.token_key)
        if (
            isinstance(cached, dict)
            and clean.number(cached.get("expires_at"))
            and cached["expires_at"] - TOKEN_REFRESH_MARGIN > now
        ):
            self._token_memo = (cached["access_token"], cached["expires_at"])
            return cached["access_token"]
        token, expires_in = request_token(self.session, self.credentials, self.agent)
        expires_at = now + expires_in
        self._token_memo = (token, expires_at)
        ttl = int(expires_in - TOKEN_REFRESH_MARGIN)
        if ttl > 0:
            cache.set(self.credentials.token_key, {"access_token": token, "expires_at": expires_at}, timeout=ttl)
        return token


# Reddit's rungs over the common ladder: what a refusal says of the subreddits, the post, the app's credentials.
LADDER: Ladder = {
    401: (
        AuthError,
        "{label}: HTTP 401 even with a fresh access token: check the app's credentials and that the account is not "
        "suspended.",
    ),
    "3xx": (PermanentError, "{label}: unexpected redirect (HTTP {status}) to {location}"),
    "4xx": (PermanentError, "{label}: HTTP {status} {reason}: {body}"),
}
NO_SUBREDDIT = (
    PermanentError,
    "{label}: no such subreddit (Reddit redirects to its subreddit search): fix the channel's subreddits.",
)
POST_GONE = (Gone, "{label}: HTTP 404 {reason}: the post is gone (deleted or removed).")
SUBREDDIT_REFUSED = (
    PermanentError,
    "{label}: HTTP {status} {reason}{what}: the subreddit is private, quarantined or banned, or the app may not read "
    "it: fix the channel's subreddits or credentials.",
)
REFUSED = (PermanentError, "{label}: HTTP {status} {reason}{what}: check the channel's credentials.")


def error_reason(response: requests.Response) -> str:
    body, _ = json_or_none(response)
    if isinstance(body, dict):
        return str(body.get("reason") or "")[:100]
    return ""
