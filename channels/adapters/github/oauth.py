"""Connecting a GitHub account the desk posts from.

With GitHub's own sign-in (docs.github.com, "Authorizing OAuth apps"; the same web flow for a GitHub App's user
tokens): ``https://github.com/login/oauth/authorize`` with PKCE (S256), then ``POST
https://github.com/login/oauth/access_token`` (``Accept: application/json``) with the app's id and secret in the
body. The channel's credentials hold the app (``oauth_client_id``, ``oauth_client_secret``), registered with the
desk's callback ``/connect/github/callback/``. An OAuth app's token does not expire; a GitHub App's user token
lasts eight hours and comes with a refresh token (``grant_type=refresh_token``). ``GET /user`` says who signed in.

Or with the channel's own credential (`channel_key_grant`): its personal access token, after ``GET /user``
confirms it acts as the account's login; or, for a channel signed in as a GitHub App, the installation token, the
account being the App's bot (``<slug>[bot]``), minted again when it nears its hour (`GitHubOAuth.refresh`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.oauth import Begun, Grant, app_client, code_exchange, grant_from, pkce_begin, token_post

from ..base import AuthError, PayloadError
from .app import app_call, app_login, installation_token, token_of
from .config import WEB_URL, validate_config

if TYPE_CHECKING:
    from channels.models import Channel

LABEL = "GitHub"
SCOPES = "public_repo"  # comment and react on public repositories (an OAuth app; a GitHub App uses its permissions)
TOKEN_URL = f"{WEB_URL}/login/oauth/access_token"


def whoami(session: requests.Session, token: str) -> tuple[str, str]:
    """Who the token acts as: ``GET /user`` (``login``, ``id``)."""
    user = app_call(session, "GET", "/user", token, "GitHub /user")
    login = user.get("login")
    if not isinstance(login, str) or not login:
        raise PayloadError("GitHub did not say who the token acts as (GET /user).")
    return login, str(user.get("id") or "")


class GitHubOAuth:
    label = LABEL

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        authorize = f"{WEB_URL}/login/oauth/authorize"
        return pkce_begin(channel, LABEL, authorize, redirect_uri=redirect_uri, state=state, scope=SCOPES)

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        body = code_exchange(
            session,
            TOKEN_URL,
            params=params,
            redirect_uri=redirect_uri,
            client=app_client(channel, LABEL),
            client_auth="body",
            label=LABEL,
            code_verifier=str(secret.get("code_verifier", "")),
            headers={"Accept": "application/json"},  # GitHub answers form-encoded without it (pkce_exchange sends none)
        )
        login, user_id = whoami(session, body["access_token"])
        return grant_from(body, username=login, user_id=user_id)

    def refresh(self, *, channel: Channel, session: requests.Session, tokens: dict[str, Any]) -> Grant | None:
        if tokens.get("token_type") == "installation":
            token, expires = installation_token(channel, session, fresh=True)
            return Grant(access_token=token, expires_at=expires, extra={"token_type": "installation"})
        refresh_token = tokens.get("refresh_token")
        if not refresh_token or tokens.get("token_type") == "pat":
            return None  # an OAuth app's token or a personal access token: nothing to refresh, connect again
        client_id, client_secret = app_client(channel, LABEL)
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
        if client_secret:
            data["client_secret"] = client_secret
        headers = {"Accept": "application/json"}
        return grant_from(token_post(session, TOKEN_URL, data=data, label=LABEL, headers=headers))


def channel_key_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """Post as `username` with the channel's own credential, once GitHub confirms that is who it acts as."""
    if validate_config(channel.config).get("auth") == "app":
        acting = app_login(channel, session)
        if acting.casefold() != username.casefold():
            raise AuthError(f"The GitHub App posts as {acting}, not {username}: name the account {acting}.")
        token, expires = installation_token(channel, session)
        return Grant(access_token=token, expires_at=expires, username=acting, extra={"token_type": "installation"})
    token = token_of(channel)
    acting, user_id = whoami(session, token)
    if acting.casefold() != username.casefold():
        raise AuthError(f"The token acts as {acting}, not {username}: use {username}'s own token.")
    return Grant(access_token=token, username=acting, user_id=user_id, extra={"token_type": "pat"})
