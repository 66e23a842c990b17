"""HTTP to one GitLab instance's REST API (v4): the token as ``PRIVATE-TOKEN``, the per-poll request budget,
pagination by ``Link`` (rel="next") or ``X-Next-Page``, the rate-limit headers, and every failure mapped to what
the poller should do. Messages name the path, never the token.

Rate limits (docs.gitlab.com, "Rate limits"; "GitLab.com rate limits"): a 429 carries ``Retry-After`` (seconds)
and ``RateLimit-Reset`` (a Unix time); every answer of a throttled endpoint carries ``RateLimit-Remaining``. A
429 on a poll's first call is `RateLimited`; later it ends the poll's walk (`PollBudget`). A remaining count at or
below `InstanceClient.LOW` (channels.http) ends the walk too, and the poll waits for ``RateLimit-Reset``: the desk
never spends the last requests of a budget it shares with the token's owner.
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

from ..base import AuthError, ConfigError
from .config import api_root

if TYPE_CHECKING:
    from channels.models import Channel

_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def token_of(channel: Channel) -> str:
    token = credential_of(channel, "access_token")
    if token in (None, ""):
        return ""
    if not isinstance(token, str):
        raise AuthError('Credential "access_token" must be a string: a GitLab personal, project or group token.')
    return token.strip()


@dataclass
class Page:
    data: Any
    next_params: dict[str, str] | None  # the query of the next page, None on the last one


class Client(InstanceClient[Page]):
    def read(self, path: str, params: dict[str, Any]) -> Page:
        label = f"GitLab {path}"
        headers = {"PRIVATE-TOKEN": self.token} if self.token else {}
        auth = AUTH_WITH_TOKEN if self.token else AUTH_WITHOUT_TOKEN
        response, data = fetch_json(
            self.session, api_root(self.base_url) + path, label=label, params=params, headers=headers,
            allow_redirects=False, ladder={**LADDER, 401: auth, 403: auth}, error_text=error_text, secret=self.token,
            not_json="a sign-in or maintenance page, or base_url is not a GitLab instance",
            fields={"base_url": self.base_url},
        )  # fmt: skip
        self.heard(label, response)
        return Page(data, next_params(response, params))


def next_params(response: requests.Response, params: dict[str, Any]) -> dict[str, str] | None:
    """The next page's query: the ``Link`` header's rel="next" (keyset or offset), else ``X-Next-Page``."""
    match = _NEXT_RE.search(response.headers.get("Link", ""))
    if match:
        return dict(parse_qsl(urlsplit(match.group(1)).query))
    following = response.headers.get("X-Next-Page", "").strip()
    if following.isdigit():
        return {**{k: str(v) for k, v in params.items()}, "page": following}
    return None


# GitLab's rungs over the common ladder: what a refusal says of the token, the project and base_url.
AUTH_WITH_TOKEN = (
    AuthError,
    "{label}: HTTP {status}{detail} (GitLab refused the access token: it may be expired, revoked or lack read_api)",
)
AUTH_WITHOUT_TOKEN = (
    AuthError,
    "{label}: HTTP {status}{detail} (the project is not public: add an access token with read_api to the channel's "
    "credentials)",
)
LADDER: Ladder = {
    404: (
        ConfigError,
        "{label}: HTTP 404{detail}: no such project at {base_url}, or it is private and the token cannot see it",
    ),
    "3xx": (ConfigError, "{label}: HTTP {status} redirect to {location}: set base_url to the instance's address"),
}


def error_text(data: Any) -> str:
    """GitLab's error body: ``{"message": ...}`` (a string or an object of field errors) or ``{"error": ...}``."""
    if not isinstance(data, dict):
        return ""
    said = data.get("message", data.get("error"))
    if isinstance(said, str):
        return clean.line(said, max_length=200)
    return clean.preview(said, 200) if said else ""
