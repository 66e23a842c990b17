"""Connecting a GitLab account the desk posts from.

OAuth (docs.gitlab.com, "OAuth 2.0 identity provider API"): authorization code with PKCE at
``<base_url>/oauth/authorize`` and ``<base_url>/oauth/token``, scope ``api`` (posting a note needs it). The
channel's credentials hold the OAuth application (``oauth_client_id``, ``oauth_client_secret``) registered on the
instance (User settings, Applications) with the desk's callback ``/connect/gitlab/callback/``. GitLab's access
tokens expire after two hours and come with a refresh token (channels.accounts.tokens refreshes them).

Or a token: the channel's ``access_token`` credential (a personal, project or group access token with ``api``)
used for the account (`channel_key_grant`), checked first with ``GET /user``: the token must act as that
account's username (a project or group token acts as its bot user, whose username the account must name).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.oauth import Grant, InstanceProvider, whoami_answer

from ..base import AuthError, ConfigError, PayloadError
from .client import token_of
from .config import api_root, validate_config

if TYPE_CHECKING:
    from channels.models import Channel


class GitLabOAuth(InstanceProvider):
    not_refreshed = ("private",)  # an access token pasted by an admin: nothing to refresh, connect again
    label, scope = "GitLab", "api"  # posting a note needs `api`
    config_rules = staticmethod(validate_config)

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        return whoami(self.base_url(channel), session, {"Authorization": f"Bearer {body['access_token']}"})


def whoami(base_url: str, session: requests.Session, headers: dict[str, str]) -> tuple[str, str]:
    """Who the token acts as: ``GET /api/v4/user`` (``username``, ``id``)."""
    user, status = whoami_answer(
        session, f"{api_root(base_url)}/user", label="GitLab", headers={**headers, "Accept": "application/json"},
        allow_redirects=False, refused="GitLab refused the token (HTTP {status}): it may be expired or revoked.",
    )  # fmt: skip
    if not isinstance(user.get("username"), str):
        raise PayloadError(f"GitLab did not say who the token acts as (HTTP {status}).")
    return user["username"], str(user.get("id") or "")


def access_token_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """Post as `username` with the channel's access token, after GitLab confirms the token acts as them."""
    token = token_of(channel)
    if not token:
        raise ConfigError("This GitLab channel has no access token: add it in the channel's credentials first.")
    acting, user_id = whoami(GitLabOAuth().base_url(channel), session, {"PRIVATE-TOKEN": token})
    if acting.casefold() != username.casefold():
        raise AuthError(f"The access token acts as {acting}, not {username}: use {username}'s own token.")
    return Grant(access_token=token, username=acting, user_id=user_id, extra={"token_type": "private"})
