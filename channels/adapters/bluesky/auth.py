"""Signing in to Bluesky with an app password: `com.atproto.server.createSession` gives an access token (a JWT that
lasts a couple of hours) and a refresh token; `com.atproto.server.refreshSession`, called with the refresh token,
trades it for a new pair (the old refresh token is then revoked). docs.bsky.app, "API Hosts and Auth".

Sessions are precious: createSession is limited to 30 every 5 minutes and 300 a day per account (docs.bsky.app,
"Rate Limits"), and an account over it is refused for up to a day. So the poll's session is kept between polls in
the cache, encrypted like the channel's credentials (Fernet, DESK_ENCRYPTION_KEY), and refreshed rather than made
again; a new one is made only when the refresh token is refused too.

Tokens and the app password never appear in a log line or an error message (`xrpc_said`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
from django.core.cache import cache

from channels import clean
from channels.accounts.sending import scrubbed
from channels.http import credential_of, json_of, json_or_none, request
from channels.http_status import SEND_LADDER, Ladder, Rung, answered, status_error, succeeded

from ..base import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, ReplyError, TransientError
from .config import handle_of, settings_of
from .limits import until_words, wait_of

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


def xrpc_error(response: requests.Response) -> tuple[str, str]:
    """Bluesky's `{"error": name, "message": words}` of a failed call ("" for what it did not say)."""
    body = clean.mapping(json_or_none(response)[0])
    return clean.line(body.get("error"), max_length=80), clean.line(body.get("message"), max_length=300)


def xrpc_said(response: requests.Response, *secrets: str, otherwise: str = "") -> str:
    """What a failed call's body said ("ExpiredToken: Token has expired"); `otherwise` (its status by default)
    when it said nothing; no token or password it echoed."""
    error, message = xrpc_error(response)
    said = f"{error}: {message}" if error else message or otherwise or f"HTTP {response.status_code}"
    return scrubbed(said, *secrets)


def token_refused(response: requests.Response) -> bool:
    """Bluesky no longer takes the token: a 401, or a 400 naming a token error (an access token expired)."""
    return answered(response, 401) or (answered(response, 400) and xrpc_error(response)[0] in TOKEN_ERRORS)


# A write refused (a post, a like, a message, an image): the advocate's words, over channels.http_status's
# SEND_LADDER; `what` was not done, `until` is when the rate limit lets the account write again.
RATE_LIMITED: Rung = (
    ReplyError,
    "{label}'s rate limit for @{user} is used up: try again {until} (nothing was {what}).",
)


