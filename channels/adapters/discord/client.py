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

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import PollBudget, credential_of, json_or_none, request
from channels.http_status import Ladder, RateLimit, rate_limit_of, status_check

from ..base import AuthError, ConfigError, PayloadError, RateLimited
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

    def __init__(self, session: requests.Session, token: str, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        self.token = token
        self.limits = RateLimit()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        data = self.counted(lambda: self._get(path, params or {}))
        if self.limits.remaining == 0 and self.stopped is None:
            self.stopped = RateLimited(f"Discord {path}: the route's limit is spent", self.limits.until_reset())
        return data

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        label = f"Discord {path}"
        response = request(
            self.session, "GET", API + path, label=label, params=params, headers=headers_of(self.token),
            allow_redirects=False,
        )  # fmt: skip
        self.limits = self.limits.merged(rate_limit_of(response))
        data, too_deep = json_or_none(response)
        scope = " (the bot's global limit)" if clean.mapping(data).get("global") is True else ""
        status_check(
            response, label, LADDER, said=error_text(data), retry_after=retry_after(response, data), scope=scope
        )
        if too_deep or data is None:
            raise PayloadError(f"{label}: the answer is not Discord's JSON")
        return data


# Discord's rungs over the common ladder: what a refusal says of the bot's token, its role, the channel's id.
LADDER: Ladder = {
    429: (RateLimited, "{label}: HTTP 429{scope}{detail}"),
    401: (AuthError, "{label}: HTTP 401{detail} (the bot token is wrong or was reset: store the new one)"),
    403: (AuthError, "{label}: HTTP 403{detail} (the bot cannot see that channel: check its role's permissions)"),
    **dict.fromkeys(
        (404, "3xx"), (ConfigError, "{label}: HTTP {status}{detail}: is the id a channel of the bot's server?")
    ),
}
