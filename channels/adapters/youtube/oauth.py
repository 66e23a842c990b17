"""Connecting the Google account that replies: OAuth 2.0 for web server applications
(developers.google.com/identity/protocols/oauth2/web-server), authorization code with PKCE.

The channel's credentials hold the Google Cloud project's OAuth client (``oauth_client_id``,
``oauth_client_secret``: a "Web application" client whose redirect URI is the desk's callback
``/connect/youtube/callback/``). Scope ``youtube.force-ssl``, the one ``comments.insert`` asks for;
``access_type=offline`` with ``prompt=consent`` so Google sends a refresh token (access tokens last an hour).
Who approved is the YouTube channel of the account (``channels.list?mine=true``): its ``@handle``
(``snippet.customUrl``) or title, and its channel id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.oauth import Provider, whoami_answer

from ..base import PayloadError
from .client import CHANNELS_URL

if TYPE_CHECKING:
    from channels.models import Channel

SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"


class GoogleOAuth(Provider):
    label = "YouTube"
    authorize_url = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url = "https://oauth2.googleapis.com/token"  # noqa: S105 (an address, not a secret)
    scope = SCOPE
    # offline: a refresh token; consent: Google sends it again when the account connects a second time.
    authorize_params = {"response_type": "code", "access_type": "offline", "prompt": "consent"}

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        return whoami(session, str(body.get("access_token") or ""))


def whoami(session: requests.Session, access_token: str) -> tuple[str, str]:
    """The YouTube channel of the account that approved: its handle (or title) and channel id."""
    data, status = whoami_answer(
        session, CHANNELS_URL, label="YouTube", params={"part": "snippet", "mine": "true"},
        headers={"Authorization": f"Bearer {access_token}"},
        refused="YouTube refused the new token (HTTP {status}): connect the account again.",
    )  # fmt: skip
    mine = clean.mapping(next(iter(clean.objects(data.get("items"))), {}))
    snippet = clean.mapping(mine.get("snippet"))
    name = clean.handle(str(snippet.get("customUrl") or "").lstrip("@")) or clean.line(snippet.get("title"))
    uid = clean.ident(mine.get("id"))
    if not name or not uid:
        raise PayloadError(f"YouTube did not name the account's channel (HTTP {status}): does it have one?")
    return name, uid
