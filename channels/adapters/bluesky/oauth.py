"""Connecting the Bluesky account the desk replies as: with the channel's app password, not a browser sign-in.

`channel_key_grant` (admin's "or with the channel's app password" on the account's row) signs in with
`com.atproto.server.createSession` as the channel's handle and stores the session (access and refresh tokens, the
account's DID and PDS) encrypted on the account. The account must be the channel's own handle: the app password
signs in as nobody else. `BlueskySession.refresh` trades the refresh token for a new session
(`com.atproto.server.refreshSession`) and, when Bluesky no longer takes it (a refresh token is revoked once used,
and after about two months), signs in again with the app password, so an account stays connected for as long as
the app password is valid.

Bluesky's own OAuth (DPoP-bound tokens, pushed authorisation requests) is not used: `begin` and `complete` say
so instead of sending the admin away.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.oauth import Grant, KeyOnly

from ..base import AuthError
from .auth import Session, login_of, session_create, session_refresh

if TYPE_CHECKING:
    from channels.models import Channel

LABEL = "Bluesky"
CONNECT_HOW = (
    "Bluesky accounts connect with the channel's app password: use “or with the channel's app password” on the "
    "account's row (the account must be the channel's handle)."
)


def grant_of(session: Session) -> Grant:
    return Grant(
        access_token=session.access,
        refresh_token=session.refresh,
        expires_at=datetime.fromtimestamp(session.expires_at, tz=UTC),
        username=session.handle,
        user_id=session.did,
        extra={"did": session.did, "pds": session.pds},
    )


def app_password_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """Sign in as the channel's handle with its app password, for the account `username` (which must be it)."""
    login = login_of(channel)
    wanted = username.strip().removeprefix("@").casefold()
    if wanted != login.handle:
        raise AuthError(
            f"The channel's app password signs in as @{login.handle}, not @{wanted}: only the channel's own handle "
            "connects this way."
        )
    return grant_of(session_create(session, login))


class BlueskySession(KeyOnly):
    label, how = LABEL, CONNECT_HOW

    def refresh(self, *, channel: Channel, session: requests.Session, tokens: dict[str, Any]) -> Grant | None:
        login = login_of(channel)
        refresh = tokens.get("refresh_token")
        if isinstance(refresh, str) and refresh:
            renewed = session_refresh(session, login.service, refresh)
            if renewed is not None:
                return grant_of(renewed)
        # Sign in again with the app password, for the account it signs in as: never another account's tokens.
        created = session_create(session, login)
        return grant_of(created) if created.did == tokens.get("did") else None
