"""One poll's view of Bluesky's XRPC API: reads signed in with the poll's session (auth.py), an access token that
expired mid-poll refreshed once (Bluesky answers 400 `ExpiredToken`), every failure mapped to what the poller
should do, and the rate-limit headers (limits.py) kept for the channel's request budget.

When a response says no request is left in the window, no further call goes to that host from any Bluesky
channel until the window resets (a flag in the cache), and the poll asks to be scheduled after it. A 429 is
`RateLimited` with the reset as its wait.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.core.cache import cache

from channels import clean
from channels.http import PollBudget, json_of, request
from channels.http_status import Ladder, rate_limit_of, status_error, succeeded

from ..base import AuthError, Gone, PayloadError, PermanentError, RateLimited, TransientError
from .auth import Login, Session, poll_session, session_forget, token_refused, xrpc_error, xrpc_said
from .limits import DAY, wait_of, window_of

logger = logging.getLogger(__name__)


class Client(PollBudget):
    """One poll's view of Bluesky's XRPC API (the module's docstring), its requests counted against the poll's
    `max_requests_per_poll` (`PollBudget`: `made`, `can_call`); a 429 is raised as it comes, and the poll's walk
    ends on it (channels.adapters.poll.engine)."""

    def __init__(self, http: requests.Session, login: Login, config: dict[str, Any]) -> None:
        super().__init__(int(config["max_requests_per_poll"]))
        self.http = http
        self.login = login
        self.read_url = str(config.get("read_url") or "")
        self.session: Session | None = None
        self.not_before: datetime | None = None
        self._rate: dict[str, Any] = {}

    def signed_in(self) -> Session:
        if self.session is None:
            self.session = poll_session(self.http, self.login)
        return self.session

    @property
    def base(self) -> str:
        return self.read_url or self.signed_in().pds

    def get(self, nsid: str, params: dict[str, Any]) -> Any:
        """GET one XRPC query, signed in; its JSON."""
        session = self.signed_in()
        response = self._send(nsid, params, session)
        if token_refused(response):
            # Expired (2 hours) or revoked: refresh once, or sign in again, and ask once more.
            self.session = poll_session(self.http, self.login, stale=session)
            response = self._send(nsid, params, self.session)
            if token_refused(response):
                session_forget(self.login)
                error = xrpc_error(response)[0]
                raise AuthError(f"Bluesky {nsid}: the new session was refused too ({error or response.status_code}).")
        return self._json(nsid, response)

    def _send(self, nsid: str, params: dict[str, Any], session: Session) -> requests.Response:
        base = self.read_url or session.pds
        host = urlsplit(base).hostname or base
        exhausted = clean.number(cache.get(_exhausted_key(host)))
        now = time.time()
        if exhausted and exhausted > now:
            raise RateLimited(f"Bluesky ({host}): no request left in this window", retry_after=exhausted - now)
        try:
            response = request(
                self.http,
                "GET",
                f"{base}/xrpc/{nsid}",
                label=f"Bluesky {nsid}",
                params=params,
                headers={"Authorization": f"Bearer {session.access}"},
                allow_redirects=False,
            )
        finally:
            self.made += 1
        self._read_ratelimit(response, host)
        return response

    def _json(self, nsid: str, response: requests.Response) -> Any:
        if succeeded(response):
            return json_of(response, f"Bluesky {nsid}")
        error = xrpc_error(response)[0]
        said = xrpc_said(response, self._secrets(), otherwise=response.reason or "")
        # The AppView's NotFound is a post (or thread) deleted, or never indexed: nothing in the settings to fix.
        ladder = {**LADDER, "4xx": GONE} if error == "NotFound" else LADDER
        hint = READ_HOST_REFUSES if self.read_url else "check the channel's handle and app password"
        raise status_error(
            response, f"Bluesky {nsid}", ladder, said=said, retry_after=wait_of(response), hint=hint
        ) or PayloadError(f"Bluesky {nsid}: HTTP {response.status_code}")

    def _secrets(self) -> str:
        return self.session.access if self.session else ""

    def _read_ratelimit(self, response: requests.Response, host: str) -> None:
        limits, window = rate_limit_of(response), window_of(response)
        figures = {"limit": limits.limit, "remaining": limits.remaining, "window": window}
        if limits.reset_at is None and not any(value is not None for value in figures.values()):
            return
        reset_at = limits.reset_at
        self._rate = {
            **{k: v for k, v in figures.items() if v is not None},
            "host": host,
            "reset_at": reset_at.isoformat() if reset_at else None,
        }
        wait = limits.until_reset()
        if limits.remaining == 0 and reset_at and wait and wait < DAY:
            self.not_before = max(self.not_before or reset_at, reset_at)
            cache.set(_exhausted_key(host), reset_at.timestamp(), timeout=int(wait) + 1)
            logger.info("bluesky: %s has no request left until %s", host, reset_at.isoformat())

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = {"checked_at": datetime.now(tz=UTC).isoformat()}
        if self._rate:
            status["rate_limit"] = dict(self._rate)
        return status


# Bluesky's rungs over the common ladder: the XRPC error said in brackets, a refusal's hint, a deleted post.
LADDER: Ladder = {
    429: (RateLimited, "{label}: HTTP 429 ({said})"),
    "5xx": (TransientError, "{label}: HTTP {status} ({said})"),
    **dict.fromkeys((401, 403), (AuthError, "{label}: HTTP {status} ({said}): {hint}.")),
    **dict.fromkeys(("3xx", "4xx"), (PermanentError, "{label}: HTTP {status} ({said}): check the channel's settings.")),
}
GONE = (Gone, "{label}: HTTP {status} ({said}): the post is gone (deleted, or not indexed).")
READ_HOST_REFUSES = (
    "the read host refuses this call (Bluesky's public AppView refuses searches it is not signed in for): leave the "
    "channel's read host empty to read through the account's PDS"
)


def _exhausted_key(host: str) -> str:
    return f"bluesky:exhausted:{host}"
