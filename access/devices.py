"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that signed in
to an account with its password gets a signed cookie naming it for that account. The sign-in limits count its
later attempts on that account apart from everyone else's at the same address (access.limits), so someone
guessing from the same office, or a flood of guesses spread over many addresses, never holds up the owner's
own browser. The cookie grants nothing else: it is no session and signs no one in.

One cookie holds up to KEEP accounts (a shared computer), each as a hash of the username with a random
nonce; SignIn rows keep a hash of the nonce, never the nonce.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

COOKIE = "desk_signin_device"
SALT = "access.devices"
MAX_AGE = timedelta(days=365)
KEEP = 5


def device_of(request: HttpRequest, *, login: str) -> str:
    """This browser's id for the account `login` (lower case), or "" when it has none."""
    nonce = _devices(request).get(_account(login))
    return hashlib.sha256(nonce.encode()).hexdigest()[:16] if nonce else ""


def device_remember(request: HttpRequest, response: HttpResponseBase, *, login: str) -> None:
    """After a password sign-in: this browser is now one of the account's (its nonce kept if it was)."""
    devices = _devices(request)
    account = _account(login)
    nonce = devices.pop(account, None) or secrets.token_urlsafe(18)
    devices[account] = nonce  # most recent last; the oldest go first
    kept = dict(list(devices.items())[-KEEP:])
    response.set_signed_cookie(
        COOKIE,
        json.dumps(kept, separators=(",", ":")),
        salt=SALT,
        max_age=int(MAX_AGE.total_seconds()),
        path="/accounts/",  # sign-in and re-authentication only
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _devices(request: HttpRequest) -> dict[str, str]:
    raw = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and v}


def _account(login: str) -> str:
    return hashlib.sha256(f"access.devices:{login}".encode()).hexdigest()[:16]
