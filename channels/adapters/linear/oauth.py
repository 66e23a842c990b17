"""Connecting the Linear account issues are filed as.

OAuth 2.0 (linear.app/developers, "OAuth 2.0 authentication"): authorization code with PKCE at
``https://linear.app/oauth/authorize`` and ``https://api.linear.app/oauth/token``, scopes ``read`` and
``issues:create``; the channel's credentials hold the OAuth application (``oauth_client_id``,
``oauth_client_secret``) with the desk's callback ``/connect/linear/callback/``. Who approved is the ``viewer``.

Or a personal API key: the channel's ``api_key`` (`api_key_grant`), after Linear says whose it is (``viewer``);
stored as the account's tokens with ``token_type`` "api_key" (sent bare, not as Bearer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.oauth import Grant, Provider

from ..base import AuthError
from .client import api_key_of, graphql

if TYPE_CHECKING:
    from channels.models import Channel

VIEWER = "query { viewer { id name displayName email } }"


class LinearOAuth(Provider):
    label = "Linear"
    authorize_url, token_url = "https://linear.app/oauth/authorize", "https://api.linear.app/oauth/token"
    scope = "read,issues:create"  # Linear's scopes are comma-separated
    not_refreshed = ("api_key",)  # a personal key pasted by an admin: nothing to refresh, connect again

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        viewer = _viewer(session, {"access_token": body.get("access_token"), "token_type": "Bearer"})
        return clean.line(viewer.get("displayName"), max_length=150), clean.ident(viewer.get("id"))


def _viewer(session: requests.Session, tokens: dict[str, Any]) -> dict[str, Any]:
    return clean.mapping(graphql(session, VIEWER, {}, tokens=tokens, label="Linear viewer").get("viewer"))


def api_key_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """File as `username` with the channel's API key, once Linear says it is that user's."""
    key = api_key_of(channel)
    viewer = _viewer(session, {"access_token": key, "token_type": "api_key"})
    names = {clean.line(viewer.get(k), max_length=200).casefold() for k in ("displayName", "name", "email")} - {""}
    if username.strip().casefold() not in names:
        shown = clean.line(viewer.get("displayName"), max_length=150) or "another user"
        raise AuthError(f"The API key is {shown}'s, not {username}'s: use {username}'s own key.")
    return Grant(
        access_token=key, username=username.strip(), user_id=clean.ident(viewer.get("id")),
        extra={"token_type": "api_key"},
    )  # fmt: skip
