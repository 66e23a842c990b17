"""Connecting a Disqus account: OAuth 2.0 authorization code (disqus.com/api/docs/auth/).

The application is the channel's (disqus.com/api/applications/, its callback the desk's): its
public key (`oauth_client_id`, else the `api_key` the channel reads with) and secret key
(`oauth_client_secret`, else `api_secret`). Scope `read,write`. The token answer names the user
(`username`, `user_id`); access tokens last 30 days and are refreshed with `grant_type=refresh_token`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests

from channels.accounts.oauth import Begun, Grant, code_exchange, grant_from, token_post
from channels.http import credential_of

from ..base import ConfigError

if TYPE_CHECKING:
    from channels.models import Channel

AUTHORIZE_URL = "https://disqus.com/api/oauth/2.0/authorize/"
TOKEN_URL = "https://disqus.com/api/oauth/2.0/access_token/"  # noqa: S105 - an address, not a secret
SCOPE = "read,write"
LABEL = "Disqus"


def disqus_app(channel: Channel) -> tuple[str, str]:
    """The application's public and secret keys."""
    for id_key, secret_key in (("oauth_client_id", "oauth_client_secret"), ("api_key", "api_secret")):
        public, secret = credential_of(channel, id_key), credential_of(channel, secret_key)
        if isinstance(public, str) and public.strip() and isinstance(secret, str) and secret.strip():
            return public.strip(), secret.strip()
    raise ConfigError(
        "Disqus: connecting an account needs the application's public and secret keys in the channel's "
        "credentials (oauth_client_id and oauth_client_secret)."
    )


class DisqusOAuth:
    label = LABEL

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        public, _secret = disqus_app(channel)
        query = {
            "client_id": public,
            "scope": SCOPE,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return Begun(url=f"{AUTHORIZE_URL}?{urlencode(query)}")

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        body = code_exchange(
            session,
            TOKEN_URL,
            params=params,
            redirect_uri=redirect_uri,
            client=disqus_app(channel),
            client_auth="body",
            label=LABEL,
        )
        return grant_from(body, username=str(body.get("username") or ""), user_id=str(body.get("user_id") or ""))

    def refresh(self, *, channel: Channel, session: requests.Session, tokens: dict[str, Any]) -> Grant | None:
        refresh_token = tokens.get("refresh_token")
        if not refresh_token:
            return None
        public, app_secret = disqus_app(channel)
        body = token_post(
            session,
            TOKEN_URL,
            data={
                "grant_type": "refresh_token",
                "client_id": public,
                "client_secret": app_secret,
                "refresh_token": refresh_token,
            },
            label=LABEL,
        )
        return grant_from(body, username=str(body.get("username") or ""), user_id=str(body.get("user_id") or ""))
