"""The record of sign-in attempts (access.models.SignIn): written by the account adapter for failures
and refusals, and on allauth's user_logged_in for successes (a test's force_login writes none). The sign-in
limits are computed from these rows (access.limits)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.core import context
from django.contrib import messages
from django.http import HttpRequest

from access.client_address import address_source, client_address
from access.devices import device_of, device_remember
from access.limits import login_key
from access.models import SignIn
from access.notices import failures_since_last_sign_in, failures_text

logger = logging.getLogger(__name__)


def attempt_record(
    request: HttpRequest | None,
    *,
    outcome: str,
    username: str = "",
    user: Any = None,
    device: str = "",
    detail: str = "",
    **fields: Any,
) -> SignIn:
    request = request or context.request
    address = client_address(request) if request is not None else None
    agent = request.headers.get("User-Agent", "")[:200] if request is not None else ""
    username = (username or getattr(user, "username", "") or "")[:150]
    record = SignIn.objects.create(
        user=user,
        username=username,
        address=address,
        source=address_source(address),
        device=device,
        outcome=outcome,
        user_agent=agent,
        **fields,
    )
    if outcome != SignIn.Outcome.SUCCEEDED:
        # The username is what someone typed: repr() so it cannot forge a log line. Never the password.
        logger.warning(
            "sign-in %s for %r from %s%s%s", outcome, username, address, " (known browser)" if device else "", detail
        )
    return record


def signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """allauth's user_logged_in: the sign-in page, or the identity provider. Tells the person about failed
    attempts on their account since their last sign-in, and marks this browser as theirs."""
    methods = {m.get("method") for m in request.session.get("account_authentication_methods", [])}
    by_password = not kwargs.get("sociallogin")
    login = login_key(user.username)
    failures = failures_since_last_sign_in(user=user)
    if failures.count:
        messages.warning(request, failures_text(failures))
    attempt_record(
        request,
        outcome=SignIn.Outcome.SUCCEEDED,
        user=user,
        device=device_of(request, login=login),
        method=SignIn.Method.PASSWORD if by_password else SignIn.Method.IDENTITY_PROVIDER,
        two_factor="mfa" in methods,
    )
    response = kwargs.get("response")
    if by_password and response is not None:
        device_remember(request, response, login=login)
