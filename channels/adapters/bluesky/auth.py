"""Signing in to Bluesky with an app password: `com.atproto.server.createSession` gives an access token (a JWT that
lasts a couple of hours) and a refresh token; `com.atproto.server.refreshSession`, called with the refresh token,
trades it for a new pair (the old refresh token is then revoked). docs.bsky.app, "API Hosts and Auth".

Sessions are precious: createSession is limited to 30 every 5 minutes and 300 a day per account (docs.bsky.app,
"Rate Limits"), and an account over it is refused for up to a day. So the poll's session is kept between polls in
the cache, encrypted like the channel's credentials (Fernet, DESK_ENCRYPTION_KEY), and refreshed rather than made
again; a new one is made only when the refresh token is refused too.

Tokens and the app password never appear in a log line or an error message (`scrub`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.core.cache import cache

from channels import clean
from channels.http import credential_of

from ..base import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from .config import handle_of, settings_of
from .limits import retry_after_of

if TYPE_CHECKING:
    from channels.models import Channel

logger = logging.getLogger(__name__)

CREATE_SESSION = "com.atproto.server.createSession"
REFRESH_SESSION = "com.atproto.server.refreshSession"
ACCESS_LIFETIME = 3600  # seconds assumed when an access token says nothing of its expiry
EXPIRY_MARGIN = 120  # an access token this close to its expiry is refreshed before use
SESSION_CACHE_SECONDS = 7 * 86_400  # a cached session's refresh token is tried for a week at most
# Error names Bluesky answers for a token it no longer takes (400 ExpiredToken, 401 InvalidToken/AuthMissing).
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing", "AuthRequired"})


@dataclass(frozen=True)
class Login:
    """Who the channel signs in as, and where."""

    service: str
    handle: str
    password: str = field(repr=False)

    @property
    def cache_key(self) -> str:
        digest = hashlib.sha256(f"bluesky-session:{self.service}\n{self.handle}".encode()).hexdigest()[:32]
        return f"bluesky:session:{digest}"


@dataclass(frozen=True)
class Session:
    access: str = field(repr=False)
    refresh: str = field(repr=False)
    did: str
    handle: str
    pds: str  # the account's own PDS (from its DID document), or the service it signed in at
    expires_at: float

    def fresh(self, now: float | None = None) -> bool:
        return self.expires_at - EXPIRY_MARGIN > (now or time.time())


def login_of(channel: Channel) -> Login:
    config = settings_of(channel.config if isinstance(channel.config, dict) else {})
    handle = handle_of(config.get("handle"))
    password = credential_of(channel, "app_password")
    if not handle:
        raise ConfigError(f"Bluesky channel {channel.name!r} has no account handle in its settings.")
    if not isinstance(password, str) or not password.strip():
        raise ConfigError(
            f"Bluesky channel {channel.name!r} needs the account's app password in its credentials "
            "(Bluesky: Settings, Privacy and security, App passwords)."
        )
    return Login(str(config.get("service_url") or "").rstrip("/"), handle, password.strip())


def scrub(message: str, *secrets: str) -> str:
    """`message` with every token or password replaced: what an error may echo back never reaches a log."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            message = message.replace(secret, "[redacted]")
    return message


def xrpc_error(response: requests.Response) -> tuple[str, str]:
    """Bluesky's `{"error": name, "message": words}` of a failed call ("" for what it did not say)."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    body = clean.mapping(body)
    return clean.line(body.get("error"), max_length=80), clean.line(body.get("message"), max_length=300)


def jwt_expiry(token: str) -> float | None:
    """The `exp` of a JWT's payload (read, not verified: the server that issued it checks it), else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return None
    return clean.number(clean.mapping(payload).get("exp"))


def pds_of(did_doc: Any) -> str:
    """The account's PDS from its DID document (the `#atproto_pds` service), or "" when it names none."""
    for service in clean.objects(clean.mapping(did_doc).get("service")):
        if str(service.get("id", "")).endswith("#atproto_pds"):
            endpoint = clean.url(service.get("serviceEndpoint"))
            if endpoint.startswith("https://"):
                return endpoint.rstrip("/")
    return ""


def session_from(body: Any, service: str, *, label: str) -> Session:
    body = clean.mapping(body)
    access, refresh = body.get("accessJwt"), body.get("refreshJwt")
    did = clean.ident(body.get("did"))
    if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh or not did:
        raise PayloadError(f"Bluesky {label}: the answer has no accessJwt, refreshJwt or did.")
    expiry = jwt_expiry(access) or time.time() + ACCESS_LIFETIME
    return Session(access, refresh, did, handle_of(body.get("handle")), pds_of(body.get("didDoc")) or service, expiry)


