"""Connecting an X handle: OAuth 2.0 Authorization Code with PKCE (docs.x.com, "OAuth 2.0 Authorization
Code Flow with PKCE").

The channel's OAuth app (client id, and its secret for a confidential client) is in the channel's
credentials. Scopes: reading and writing posts, reading the user (to learn which handle signed in), sending
direct messages (dm.read, dm.write: the desk's "Send a DM") and
`offline.access`, without which X issues no refresh token and the access token dies after two hours.
Each refresh returns a new refresh token and voids the old one (channels.accounts.tokens serialises it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.oauth import Provider, whoami_answer

from ..base import PayloadError
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


class XOAuth(Provider):
    label = LABEL
    authorize_url, token_url, scope = AUTHORIZE_URL, TOKEN_URL, " ".join(SCOPES)
    client_auth = "public_or_basic"  # a public client's id; Basic as well when the app is confidential

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        return _whoami(session, body["access_token"])


def _whoami(session: requests.Session, access_token: str) -> tuple[str, str]:
    """The handle that signed in: connecting @GitLabStatus's tokens to @GitLab must be refused."""
    answer, status = whoami_answer(session, ME_URL, label="X", headers={"Authorization": f"Bearer {access_token}"})
    data = answer.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("username"), str):
        raise PayloadError(f"X did not say who signed in (HTTP {status}).")
    return data["username"], str(data.get("id") or "")
