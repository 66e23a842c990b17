"""The record of sign-in attempts (access.models.SignIn): written by the account adapter for failures
and refusals, and on allauth's user_logged_in for successes (a test's force_login writes none)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.core import context
from django.http import HttpRequest

from access.models import SignIn

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """The address allauth's limits count (its adapter knows the proxy settings)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request) or None
    except Exception:  # no or a malformed address: the attempt is still recorded
        return None


def attempt_record(
    request: HttpRequest | None, *, outcome: str, username: str = "", user: Any = None, **fields: Any
) -> None:
    request = request or context.request
    address = client_address(request) if request is not None else None
    agent = request.headers.get("User-Agent", "")[:200] if request is not None else ""
    SignIn.objects.create(
        user=user,
        username=(username or getattr(user, "username", "") or "")[:150],
        address=address,
        outcome=outcome,
        user_agent=agent,
        **fields,
    )
    if outcome != SignIn.Outcome.SUCCEEDED:
        # The username is what someone typed: repr() so it cannot forge a log line.
        logger.warning("sign-in %s for %r from %s", outcome, (username or "")[:150], address)


def signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """allauth's user_logged_in: the sign-in page, or the identity provider."""
    methods = {m.get("method") for m in request.session.get("account_authentication_methods", [])}
    attempt_record(
        request,
        outcome=SignIn.Outcome.SUCCEEDED,
        user=user,
        method=SignIn.Method.IDENTITY_PROVIDER if kwargs.get("sociallogin") else SignIn.Method.PASSWORD,
        two_factor="mfa" in methods,
    )
