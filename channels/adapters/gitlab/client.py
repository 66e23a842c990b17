"""HTTP to one GitLab instance's REST API (v4): the token as ``PRIVATE-TOKEN``, the per-poll request budget,
pagination by ``Link`` (rel="next") or ``X-Next-Page``, the rate-limit headers, and every failure mapped to what
the poller should do. Messages name the path, never the token.

Rate limits (docs.gitlab.com, "Rate limits"; "GitLab.com rate limits"): a 429 carries ``Retry-After`` (seconds)
and ``RateLimit-Reset`` (a Unix time); every answer of a throttled endpoint carries ``RateLimit-Remaining``. A
429 on a poll's first call is `RateLimited`; later it ends the poll's walk (`PollBudget`). A remaining count at or
below `LOW_REMAINING` ends the walk too, and the poll waits for ``RateLimit-Reset``: the desk never spends the
last requests of a budget it shares with the token's owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import requests

from channels import clean
from channels.http import PollBudget, credential_of, get_or_transient, json_or_none, not_json_reason, redact

from ..base import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from ..values import finite_number
from .config import api_root

if TYPE_CHECKING:
    from channels.models import Channel

LOW_REMAINING = 10
_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def token_of(channel: Channel) -> str:
    token = credential_of(channel, "access_token")
    if token in (None, ""):
        return ""
    if not isinstance(token, str):
        raise AuthError('Credential "access_token" must be a string: a GitLab personal, project or group token.')
    return token.strip()


class Stopped(Exception):
    """Rate-limited part-way through a poll (a 429, or the remaining budget ran low): keep what was read."""


@dataclass
class Page:
    data: Any
    next_params: dict[str, str] | None  # the query of the next page, None on the last one


class Client(PollBudget):
    """One poll's view of the instance: the request budget, the rate-limit figures it reported last."""

    stop = Stopped

    def __init__(self, session: requests.Session, base_url: str, token: str, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        self.base_url = base_url
        self.token = token
        self.remaining: int | None = None
        self.reset_at: datetime | None = None

    def get(self, path: str, params: dict[str, Any]) -> Page:
        page = self.counted(lambda: self._get(path, params))
        if self.remaining is not None and self.remaining <= LOW_REMAINING and self.stopped is None:
            retry = (self.reset_at - datetime.now(tz=UTC)).total_seconds() if self.reset_at else None
            self.stopped = RateLimited(
                f"GitLab {path}: {self.remaining} requests left until the limit resets", retry_after=retry
            )
        return page

    def _get(self, path: str, params: dict[str, Any]) -> Page:
        label = f"GitLab {path}"
        headers = {"PRIVATE-TOKEN": self.token} if self.token else {}
        response = get_or_transient(
            self.session, api_root(self.base_url) + path, label=label, params=params, headers=headers,
            allow_redirects=False,
        )  # fmt: skip
        self._note_limits(response)
        data, too_deep = json_or_none(response)
        fail(response, data, label=label, token=self.token, base_url=self.base_url)
        if too_deep:
            raise PayloadError(f"{label}: the answer is JSON nested too deep to be a GitLab response")
        if data is None:
            raise PayloadError(
                not_json_reason(
                    label,
                    response.text,
                    self.token,
                    html_means="a sign-in or maintenance page, or base_url is not a GitLab instance",
                )
            )
        return Page(data, next_params(response, params))

    def _note_limits(self, response: requests.Response) -> None:
        remaining = finite_number(response.headers.get("RateLimit-Remaining"))
        if remaining is not None:
            self.remaining = int(remaining)
        reset = finite_number(response.headers.get("RateLimit-Reset"))
        if reset is not None and 0 < reset < 2**33:
            self.reset_at = datetime.fromtimestamp(reset, UTC)


def next_params(response: requests.Response, params: dict[str, Any]) -> dict[str, str] | None:
    """The next page's query: the ``Link`` header's rel="next" (keyset or offset), else ``X-Next-Page``."""
    match = _NEXT_RE.search(response.headers.get("Link", ""))
    if match:
        return dict(parse_qsl(urlsplit(match.group(1)).query))
    following = response.headers.get("X-Next-Page", "").strip()
    if following.isdigit():
        return {**{k: str(v) for k, v in params.items()}, "page": following}
    return None


def retry_after(response: requests.Response) -> float | None:
    seconds = finite_number(response.headers.get("Retry-After"))
    if seconds is not None and seconds >= 0:
        return seconds
    reset = finite_number(response.headers.get("RateLimit-Reset"))
    if reset is not None and 0 < reset < 2**33:
        return max(0.0, reset - datetime.now(tz=UTC).timestamp())
    return None


def fail(response: requests.Response, data: Any, *, label: str, token: str, base_url: str) -> None:
    """Raise what a failed answer means for the poller (nothing for a 2xx)."""
    status = response.status_code
    detail = redact(f": {error_text(data)}" if error_text(data) else "", token)
    if status == 429:
        raise RateLimited(f"{label}: HTTP 429 Too Many Requests{detail}", retry_after=retry_after(response))
    if status in (401, 403):
        hint = (
            "GitLab refused the access token: it may be expired, revoked or lack read_api"
            if token
            else "the project is not public: add an access token with read_api to the channel's credentials"
        )
        raise AuthError(f"{label}: HTTP {status}{detail} ({hint})")
    if status == 404:
        raise ConfigError(
            f"{label}: HTTP 404{detail}: no such project at {base_url}, or it is private and the token cannot see it"
        )
    if 300 <= status < 400:
        location = redact(response.headers.get("Location", ""), token)[:200]
        raise ConfigError(f"{label}: HTTP {status} redirect to {location}: set base_url to the instance's address")
    if status >= 500:
        raise TransientError(f"{label}: HTTP {status} {response.reason}{detail}")
    if status >= 400:
        raise PermanentError(f"{label}: HTTP {status} {response.reason}{detail}")


def error_text(data: Any) -> str:
    """GitLab's error body: ``{"message": ...}`` (a string or an object of field errors) or ``{"error": ...}``."""
    if not isinstance(data, dict):
        return ""
    said = data.get("message", data.get("error"))
    if isinstance(said, str):
        return clean.line(said, max_length=200)
    return clean.preview(said, 200) if said else ""
