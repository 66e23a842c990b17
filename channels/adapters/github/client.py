"""HTTP to GitHub's APIs for one poll: REST (``GET``, with ``Link`` pagination and ETag conditional requests) and
GraphQL (``POST /graphql``), the per-poll request budget, the rate-limit headers, and every failure mapped to what
the poller should do. Messages name the call, never the token.

Rate limits (docs.github.com, "Rate limits for the REST API", "Rate limits and node limits for the GraphQL
API"): every answer carries ``x-ratelimit-limit``, ``-remaining``, ``-used``, ``-reset`` (Unix seconds) and
``-resource`` (``core``, ``graphql``...); they are kept per resource for admin. The primary limit exceeded is a
403 or 429 with ``x-ratelimit-remaining: 0``: wait for ``x-ratelimit-reset``. A secondary limit is a 403 or 429
whose message says so, with ``retry-after`` when GitHub names a wait, else at least a minute. On a poll's first
call that is `RateLimited` (the channel backs off); later it ends the poll's walk and what was read is stored
(`PollBudget`). When a resource's remaining count falls to `LOW_REMAINING` the walk ends too and the poll waits
for its reset. A ``304 Not Modified`` answer to ``If-None-Match`` costs no rate limit ("Best practices for using
the REST API", "Use conditional requests if appropriate").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import PollBudget, json_of, json_or_none, request
from channels.http_status import Ladder, answered, rate_limit_of, status_check, succeeded

from ..base import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from .config import API_URL

if TYPE_CHECKING:
    from .app import Auth

LOW_REMAINING = 50
SECONDARY_WAIT_SECONDS = 60.0
API_VERSION = "2022-11-28"
ACCEPT = "application/vnd.github+json"
_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass
class Page:
    data: Any
    next_url: str | None = None  # rel="next" of the Link header, on api.github.com only
    etag: str = ""
    not_modified: bool = False  # a 304: nothing changed since the ETag sent


class Client(PollBudget):
    """One poll's view of GitHub: the request budget and the rate-limit figures each resource reported last."""

    def __init__(self, session: requests.Session, auth: Auth, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        self.auth = auth
        self.limits: dict[str, dict[str, Any]] = {}

    def get(self, path_or_url: str, params: dict[str, Any] | None = None, *, etag: str = "") -> Page:
        url = path_or_url if path_or_url.startswith(API_URL + "/") else API_URL + path_or_url
        label = f"GitHub {urlpath(url)}"
        extra = {"If-None-Match": etag} if etag else {}
        response = self.counted(lambda: self._send("GET", url, label, params=params, headers=extra))
        if answered(response, 304):
            return Page(None, etag=etag, not_modified=True)
        data = json_of(response, label)
        return Page(data, next_url(response), response.headers.get("ETag", ""))

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        label = "GitHub GraphQL"
        body = {"query": query, "variables": variables}
        response = self.counted(lambda: self._send("POST", f"{API_URL}/graphql", label, json=body))
        answer = clean.mapping(json_of(response, label))
        graphql_errors(answer, response, label)
        data = answer.get("data")
        if not isinstance(data, dict):
            raise PayloadError(f"{label}: the answer has no data ({clean.preview(answer)})")
        return data

    def _send(self, method: str, url: str, label: str, **options: Any) -> requests.Response:
        response = self._request(method, url, label, **options)
        if answered(response, 401) and self.auth.renew():
            response = self._request(method, url, label, **options)  # an installation token expired early
        self._note_limits(response)
        fail(response, label)
        return response

    def _request(self, method: str, url: str, label: str, **options: Any) -> requests.Response:
        headers = {"Accept": ACCEPT, "X-GitHub-Api-Version": API_VERSION, **self.auth.headers()}
        headers.update(options.pop("headers", None) or {})
        return request(self.session, method, url, label=label, headers=headers, **options)

    def _note_limits(self, response: requests.Response) -> None:
        figures = rate_figures(response)
        if not figures:
            return
        resource = str(figures.get("resource") or "core")
        self.limits[resource] = figures
        remaining, reset = figures.get("remaining"), figures.get("reset_at")
        if response.ok:
            wait = (datetime.fromisoformat(reset) - datetime.now(tz=UTC)).total_seconds() if reset else None
            self.stop_when_low(f"GitHub ({resource})", remaining, LOW_REMAINING, retry_after=wait)

    def status(self) -> dict[str, Any]:
        """The figures for admin: per resource, what GitHub said last."""
        return {"rate_limits": self.limits} if self.limits else {}


def urlpath(url: str) -> str:
    """The path of an API address, for messages (never its query: a `since` is noise, a token would be worse)."""
    return url.removeprefix(API_URL).split("?", 1)[0][:200]


def next_url(response: requests.Response) -> str | None:
    """``Link: <...>; rel="next"``, kept only on api.github.com (the token is never sent elsewhere)."""
    match = _NEXT_RE.search(response.headers.get("Link", ""))
    found = match.group(1) if match else ""
    return found if found.startswith(API_URL + "/") else None


def rate_figures(response: requests.Response) -> dict[str, Any]:
    """What admin keeps of an answer's x-ratelimit-* headers, under its resource ({} when it sent none)."""
    limits = rate_limit_of(response)
    numbers = {"limit": limits.limit, "remaining": limits.remaining, "used": limits.used}
    if limits.reset_at is None and all(v is None for v in numbers.values()):
        return {}
    figures: dict[str, Any] = {k: v for k, v in numbers.items() if v is not None}
    if limits.reset_at is not None:
        figures["reset_at"] = limits.reset_at.isoformat()
    figures["resource"] = clean.line(response.headers.get("x-ratelimit-resource"), max_length=40) or "core"
    return figures


def error_text(data: Any) -> str:
    """GitHub's error body: ``{"message": ..., "errors": [...], "documentation_url": ...}``."""
    said = clean.mapping(data).get("message")
    return clean.line(said, max_length=200) if isinstance(said, str) else ""


def rate_limited(response: requests.Response) -> bool:
    """A 403/429 that is a rate limit (primary or secondary), not a refusal."""
    if not answered(response, 403, 429):
        return False
    if answered(response, 429) or response.headers.get("retry-after"):
        return True
    if rate_limit_of(response).remaining == 0:
        return True
    data, _ = json_or_none(response)
    return "rate limit" in error_text(data).casefold()


# GitHub's rungs over the common ladder: what a refusal says of the token, the repository, its features.
LADDER: Ladder = {
    304: None,  # not modified since the ETag we sent: the caller reads it
    401: (AuthError, "{label}: HTTP 401{detail} (GitHub refused the token: expired, revoked or mistyped)"),
    403: (AuthError, "{label}: HTTP 403{detail} (the token may not read this: check its repository access)"),
    **dict.fromkeys(
        (404, 410),
        (
            ConfigError,
            "{label}: HTTP {status}{detail} (no such repository, issues or discussions turned off, or the token "
            "cannot see it)",
        ),
    ),
    "3xx": (ConfigError, "{label}: HTTP {status} redirect: has the repository moved? Update the channel's list."),
    "5xx": (TransientError, "{label}: HTTP {status} {reason}"),
    "4xx": (PermanentError, "{label}: HTTP {status}{detail}"),
}
RATE_LIMITED = (RateLimited, "{label}: HTTP {status}, rate-limited{detail}")


def fail(response: requests.Response, label: str) -> None:
    """Raise what a failed answer means for the poller (nothing for a 2xx or a 304)."""
    if succeeded(response):
        return
    data, _ = json_or_none(response)
    # A 403 is a rate limit (the secondary one) when GitHub says so; a 429 always is.
    ladder = {**LADDER, 403: RATE_LIMITED, 429: RATE_LIMITED} if rate_limited(response) else LADDER
    wait = rate_limit_of(response).wait() or SECONDARY_WAIT_SECONDS
    status_check(response, label, ladder, said=error_text(data), retry_after=wait)


def graphql_errors(answer: dict[str, Any], response: requests.Response, label: str) -> None:
    """GraphQL answers 200 with ``errors`` (docs.github.com, "Rate limits and node limits", "Forming calls")."""
    errors = clean.objects(answer.get("errors"))
    if not errors:
        return
    kinds = {clean.line(e.get("type"), max_length=60) for e in errors}
    said = "; ".join(m for m in (clean.line(e.get("message"), max_length=200) for e in errors[:3]) if m)
    if "RATE_LIMITED" in kinds:
        raise RateLimited(
            f"{label}: rate-limited: {said}", retry_after=rate_limit_of(response).wait() or SECONDARY_WAIT_SECONDS
        )
    if answer.get("data") and not kinds & {"NOT_FOUND", "FORBIDDEN", "INSUFFICIENT_SCOPES"}:
        return  # partial data with a warning: what was answered is used
    if "NOT_FOUND" in kinds:
        raise ConfigError(f"{label}: {said} (no such repository, or the token cannot see it)")
    if kinds & {"FORBIDDEN", "INSUFFICIENT_SCOPES"}:
        raise AuthError(f"{label}: {said} (the token needs read access to Discussions)")
    raise PayloadError(f"{label}: {said or 'GitHub answered with errors'}")
