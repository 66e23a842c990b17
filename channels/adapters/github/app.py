"""Who the desk is on GitHub when it reads: a personal access token, or a GitHub App installation.

A fine-grained personal access token (the channel's ``token`` credential) is sent as it is. A GitHub App
(``"auth": "app"``; credentials ``app_id``, ``app_private_key`` (PEM) and ``app_installation_id``) signs a JSON
Web Token with RS256 (``iat`` a minute back for clock drift, ``exp`` at most ten minutes ahead, ``iss`` the App's
id) and trades it for an installation access token: ``POST /app/installations/{id}/access_tokens``, which
answers ``{"token": ..., "expires_at": ...}`` and lasts an hour (docs.github.com, "Generating a JSON Web Token
(JWT) for a GitHub App", "Generating an installation access token for a GitHub App"). The token is kept in the
cache until five minutes before it expires, so the channel's polls and watched threads share it; a 401 drops it
and mints another once. The JWT is signed with PyJWT and cryptography, both already installed (cryptography
pinned in requirements.txt, PyJWT through django-allauth's ``socialaccount`` extra).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jwt
import requests
from django.core.cache import cache

from channels import clean
from channels.freshness import hashed
from channels.http import credential_of, json_or_none, request
from channels.http_status import Ladder, status_check

from ..base import AuthError, ConfigError, PayloadError, TransientError
from .client import ACCEPT, API_VERSION, error_text
from .config import API_URL, validate_config

if TYPE_CHECKING:
    from channels.models import Channel

MARGIN_SECONDS = 300  # a token with less than this left is minted again


def app_jwt(app_id: str, private_key: str, *, now: float | None = None) -> str:
    """The App's JSON Web Token (RS256), valid from a minute ago for nine minutes."""
    at = int(time.time() if now is None else now)
    try:
        return jwt.encode({"iat": at - 60, "exp": at + 9 * 60, "iss": app_id}, private_key, algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise ConfigError(
            f"The GitHub App's private key cannot sign ({exc.__class__.__name__}): paste the whole PEM file, "
            "-----BEGIN RSA PRIVATE KEY----- included."
        ) from None


def app_credentials(channel: Channel) -> tuple[str, str, str]:
    found = [credential_of(channel, key) for key in ("app_id", "app_private_key", "app_installation_id")]
    app_id, key, installation = (
        str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else "" for v in found
    )
    if not (app_id and key and installation):
        raise ConfigError(
            "This GitHub channel signs in as an App: add app_id, app_private_key and app_installation_id."
        )
    if not installation.isdigit() or not app_id.isdigit():
        raise ConfigError("The GitHub App's id and installation id are numbers (from their settings pages).")
    return app_id, key, installation


# The App's own calls: a refusal is its key or ids; a rate limit is only worth waiting for.
APP_LADDER: Ladder = {
    **dict.fromkeys((401, 403), (AuthError, "{label}: GitHub refused (HTTP {status}{detail}).")),
    404: (ConfigError, "{label}: not found (HTTP 404): check the App's id and installation id."),
    **dict.fromkeys((429, "5xx"), (TransientError, "{label}: HTTP {status}")),
    **dict.fromkeys(("3xx", "4xx"), (PayloadError, "{label}: unexpected answer (HTTP {status}{detail}).")),
}


def app_call(session: requests.Session, method: str, path: str, bearer: str, label: str) -> dict[str, Any]:
    """One call authenticated as the App (its JWT) or with a token; the answer's JSON object."""
    headers = {"Authorization": f"Bearer {bearer}", "Accept": ACCEPT, "X-GitHub-Api-Version": API_VERSION}
    response = request(session, method, API_URL + path, label=label, headers=headers)
    data, _ = json_or_none(response)
    said = error_text(data)
    status_check(response, label, APP_LADDER, said=said)
    if not isinstance(data, dict):
        raise PayloadError(f"{label}: unexpected answer (HTTP {response.status_code}{': ' + said if said else ''}).")
    return data


def installation_token(channel: Channel, session: requests.Session, *, fresh: bool = False) -> tuple[str, datetime]:
    """The installation's access token and when it expires: the cached one unless `fresh` or nearly expired."""
    app_id, key, installation = app_credentials(channel)
    cache_key = f"github:installation:{hashed(f'{app_id}:{installation}')}"
    cached = cache.get(cache_key)
    if not fresh and isinstance(cached, dict):
        expires = clean.iso_time(cached.get("expires_at"))
        if expires and expires.timestamp() - MARGIN_SECONDS > time.time() and cached.get("token"):
            return str(cached["token"]), expires
    label = "GitHub App installation token"
    answer = app_call(session, "POST", f"/app/installations/{installation}/access_tokens", app_jwt(app_id, key), label)
    token, expires = answer.get("token"), clean.iso_time(answer.get("expires_at"))
    if not isinstance(token, str) or not token or expires is None:
        raise PayloadError(f"{label}: GitHub answered without a token and its expiry.")
    ttl = int(expires.timestamp() - time.time() - MARGIN_SECONDS)
    if ttl > 0:
        cache.set(cache_key, {"token": token, "expires_at": expires.isoformat()}, timeout=ttl)
    return token, expires


def app_login(channel: Channel, session: requests.Session) -> str:
    """The login the App posts as: ``<slug>[bot]`` (``GET /app`` with its JWT answers the slug)."""
    app_id, key, _ = app_credentials(channel)
    slug = clean.handle(app_call(session, "GET", "/app", app_jwt(app_id, key), "GitHub App").get("slug"))
    if not slug:
        raise PayloadError("GitHub did not say the App's slug (GET /app).")
    return f"{slug}[bot]"


def token_of(channel: Channel) -> str:
    token = credential_of(channel, "token")
    if not isinstance(token, str) or not token.strip():
        raise AuthError('This GitHub channel has no token: add a personal access token as credential "token".')
    return token.strip()


class Auth:
    """The Authorization header for one poll: the channel's token, or its App's installation token."""

    def __init__(self, channel: Channel, session: requests.Session) -> None:
        self.channel, self.session = channel, session
        self.app = validate_config(channel.config).get("auth") == "app"
        self._token = "" if self.app else token_of(channel)
        self._renewed = False

    def headers(self) -> dict[str, str]:
        if self.app and not self._token:
            self._token = installation_token(self.channel, self.session)[0]
        return {"Authorization": f"Bearer {self._token}"}

    def renew(self) -> bool:
        """After a 401: an installation token is minted again, once; a personal token cannot be renewed."""
        if not self.app or self._renewed:
            return False
        self._renewed = True
        self._token = installation_token(self.channel, self.session, fresh=True)[0]
        return True
