"""HTTP to Discord's REST API (https://discord.com/api/v10) as the bot: ``Authorization: Bot <token>``, the
User-Agent Discord asks bots to send, the per-poll request budget, the rate limits, and every failure mapped to
what the poller should do. Messages name the path, never the token; redirects are never followed.

Rate limits (discord.com/developers/docs/topics/rate-limits): each answer carries ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset-After`` (seconds) for its route's bucket; a 429 says ``retry_after`` (seconds) in its body and
``global: true`` when the bot's global limit (50 requests a second) was hit rather than the route's. A 429 on a
poll's first call is `RateLimited` (the channel waits what Discord said); later it ends the poll's walk and what
was read is stored. A route's remaining count at 0 ends the walk too, until its reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import PollBudget, credential_of, get_or_transient, json_or_none

from ..base import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from ..values import finite_number

if TYPE_CHECKING:
    from channels.models import Channel

API = "https://discord.com/api/v10"
USER_AGENT = "DiscordBot (https://gitlab.com/gitlab-org/developer-relations, 1.0)"


def token_of(channel: Channel) -> str:
    token = credential_of(channel, "bot_token")
    if not isinstance(token, str) or not token.strip():
        raise AuthError('This Discord channel has no "bot_token": add the bot\'s token to its credentials.')
    return token.strip()


def headers_of(token: str) -> dict[str, str]:
    return {"Authorization": f"Bot {token}", "User-Agent": USER_AGENT, "Accept": "application/json"}


class Stopped(Exception):
    """Rate-limited part-way through a poll: keep what was read."""


@dataclass
class Limits:
    """What Discord said of the last route's bucket."""

    remaining: int | None = None
    reset_after: float | None = None
    bucket: str = ""
    global_hit: bool = False

    def read(self, response: requests.Response) -> None:
        remaining = finite_number(response.headers.get("X-RateLimit-Remaining"))
        if remaining is not None and 0 <= remaining < 2**31:
            self.remaining = int(remaining)
        after = finite_number(response.headers.get("X-RateLimit-Reset-After"))
        if after is not None and 0 <= after < 86_400:
            self.reset_after = after
        self.bucket = clean.line(response.headers.get("X-RateLimit-Bucket"), max_length=64)
        self.global_hit = response.headers.get("X-RateLimit-Global", "").lower() == "true"

    def status(self) -> dict[str, Any]:
        reset = datetime.now(tz=UTC) + timedelta(seconds=self.reset_after) if self.reset_after is not None else None
        return {
            "rate_limit_remaining": self.remaining,
            "rate_limit_reset": reset.isoformat() if reset else None,
            "rate_limit_bucket": self.bucket or None,
        }


def retry_after(response: requests.Response, data: Any) -> float | None:
    """A 429's wait: its body's ``retry_after`` (seconds), else the ``Retry-After`` header."""
    said = finite_number(clean.mapping(data).get("retry_after"))
    if said is None:
        said = finite_number(response.headers.get("Retry-After"))
    return min(max(said, 0.0), 86_400.0) if said is not None else None


def error_text(data: Any) -> str:
    """Discord's error body: ``{"code": 50001, "message": "Missing Access"}``."""
    body = clean.mapping(data)
    message = clean.line(body.get("message"), max_length=200)
    code = clean.whole(body.get("code"))
    return f"{message} (code {code})" if message and code is not None else message


class Client(PollBudget):
    """One poll's view of the API: the request budget and the rate-limit figures Discord reported last."""

    stop = Stopped

    def __init__(self, session: requests.Session, token: str, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        self.token = token
        self.limits = Limits()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        data = self.counted(lambda: self._get(path, params or {}))
        if self.limits.remaining == 0 and self.stopped is None:
            self.stopped = RateLimited(f"Discord {path}: the route's limit is spent", self.limits.reset_after)
        return data

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        label = f"Discord {path}"
        response = get_or_transient(
            self.session, API + path, label=label, params=params, headers=headers_of(self.token),
            allow_redirects=False,
        )  # fmt: skip
        self.limits.read(response)
        data, too_deep = json_or_none(response)
        fail(response, data, label=label)
        if too_deep or data is None:
            raise PayloadError(f"{label}: the answer is not Discord's JSON")
        return data


def fail(response: requests.Response, data: Any, *, label: str) -> None:
    """Raise what a failed answer means for the poller (nothing for a 2xx)."""
    status = response.status_code
    said = error_text(data)
    detail = f": {said}" if said else ""
    if status == 429:
        scope = " (the bot's global limit)" if clean.mapping(data).get("global") is True else ""
        raise RateLimited(f"{label}: HTTP 429{scope}{detail}", retry_after=retry_after(response, data))
    if status == 401:
        raise AuthError(f"{label}: HTTP 401{detail} (the bot token is wrong or was reset: store the new one)")
    if status == 403:
        raise AuthError(f"{label}: HTTP 403{detail} (the bot cannot see that channel: check its role's permissions)")
    if status == 404 or 300 <= status < 400:
        raise ConfigError(f"{label}: HTTP {status}{detail}: is the id a channel of the bot's server?")
    if status >= 500:
        raise TransientError(f"{label}: HTTP {status} {response.reason}{detail}")
    if status >= 400:
        raise PermanentError(f"{label}: HTTP {status} {response.reason}{detail}")
