"""Checking an ID token (OpenID Connect Core 1.0, section 3.1.3.7) before the desk believes a word of it.

allauth skips the signature of a token fetched from the token endpoint (the specification allows it over
TLS); the desk reads roles from the token, so it always checks it: the signature against the provider's
published keys (its JWKS), with an algorithm the provider advertises and never "none" or a shared-secret
one, then the issuer, audience (and authorised party), expiry, issue time and the nonce the desk sent.
PyJWT does the JOSE work; this module chooses the key and the rules.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.core.cache import cache

# Public-key algorithms only: a token signed with a shared secret (HS256) or none at all proves nothing
# about the provider's keys.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
# The provider's keys are read again after this long, or at once when a token names a key not seen yet
# (the provider rotated its keys).
JWKS_CACHE_SECONDS = 300
# Clock difference tolerated between the desk and the provider.
LEEWAY_SECONDS = 60
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]


class IdTokenRefused(OAuth2Error):
    """The ID token failed a check; allauth shows the sign-in error page and signs no one in."""


def id_token_verify(
    *, token: str, issuer: str, client_id: str, jwks_uri: str, advertised_algorithms: list[str] | None, nonce: str
) -> dict[str, Any]:
    """The token's claims once every check passed; IdTokenRefused (saying which check) otherwise."""
    if not nonce:
        raise IdTokenRefused("ID token refused: no nonce was kept for this sign-in")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise IdTokenRefused(f"ID token refused: malformed ({exc})") from exc
    alg = header.get("alg")
    allowed = ASYMMETRIC_ALGORITHMS & set(advertised_algorithms or ["RS256"])  # RS256: the spec's default
    if alg not in allowed:
        raise IdTokenRefused(f"ID token refused: algorithm {alg!r} is not one of {sorted(allowed)}")
    kid = header.get("kid")
    key = _signing_key(_jwks(jwks_uri, refresh=False), kid, alg)
    if key is None:
        key = _signing_key(_jwks(jwks_uri, refresh=True), kid, alg)
    if key is None:
        raise IdTokenRefused(f"ID token refused: the provider publishes no {alg} signing key with id {kid!r}")
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS, "verify_signature": True},
        )
    except jwt.PyJWTError as exc:
        raise IdTokenRefused(f"ID token refused: {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if ("azp" in claims or len(audiences) > 1) and claims.get("azp") != client_id:
        raise IdTokenRefused("ID token refused: issued to another party (azp)")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise IdTokenRefused("ID token refused: its nonce is not the one this sign-in sent")
    return claims


def _jwks(jwks_uri: str, *, refresh: bool) -> dict[str, Any]:
    """The provider's published keys, shared by every process through the cache for a few minutes."""
    cache_key = "access:oidc:jwks:" + hashlib.sha256(jwks_uri.encode()).hexdigest()
    if not refresh:
        cached = cache.get(cache_key)
        if isinstance(cached, dict):
            return cached
    # allauth's session: the timeout of every sign-in call (SOCIALACCOUNT_REQUESTS_TIMEOUT).
    with get_adapter().get_requests_session() as session:
        response = session.get(jwks_uri)
        response.raise_for_status()
        keys = response.json()
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
        raise IdTokenRefused("ID token refused: the provider's key set (jwks_uri) is not a JWK set")
    cache.set(cache_key, keys, JWKS_CACHE_SECONDS)
    return keys


def _signing_key(jwks: dict[str, Any], kid: str | None, alg: str) -> jwt.PyJWK | None:
    """The published key that may have signed a token with this header: same key id (or the only signing
    key when the token names none), meant for signatures, and of this algorithm."""
    candidates = []
    for jwk in jwks.get("keys", []):
        if not isinstance(jwk, dict) or jwk.get("kty") == "oct" or jwk.get("use", "sig") != "sig":
            continue
        if jwk.get("alg", alg) != alg or (kid is not None and jwk.get("kid") != kid):
            continue
        try:
            candidates.append(jwt.PyJWK(jwk, algorithm=alg))
        except jwt.PyJWTError:  # a key of another type than the algorithm needs, or one PyJWT cannot read
            continue
    return candidates[0] if len(candidates) == 1 or (kid is not None and candidates) else None
