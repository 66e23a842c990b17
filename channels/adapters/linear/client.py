"""HTTP to Linear's GraphQL API (https://api.linear.app/graphql), the only module that calls it: a personal API key
sent bare as ``Authorization``, an OAuth token as ``Bearer`` (linear.app/developers, "Authentication").

GraphQL answers its errors with ``errors`` (often under HTTP 200, a rate limit or a refused key under 400): each
is mapped by its ``extensions.code`` before the status is: ``RATELIMITED`` is a rate limit, ``AUTHENTICATION_ERROR``
and ``FORBIDDEN`` a refused key, an entity not found a gone issue, anything else our request's fault. Messages name
the operation, never the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import credential_of, json_or_none, redact, request
from channels.http_status import Ladder, rate_limit_of, status_check

from ..base import AuthError, Gone, PayloadError, PermanentError, RateLimited

if TYPE_CHECKING:
    from channels.models import Channel

URL = "https://api.linear.app/graphql"
AUTH_CODES = {"AUTHENTICATION_ERROR", "FORBIDDEN"}
LADDER: Ladder = {
    401: (AuthError, "{label}: HTTP 401{detail} (Linear refused the API key: it may be revoked)"),
    "4xx": (PermanentError, "{label}: HTTP {status}{detail}"),
}


def header_of(tokens: dict[str, Any]) -> dict[str, str]:
    """A personal API key goes bare, an OAuth token as Bearer."""
    key = str(tokens.get("access_token") or "")
    value = key if tokens.get("token_type") == "api_key" else f"Bearer {key}"
    return {"Authorization": value, "Content-Type": "application/json"}


def api_key_of(channel: Channel) -> str:
    key = credential_of(channel, "api_key")
    if not isinstance(key, str) or not key.strip():
        raise AuthError('This Linear channel has no "api_key" credential: add a personal API key.')
    return key.strip()


def errors_of(data: Any) -> list[dict[str, Any]]:
    return clean.objects(data.get("errors")) if isinstance(data, dict) else []


def codes_of(data: Any) -> set[str]:
    return {clean.line(clean.mapping(e.get("extensions")).get("code"), max_length=60) for e in errors_of(data)}


def said_of(data: Any) -> str:
    """What Linear said, its user-presentable words where it gives them."""
    words = [
        clean.line(clean.mapping(e.get("extensions")).get("userPresentableMessage") or e.get("message"), max_length=200)
        for e in errors_of(data)
    ]
    return clean.line("; ".join(w for w in words if w), max_length=300)


def graphql_error(response: requests.Response, data: Any, label: str, secret: str) -> Exception | None:
    """What an answer's GraphQL ``errors`` mean for a read; None where there are none."""
    if not errors_of(data):
        return None
    codes, said = codes_of(data), redact(said_of(data), secret)
    if "RATELIMITED" in codes:
        return RateLimited(
            f"{label}: Linear's rate limit is used up: {said}", retry_after=rate_limit_of(response).wait()
        )
    if codes & AUTH_CODES:
        return AuthError(f"{label}: Linear refused the key ({said}): it may be revoked or lack access")
    if "not found" in said.casefold():
        return Gone(f"{label}: {said}: no such issue, or the key's workspace cannot see it")
    return PermanentError(f"{label}: Linear refused the query: {said}")


def graphql(
    session: requests.Session, query: str, variables: dict[str, Any], *, tokens: dict[str, Any], label: str
) -> dict[str, Any]:
    """One read: the answer's ``data``, every failure mapped."""
    secret = str(tokens.get("access_token") or "")
    response = request(
        session, "POST", URL, label=label, json={"query": query, "variables": variables}, headers=header_of(tokens),
        allow_redirects=False,
    )  # fmt: skip
    data, too_deep = json_or_none(response)
    error = graphql_error(response, data, label, secret)
    if error is not None:
        raise error
    status_check(response, label, LADDER, secret=secret)
    if too_deep or not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise PayloadError(f"{label}: Linear's answer has no data")
    return data["data"]
