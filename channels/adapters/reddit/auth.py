"""Who a Reddit channel is to Reddit: its app's credentials, its User-Agent and OAuth tokens.

Credentials (channel.credentials): client_id and client_secret (app-only, client_credentials grant), plus
username and password for a "script" app (password grant). They are never logged or put in messages; the
token cache key is a hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import requests
from django.conf import settings

from channels import clean
from channels.http_status import Ladder, passed, status_check

from ..base import AuthError, ConfigError, PayloadError, TransientError

if TYPE_CHECKING:
    from channels.models import Channel

AUTH_URL = "https://www.reddit.com/api/v1/access_token"
TOKEN_REFRESH_MARGIN = 60  # seconds before `expires_in` at which a token is replaced


@dataclass(frozen=True)
class Credentials:
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def client_key(self) -> str:
        return hashlib.sha256(f"reddit-client:{self.client_id}".encode()).hexdigest()[:32]

    @property
    def token_key(self) -> str:
        digest = hashlib.sha256(f"reddit-token:{self.client_id}\n{self.username}".encode()).hexdigest()[:32]
        return f"reddit:token:{digest}"


def credentials_of(channel: Channel) -> Credentials:
    values = channel.credentials or {}
    client_id = str(values.get("client_id") or "").strip()
    client_secret = str(values.get("client_secret") or "").strip()
    username = str(values.get("username") or "").strip()
    password = str(values.get("password") or "")
    if not client_id or not client_secret:
        raise ConfigError(
            f"Reddit channel {channel.name!r} needs the app's client_id and client_secret in its credentials "
            "(create a script or web app at https://www.reddit.com/prefs/apps)."
        )
    if bool(username) != bool(password):
        raise ConfigError(
            "Reddit credentials: username and password go together (a script app signing in as that account); "
            "leave both out for read-only app access."
        )
    return Credentials(client_id, client_secret, username.removeprefix("u/").removeprefix("/u/"), password)


def user_agent(channel: Channel, credentials: Credentials | str = "") -> str:
    """The unique, descriptive User-Agent Reddit asks of every client: the app's, naming the account (the channel's
    script account, or the connected account a send is made as) where there is one."""
    username = credentials if isinstance(credentials, str) else credentials.username
    agent = f"{settings.DESK_USER_AGENT} reddit-channel:{channel.slug}"
    return f"{agent} (by /u/{username})" if username else agent


# The token endpoint's rungs over the common ladder: a refusal is the app's credentials or its type.
TOKEN_LADDER: Ladder = {
    401: (
        AuthError,
        "Reddit rejected the app's client_id/client_secret (HTTP 401 from the token endpoint): copy them again from "
        "https://www.reddit.com/prefs/apps.",
    ),
    **dict.fromkeys(
        ("3xx", "4xx", 403),
        (AuthError, "{label} answered HTTP {status}{error}: check the app's type (script or web app) and credentials."),
    ),
}


def request_token(session: requests.Session, creds: Credentials, agent: str) -> tuple[str, float]:
    """A new access token and its lifetime in seconds, from the token endpoint (not counted in the budget)."""
    if creds.username:
        data = {"grant_type": "password", "username": creds.username, "password": creds.password}
    else:
        data = {"grant_type": "client_credentials"}
    try:
        response = session.post(
            AUTH_URL,
            data=data,
            auth=(creds.client_id, creds.client_secret),
            headers={"User-Agent": agent},
            timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientError(f"Reddit token endpoint: {exc.__class__.__name__}") from exc
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        payload = None
    error = str(payload.get("error") or "") if isinstance(payload, dict) else ""
    # Reddit answers a wrong password with HTTP 200 and {"error": "invalid_grant"}: said below, whatever the 4xx.
    ladder = passed(TOKEN_LADDER, "3xx", "4xx", 403) if error == "invalid_grant" else TOKEN_LADDER
    status_check(response, "Reddit token endpoint", ladder, error=f" ({error})" if error else "")
    if error == "invalid_grant":
        if creds.username:
            raise AuthError(
                f"Reddit refused the sign-in of u/{creds.username} (invalid_grant): check the username and "
                "password; accounts with two-factor authentication cannot use the password grant."
            )
        raise AuthError("Reddit refused the app-only sign-in (invalid_grant): check the app's type and credentials.")
    if error:
        raise AuthError(
            f"Reddit token endpoint answered HTTP {response.status_code} ({error}): "
            "check the app's type (script or web app) and credentials."
        )
    token = payload.get("access_token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise PayloadError("Reddit token endpoint: the answer has no access_token.")
    expires_in = clean.number(payload.get("expires_in")) or 3600.0
    return token, expires_in
