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

from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.oauth import Grant, Provider

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


class GitHubOAuth(Provider):
    label, scope = LABEL, SCOPES
    authorize_url, token_url = f"{WEB_URL}/login/oauth/authorize", TOKEN_URL
    not_refreshed = ("pat",)  # a personal access token: nothing to refresh, connect again

    def token_headers(self, channel: Channel) -> dict[str, str]:
        return {"Accept": "application/json"}  # GitHub's token endpoint answers form-encoded without it

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        return whoami(session, body["access_token"])

    def refresh(self, *, channel: Channel, session: requests.Session, tokens: dict[str, Any]) -> Grant | None:
        if tokens.get("token_type") == "installation":
            token, expires = installation_token(channel, session, fresh=True)
            return Grant(access_token=token, expires_at=expires, extra={"token_type": "installation"})
        return super().refresh(channel=channel, session=session, tokens=tokens)


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
