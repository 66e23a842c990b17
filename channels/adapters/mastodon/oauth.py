"""Connecting a Mastodon account the desk posts from (docs.joinmastodon.org, "OAuth", methods/apps and
methods/oauth).

Every instance is its own OAuth server, so the desk's app is registered on the channel's instance once:
``POST /api/v1/apps`` with ``client_name``, ``redirect_uris`` = ``<SITE_URL>/connect/mastodon/callback/`` and
``scopes`` = ``read write``; its answer's ``client_id`` and ``client_secret`` go in the channel's credentials
(``oauth_client_id``, ``oauth_client_secret``). Connecting an account is then the authorization code flow:
``<base_url>/oauth/authorize`` (scope ``read write``, with PKCE, which Mastodon 4.3 checks and older versions
ignore), back to the desk, and ``POST <base_url>/oauth/token``. Mastodon's tokens do not expire and come without a
refresh token: one the instance refuses means connecting again.

Or the channel's own ``access_token`` (the token the channel polls with, made the same way or in the account's
Preferences, Development): `access_token_grant` posts as the account the token belongs to, after
``GET /api/v1/accounts/verify_credentials`` says which one it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.oauth import Grant, InstanceProvider, whoami_answer

from ..base import AuthError, PayloadError
from .client import token_of
from .config import full_handle, instance_domain, validate_config

if TYPE_CHECKING:
    from channels.models import Channel


class MastodonOAuth(InstanceProvider):
    refreshes = False  # Mastodon's tokens do not expire: a refused one is revoked, and the account connects again
    label, scope = "Mastodon", "read write"
    config_rules = staticmethod(validate_config)

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        return whoami(session, self.base_url(channel), body["access_token"])


def whoami(session: requests.Session, base_url: str, token: str) -> tuple[str, str]:
    """Who the token acts as: ``GET /api/v1/accounts/verify_credentials`` (its ``acct``, in full, and ``id``)."""
    account, status = whoami_answer(
        session, f"{base_url}/api/v1/accounts/verify_credentials", label="Mastodon",
        headers={"Authorization": f"Bearer {token}"}, allow_redirects=False,
        refused="Mastodon refused the token (HTTP {status}): it may be revoked.",
    )  # fmt: skip
    handle = full_handle(clean.line(account.get("acct")), instance_domain(base_url))
    if not handle:
        raise PayloadError(f"Mastodon did not say who the token acts as (HTTP {status}).")
    return handle, clean.ident(account.get("id"))


def access_token_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """Post as `username` with the channel's access token, after the instance confirms the token is theirs."""
    token, base_url = token_of(channel), MastodonOAuth().base_url(channel)
    handle, account_id = whoami(session, base_url, token)
    wanted = full_handle(username, instance_domain(base_url))
    if handle.casefold() != wanted.casefold():
        raise AuthError(f"The access token is {handle}'s, not {username}'s: use {username}'s own token.")
    return Grant(access_token=token, username=handle, user_id=account_id, extra={"token_type": "channel"})
