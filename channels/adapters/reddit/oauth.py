"""Connecting a Reddit account: OAuth 2.0 authorization code (github.com/reddit-archive/reddit/wiki/OAuth2).

The app is the channel's own (a "web app" at reddit.com/prefs/apps, its redirect uri the desk's
callback; a "script" app works too when its redirect uri is set to the callback): `oauth_client_id`
and `oauth_client_secret`, or the `client_id`/`client_secret` the channel reads with. The account
consents on Reddit; `duration=permanent` gets a refresh token; access tokens last an hour and are
refreshed with HTTP Basic auth as the app. Scopes: `identity` (who consented), `submit` (comment),
`read`, `privatemessages` (a private message to a mention's author: `message.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.oauth import Provider, whoami_answer
from channels.http import credential_of

from ..base import ConfigError, PayloadError
from .auth import AUTH_URL, user_agent
from .client import API_URL

if TYPE_CHECKING:
    from channels.models import Account, Channel

AUTHORIZE_URL = "https://www.reddit.com/api/v1/authorize"
ME_URL = API_URL + "/api/v1/me"
SCOPES = ("identity", "submit", "read", "privatemessages")  # privatemessages: the desk's "Send a message"
LABEL = "Reddit"


def reddit_app(channel: Channel) -> tuple[str, str]:
    for id_key, secret_key in (("oauth_client_id", "oauth_client_secret"), ("client_id", "client_secret")):
        client_id, secret = credential_of(channel, id_key), credential_of(channel, secret_key)
        if isinstance(client_id, str) and client_id.strip():
            return client_id.strip(), secret.strip() if isinstance(secret, str) else ""
    raise ConfigError("Reddit: the channel has no app: add its client id and secret in the channel's credentials.")


def reddit_signed(channel: Channel, account: Account) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How `account`'s token goes with a send (`account_request`'s `signed`): a bearer, and the user agent Reddit
    asks of every client, naming the account."""
    agent = user_agent(channel, account.username)
    return lambda tokens: {"headers": {"Authorization": f"bearer {tokens['access_token']}", "User-Agent": agent}}


class RedditOAuth(Provider):
    label, authorize_url, token_url, scope = LABEL, AUTHORIZE_URL, AUTH_URL, " ".join(SCOPES)
    pkce = False
    authorize_params = {"response_type": "code", "duration": "permanent"}  # permanent: with a refresh token
    client_auth = "basic"

    def app(self, channel: Channel) -> tuple[str, str]:
        return reddit_app(channel)

    def token_headers(self, channel: Channel) -> dict[str, str]:
        return {"User-Agent": user_agent(channel)}

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        return _whoami(channel, session, body["access_token"])


def _whoami(channel: Channel, session: requests.Session, access_token: str) -> tuple[str, str]:
    """The account that consented (GET /api/v1/me: `name`, `id`)."""
    data, status = whoami_answer(
        session, ME_URL, label="Reddit",
        headers={"Authorization": f"bearer {access_token}", "User-Agent": user_agent(channel)},
    )  # fmt: skip
    if not isinstance(data.get("name"), str):
        raise PayloadError(f"Reddit did not say who signed in (HTTP {status}).")
    return data["name"], str(data.get("id") or "")