def _post(http: requests.Session, url: str, label: str, **kwargs: Any) -> requests.Response:
    try:
        return http.post(url, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS, allow_redirects=False, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientError(f"Bluesky {label}: no answer ({exc.__class__.__name__})") from exc


def session_create(http: requests.Session, login: Login) -> Session:
    """A new session from the app password (counted against createSession's small daily allowance)."""
    response = _post(
        http,
        f"{login.service}/xrpc/{CREATE_SESSION}",
        "sign-in",
        json={"identifier": login.handle, "password": login.password},
    )
    if response.status_code == 200:
        logger.info("bluesky: signed in as @%s (new session)", login.handle)
        return session_from(_json(response, "sign-in"), login.service, label="sign-in")
    error, message = xrpc_error(response)
    said = scrub(f"{error}: {message}" if error else message or f"HTTP {response.status_code}", login.password)
    if response.status_code == 429:
        raise RateLimited(
            f"Bluesky refused to sign @{login.handle} in again so soon ({said}): sign-ins are limited per account",
            retry_after=retry_after_of(response),
        )
    if response.status_code >= 500:
        raise TransientError(f"Bluesky sign-in: HTTP {response.status_code} ({said})")
    if response.status_code == 401 or error in ("AuthenticationRequired", "AuthFactorTokenRequired"):
        raise AuthError(
            f"Bluesky refused the sign-in of @{login.handle} ({said}): check the handle and that the credential is "
            "an app password of that account (Settings, Privacy and security, App passwords)."
        )
    if error in ("AccountTakedown", "AccountDeactivated"):
        raise AuthError(f"Bluesky says the account @{login.handle} cannot sign in: {said}.")
    raise PermanentError(f"Bluesky sign-in of @{login.handle} failed: HTTP {response.status_code} ({said}).")


def session_refresh(http: requests.Session, service: str, refresh: str) -> Session | None:
    """A new session from a refresh token; None when Bluesky no longer takes that token (expired, revoked,
    already used): the caller signs in again."""
    response = _post(
        http, f"{service}/xrpc/{REFRESH_SESSION}", "session refresh", headers={"Authorization": f"Bearer {refresh}"}
    )
    if response.status_code == 200:
        return session_from(_json(response, "session refresh"), service, label="session refresh")
    error, message = xrpc_error(response)
    if response.status_code in (400, 401) and (error in TOKEN_ERRORS or response.status_code == 401):
        logger.info("bluesky: refresh token refused (%s), signing in again", error or response.status_code)
        return None
    said = scrub(f"{error}: {message}" if error else f"HTTP {response.status_code}", refresh)
    if response.status_code == 429:
        raise RateLimited(f"Bluesky session refresh: {said}", retry_after=retry_after_of(response))
    if response.status_code >= 500:
        raise TransientError(f"Bluesky session refresh: {said}")
    raise AuthError(f"Bluesky refused to refresh the session: {said}.")


def _json(response: requests.Response, label: str) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"Bluesky {label}: the answer is not JSON.") from exc


# --- the poll's session, kept between polls --------------------------------------------------------------------


def cached_session(login: Login) -> Session | None:
    from channels.secrets import CredentialsUnreadable, credentials_decrypt

    stored = cache.get(login.cache_key)
    if not isinstance(stored, str):
        return None
    try:
        values = credentials_decrypt(stored)
    except CredentialsUnreadable:
        cache.delete(login.cache_key)
        return None
    try:
        return Session(**values)
    except TypeError:
        cache.delete(login.cache_key)
        return None


def session_keep(login: Login, session: Session) -> None:
    from channels.secrets import credentials_encrypt

    values = {
        "access": session.access,
        "refresh": session.refresh,
        "did": session.did,
        "handle": session.handle,
        "pds": session.pds,
        "expires_at": session.expires_at,
    }
    cache.set(login.cache_key, credentials_encrypt(values), timeout=SESSION_CACHE_SECONDS)


def session_forget(login: Login) -> None:
    cache.delete(login.cache_key)


def poll_session(http: requests.Session, login: Login, *, stale: Session | None = None) -> Session:
    """A usable session for the poll: the cached one while its access token is fresh, else a refreshed one, else a
    new sign-in. `stale`: the session Bluesky just refused (ExpiredToken), not to be handed out again."""
    session = cached_session(login)
    if session is not None and session.fresh() and (stale is None or session.access != stale.access):
        return session
    if session is not None:
        refreshed = session_refresh(http, login.service, session.refresh)
        if refreshed is not None:
            session_keep(login, refreshed)
            return refreshed
    session = session_create(http, login)
    session_keep(login, session)
    return session
