"""Connecting a Stack Exchange account: OAuth 2.0 explicit flow (api.stackexchange.com/docs/authentication).

The app is registered on stackapps.com (its OAuth domain the desk's host): `oauth_client_id` and
`oauth_client_secret` in the channel's credentials, next to the `key` the channel reads with. Scopes
`write_access` (comments and answers) and `no_expiry`: Stack Exchange has no refresh tokens, so a
token that expired or was revoked can only be replaced by connecting again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.oauth import Grant, Provider, expires_at, whoami_answer
from channels.http import credential_of

from ..base import PayloadError
from .client import API_ROOT

if TYPE_CHECKING:
    from channels.models import Channel

AUTHORIZE_URL = "https://stackoverflow.com/oauth"
TOKEN_URL = "https://stackoverflow.com/oauth/access_token/json"  # noqa: S105 - an address, not a secret
ME_URL = API_ROOT + "/me"
SCOPE = "write_access,no_expiry"
LABEL = "Stack Exchange"


class StackExchangeOAuth(Provider):
    label, authorize_url, token_url, scope = LABEL, AUTHORIZE_URL, TOKEN_URL, SCOPE
    pkce = False
    authorize_params: dict[str, str] = {}
    grant_type = None  # its /oauth/access_token/json takes client id, secret, code and redirect_uri only
    refreshes = False  # no refresh tokens: connect again

    def granted(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> Grant:
        me = _whoami(channel, session, body["access_token"])
        return Grant(
            access_token=body["access_token"],
            expires_at=expires_at(body.get("expires")),
            scope=SCOPE,
            username=str(me.get("display_name") or ""),
            user_id=str(me.get("user_id") or ""),
        )


def _whoami(channel: Channel, session: requests.Session, access_token: str) -> dict[str, Any]:
    """GET /me on the channel's site: `display_name`, `user_id` of the account that approved."""
    params = {"site": channel.config.get("site", "stackoverflow"), "access_token": access_token}
    key = credential_of(channel, "key")
    if isinstance(key, str) and key:
        params["key"] = key
    answer, status = whoami_answer(session, ME_URL, label="Stack Exchange", params=params)
    items = answer.get("items")
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        raise PayloadError(f"Stack Exchange did not say who signed in (HTTP {status}).")
    return items[0]
