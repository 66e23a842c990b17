"""Connecting a Reddit account: OAuth 2.0 authorization code (github.com/reddit-archive/reddit/wiki/OAuth2).

The app is the channel's own (a "web app" at reddit.com/prefs/apps, its redirect uri the desk's
callback; a "script" app works too when its redirect uri is set to the callback): `oauth_client_id`
and `oauth_client_secret`, or the `client_id`/`client_secret` the channel reads with. The account
consents on Reddit; `duration=permanent` gets a refresh token; access tokens last an hour and are
refreshed with HTTP Basic auth as the app. Scopes: `identity` (who consented), `submit` (comment),
`read`, `privatemessages` (a private message to a mention's author: `message.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
from django.conf import settings

from channels.accounts.oauth import Begun, Grant, code_exchange, grant_from, token_post
from channels.http import credential_of

from ..base import ConfigError, PayloadError, TransientError
from .auth import AUTH_URL
from .client import API_URL

if TYPE_CHECKING:
    from channels.models import Channel

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


def reddit_user_agent(channel: Channel, username: str = "") -> str:
    agent = f"{settings.DESK_USER_AGENT} reddit-channel:{channel.slug}"
    return f"{agent} (by /u/{username})" if username else agent


class RedditOAuth:
    label = LABEL

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        client_id, _secret = reddit_app(channel)
        query = {
            "client_id": client_id,
            "response_type": "code",
            "state": state,
            "redirect_uri": redirect_uri,
            "duration": "permanent",
            "scope": " ".join(SCOPES),
        }
        return Begun(url=f"{AUTHORIZE_URL}?{urlencode(query)}")

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        body = code_exchange(
            session,
            AUTH_URL,
            params=params,
            redirect_uri=redirect_uri,
            client=reddit_app(channel),
            client_auth="basic",
            label=LABEL,
            headers={"User-Agent": reddit_user_agent(channel)},
        )
        username, user_id = _whoami(channel, session, body["access_token"])
        return grant_from(body, username=username, user_id=user_id)

    def refresh(self, *, channel: Channel, session: requests.Session, tokens: dict[str, Any]) -> Grant | None:
        refresh_token = tokens.get("refresh_token")
        if not refresh_token:
            return None
        client_id, client_secret = reddit_app(channel)
        body = token_post(
            session,
            AUTH_URL,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=(client_id, client_secret),
            label=LABEL,
            headers={"User-Agent": reddit_user_agent(channel)},
        )
        return grant_from(body)


def _whoami(channel: Channel, session: requests.Session, access_token: str) -> tuple[str, str]:
    """The account that consented (GET /api/v1/me: `name`, `id`)."""
    try:
        response = session.get(
            ME_URL,
            headers={"Authorization": f"bearer {access_token}", "User-Agent": reddit_user_agent(channel)},
            timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientError(f"Reddit did not say who signed in ({exc.__class__.__name__})") from exc
    try:
        data = response.json() if response.ok else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise PayloadError(f"Reddit did not say who signed in (HTTP {response.status_code}).")
    return data["name"], str(data.get("id") or "")
