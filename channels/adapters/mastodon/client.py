"""HTTP to one Mastodon instance's REST API: the access token as ``Authorization: Bearer``, the per-poll request
budget, forward paging by ``Link`` (rel="prev"), the rate-limit headers, and every failure mapped to what the
poller should do. Messages name the path, never the token; redirects are never followed (requests would carry
the token to wherever they lead).

Rate limits (docs.joinmastodon.org, "Rate limits"; mastodon/mastodon ``config/initializers/rack_attack.rb``):
every answer carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (an ISO 8601
time) for the limit the call is closest to; a throttled call is 429 ``{"error": "Too many requests"}`` with the
same headers, ``X-RateLimit-Remaining: 0``. A 429 on a poll's first call is `RateLimited` (the channel waits for
the reset); later it ends the poll's walk (`PollBudget`) and what was read is stored. A remaining count at or
below `InstanceClient.LOW` (channels.http) ends the walk too, and the next poll waits for the reset: the desk
never spends the last requests of a budget the team's account shares with its people's apps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import requests

from channels import clean
from channels.http import InstanceClient, credential_of, fetch_json
from channels.http_status import Ladder

from ..base import AuthError, ConfigError, Gone, RateLimited

if TYPE_CHECKING:
    from channels.models import Channel

_LINK_RE = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-z]+)"?')


def token_of(channel: Channel) -> str:
    token = credential_of(channel, "access_token")
    if not isinstance(token, str) or not token.strip():
        raise AuthError(
            'This Mastodon channel has no "access_token": add the team account\'s token to its credentials.'
        )
    return token.strip()


@dataclass
class Page:
    data: Any
    newer: dict[str, str] | None  # the query of the page of newer items (Link rel="prev"), None without one


class Client(InstanceClient[Page]):
    def read(self, path: str, params: dict[str, Any]) -> Page:
        label = f"Mastodon {path}"
        response, data = fetch_json(
            self.session, self.base_url + path, label=label, params=params,
            headers={"Authorization": f"Bearer {self.token}"}, allow_redirects=False,
            # A status's own address (its context, a favourite): the instance answers 404 for a deleted one.
            ladder=STATUS_LADDER if "/statuses/" in path else LADDER, error_text=error_text, secret=self.token,
            not_json="a maintenance page, or base_url is not a Mastodon instance",
        )  # fmt: skip
        self.heard(label, response)
        return Page(data, newer_params(response))


def newer_params(response: requests.Response) -> dict[str, str] | None:
    """The query of the page of newer items: Mastodon's ``Link`` header, rel="prev" (``min_id=<newest>``)."""
    for url, rel in _LINK_RE.findall(response.headers.get("Link", "")):
        if rel == "prev":
            return dict(parse_qsl(urlsplit(url).query))
    return None


# Mastodon's rungs over the common ladder: what its refusals mean for the channel's token and base_url.
LADDER: Ladder = {
    429: (RateLimited, "{label}: HTTP 429{detail}"),
    401: (AuthError, "{label}: HTTP 401{detail} (the access token is invalid or was revoked: connect it again)"),
    403: (AuthError, "{label}: HTTP 403{detail} (the token lacks the read scope, or the account is suspended)"),
    "3xx": (ConfigError, "{label}: HTTP {status} redirect to {location}: set base_url to the instance's address"),
    404: (ConfigError, "{label}: HTTP 404{detail}: is base_url a Mastodon instance (version 3.5 or later)?"),
}
STATUS_LADDER: Ladder = {
    **LADDER,
    404: (Gone, "{label}: HTTP 404{detail}: the status is gone (deleted, or not visible to the channel's account)"),
}


def error_text(data: Any) -> str:
    """Mastodon's error body: ``{"error": ..., "error_description": ...}`` (entities/Error)."""
    if not isinstance(data, dict):
        return ""
    parts = [clean.line(data.get(key), max_length=200) for key in ("error", "error_description")]
    return ": ".join(part for part in parts if part)
