"""Connecting a Discourse account with a User API key (meta.discourse.org/t/48536).

The desk makes an RSA key pair and sends the admin to `/user-api-key/new` on the forum with the
public key, a nonce and the callback as `auth_redirect`; the user approves as themself, and
Discourse sends them back with `payload`: `{"key", "nonce", "push", "api"}` encrypted with the public
key (RSA PKCS#1 v1.5, base64). The private key never leaves the admin's session; the nonce must
come back. The forum must list the desk's callback in `allowed_user_api_auth_redirects`. User API
keys do not expire (an admin or the user can revoke one): there is nothing to refresh.

A forum where the desk holds an admin API key can post as any user with `Api-Username` instead:
see `admin_key_grant`.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from channels.accounts.oauth import Begun, Grant, Provider, callback_error, whoami_answer

from ..base import AuthError, ConfigError, PayloadError
from .client import credentials_of
from .config import validate_config

if TYPE_CHECKING:
    from channels.models import Channel

LABEL = "Discourse"
SCOPES = "read,write"


def base_url_of(channel: Channel) -> str:
    return validate_config(channel.config)["base_url"]


class DiscourseUserApiKey(Provider):
    """A user API key (an RSA-encrypted answer), not an OAuth code."""

    label = LABEL
    refreshes = False  # user API keys do not expire; a revoked one means connecting again

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        private_pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        nonce = secrets.token_urlsafe(24)
        query = {
            "application_name": f"Triage Desk ({channel.name})"[:100],
            "client_id": f"triage-desk-{channel.slug}",
            "scopes": SCOPES,
            "public_key": public_pem.decode(),
            "nonce": nonce,
            # Discourse sends no state back of its own: the callback carries it.
            "auth_redirect": f"{redirect_uri}?{urlencode({'state': state})}",
        }
        return Begun(
            url=f"{base_url_of(channel)}/user-api-key/new?{urlencode(query, quote_via=quote)}",
            secret={"private_key": private_pem.decode(), "nonce": nonce},
        )

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        callback_error(params, LABEL)
        payload = params.get("payload")
        if not payload:
            raise AuthError("Discourse sent no key back: start again (was the request approved?).")
        try:
            private = serialization.load_pem_private_key(str(secret.get("private_key", "")).encode(), password=None)
            if not isinstance(private, rsa.RSAPrivateKey):  # `begin` made an RSA key: any other is not this flow's
                raise TypeError(f"not an RSA key: {type(private).__name__}")
            plain = private.decrypt(base64.b64decode(payload), padding.PKCS1v15())
            answer = json.loads(plain)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise AuthError("Discourse's answer could not be read with this connection's key: start again.") from exc
        if not isinstance(answer, dict) or answer.get("nonce") != secret.get("nonce") or not answer.get("key"):
            raise AuthError("Discourse's answer does not belong to this connection: start again.")
        key = str(answer["key"])
        username = current_username(channel, session, {"User-Api-Key": key})
        return Grant(access_token=key, scope=SCOPES, username=username)


def current_username(channel: Channel, session: requests.Session, headers: dict[str, str]) -> str:
    """Who the key acts as: GET /session/current.json (`current_user.username`)."""
    answer, status = whoami_answer(
        session, f"{base_url_of(channel)}/session/current.json", label="Discourse",
        headers={**headers, "Accept": "application/json"},
    )  # fmt: skip
    user = answer.get("current_user")
    if not isinstance(user, dict) or not isinstance(user.get("username"), str):
        raise PayloadError(f"Discourse did not say who the key acts as (HTTP {status}).")
    return user["username"]


def admin_key_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """Post as `username` with the channel's admin API key and `Api-Username` (an admin "All users"
    key). Checked first: the forum must answer as that user."""
    credentials = credentials_of(channel)
    if not credentials.api_key:
        raise ConfigError("This forum channel has no admin API key: add it in the channel's credentials first.")
    headers = {"Api-Key": credentials.api_key, "Api-Username": username}
    acting = current_username(channel, session, headers)
    if acting.casefold() != username.casefold():
        raise AuthError(f"Discourse answered as {acting}, not {username}: the key may be scoped to one user.")
    return Grant(access_token=credentials.api_key, username=acting, extra={"api_username": acting})
