"""Connecting an X handle: OAuth 2.0 Authorization Code with PKCE (docs.x.com, "OAuth 2.0 Authorization
Code Flow with PKCE").

The channel's OAuth app (client id, and its secret for a confidential client) is in the channel's
credentials. Scopes: reading and writing posts, reading the user (to learn which handle signed in), sending
direct messages (dm.read, dm.write: the desk's "Send a DM") and
`offline.access`, without which X issues no refresh token and the access token dies after two hours.
Each refresh returns a new refresh token and voids the old one (channels.accounts.tokens serialises it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings

from channels.accounts.oauth import (
    Begun,
    Grant,
    app_client,
    grant_from,
    pkce_begin,
    pkce_exchange,
    token_post,
)

from ..base import PayloadError, TransientError
from .client import API_ROOT

if TYPE_CHECKING:
    from channels.models import Channel

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
TOKEN_URL = API_ROOT + "/oauth2/token"
ME_URL = API_ROOT + "/users/me"
# dm.read and dm.write: the desk's "Send a DM" (actions.direct_message); X's DM endpoints need both. media.write: a
# reply's images (POST /2/media/upload). An account connected before either was asked is connected again.
SCOPES = ("tweet.read", "tweet.write", "users.read", "dm.read", "dm.write", "offline.access", "media.write")
LABEL = "X"


class XOAuth:
    label = LABEL

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        scope = " ".join(SCOPES)
        return pkce_begin(channel, LABEL, AUTHORIZE_URL, redirect_uri=redirect_uri, state=state, scope=scope)

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        body = pkce_exchange(
            channel, LABEL, TOKEN_URL, session=session, params=params, redirect_uri=redirect_uri, secret=secret,
            client_auth="public_or_basic",
        )  # fmt: skip
        username, user_id = _whoami(session, body["access_token"])
        return grant_from(body, username=username, user_id=user_id)

    def refresh(self, *, channel: Channel, session: requests.Session, tokens: dict[str, Any]) -> Grant | None:
        refresh_token = tokens.get("refresh_token")
        if not refresh_token:
            return None  # a token pasted before accounts were connected, or granted without offline.access
        client_id, client_secret = app_client(channel, LABEL)
        body = token_post(
            session,
            TOKEN_URL,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id},
            auth=(client_id, client_secret) if client_secret else None,
            label=LABEL,
        )
        return grant_from(body)


def _whoami(session: requests.Session, access_token: str) -> tuple[str, str]:
    """The handle that signed in: connecting @GitLabStatus's tokens to @GitLab must be refused."""
    try:
        response = session.get(
            ME_URL, headers={"Authorization": f"Bearer {access_token}"}, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientError(f"X did not say who signed in ({exc.__class__.__name__})") from exc
    try:
        data = response.json().get("data") if response.ok else None
    except (ValueError, AttributeError, RecursionError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("username"), str):
        raise PayloadError(f"X did not say who signed in (HTTP {response.status_code}).")
    return data["username"], str(data.get("id") or "")