def pds_signed(service: str, nsid: str, **headers: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How an account's session goes with a send (`account_request`'s `signed`): its bearer, to `nsid` on its own
    PDS (the service's address for a session that named none), with `headers` besides."""
    return lambda tokens: {
        "url": f"{str(tokens.get('pds') or service).rstrip('/')}/xrpc/{nsid}",
        "headers": {"Authorization": f"Bearer {tokens['access_token']}", **headers},
    }


def write_answer(response: requests.Response, used: Sequence[str], ladder: Ladder, **fields: Any) -> dict[str, Any]:
    """A write's JSON answer ({} when it named nothing); else the error its refusal means by `ladder`'s rungs over
    SEND_LADDER, no token in `used` quoted."""
    if succeeded(response):
        answer = json_or_none(response)[0]
        return answer if isinstance(answer, dict) else {}
    raise write_refused(response, used, ladder, **fields)


def write_refused(
    response: requests.Response, used: Sequence[str], ladder: Ladder, *, base: Ladder = SEND_LADDER, **fields: Any
) -> Exception:
    """What a write's answer that is not what was asked means, by `ladder`'s rungs over `base`."""
    said, until = xrpc_said(response, *used), until_words(wait_of(response))
    error = status_error(response, "Bluesky", ladder, base=base, said=said, until=until, **fields)
    return error or ReplyError(f"Bluesky refused it ({said}).")


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
    return request(http, "POST", url, label=f"Bluesky {label}", allow_redirects=False, **kwargs)


# The sign-in's and the refresh's rungs over the common ladder (`handle` and `said` filled in by the caller). A
# sign-in refused for its credentials says so whatever its status: Bluesky names the reason in the body.
SIGN_IN_REFUSED: Rung = (
    AuthError,
    "Bluesky refused the sign-in of @{handle} ({said}): check the handle and that the credential is an app password "
    "of that account (Settings, Privacy and security, App passwords).",
)
_NOT_A_SERVER_ERROR = ("1xx", "3xx", "4xx", 401, 403)
SIGN_IN: Ladder = {
    429: (RateLimited, "Bluesky refused to sign @{handle} in again so soon ({said}): sign-ins are limited per account"),
    "5xx": (TransientError, "{label}: HTTP {status} ({said})"),
    **dict.fromkeys(_NOT_A_SERVER_ERROR, (PermanentError, "{label} of @{handle} failed: HTTP {status} ({said}).")),
    401: SIGN_IN_REFUSED,
}
ACCOUNT_CLOSED: Rung = (AuthError, "Bluesky says the account @{handle} cannot sign in: {said}.")
SIGN_IN_ERRORS: dict[str, Ladder] = {
    "AuthenticationRequired": dict.fromkeys(_NOT_A_SERVER_ERROR, SIGN_IN_REFUSED),
    "AuthFactorTokenRequired": dict.fromkeys(_NOT_A_SERVER_ERROR, SIGN_IN_REFUSED),
    "AccountTakedown": dict.fromkeys(_NOT_A_SERVER_ERROR, ACCOUNT_CLOSED),
    "AccountDeactivated": dict.fromkeys(_NOT_A_SERVER_ERROR, ACCOUNT_CLOSED),
}
REFRESH: Ladder = {
    429: (RateLimited, "{label}: {said}"),
    "5xx": (TransientError, "{label}: {said}"),
    **dict.fromkeys(_NOT_A_SERVER_ERROR, (AuthError, "Bluesky refused to refresh the session: {said}.")),
}


def session_create(http: requests.Session, login: Login) -> Session:
    """A new session from the app password (counted against createSession's small daily allowance)."""
    response = _post(
        http,
        f"{login.service}/xrpc/{CREATE_SESSION}",
        "sign-in",
        json={"identifier": login.handle, "password": login.password},
    )
    if succeeded(response):
        logger.info("bluesky: signed in as @%s (new session)", login.handle)
        return session_from(json_of(response, "Bluesky sign-in"), login.service, label="sign-in")
    ladder = {**SIGN_IN, **SIGN_IN_ERRORS.get(xrpc_error(response)[0], {})}
    said = xrpc_said(response, login.password)
    raise _refused(response, "Bluesky sign-in", ladder, said=said, handle=login.handle)


def session_refresh(http: requests.Session, service: str, refresh: str) -> Session | None:
    """A new session from a refresh token; None when Bluesky no longer takes that token (expired, revoked,
    already used): the caller signs in again."""
    response = _post(
        http, f"{service}/xrpc/{REFRESH_SESSION}", "session refresh", headers={"Authorization": f"Bearer {refresh}"}
    )
    if succeeded(response):
        return session_from(json_of(response, "Bluesky session refresh"), service, label="session refresh")
    if token_refused(response):
        logger.info("bluesky: refresh token refused (%s), signing in again", xrpc_said(response, refresh))
        return None
    raise _refused(response, "Bluesky session refresh", REFRESH, said=xrpc_said(response, refresh))


def _refused(response: requests.Response, label: str, ladder: Ladder, **fields: Any) -> Exception:
    """The error a sign-in's or a refresh's failed answer means (every status but a 2xx has a rung)."""
    error = status_error(response, label, ladder, retry_after=wait_of(response), **fields)
    return error or PermanentError(f"{label}: HTTP {response.status_code}")


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
