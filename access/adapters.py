"""The desk's rules for django-allauth."""

from __future__ import annotations

import logging
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone

from access.client_address import address_source, client_address
from access.devices import device_of
from access.limits import Admission, Attempt, attempt_admit, login_key, wait_text
from access.models import SignIn
from access.notices import owner_notice_consider
from access.records import attempt_record

# Single sign-on's rules are in access/single_sign_on/; imported here so the old paths still lead to them.
from access.single_sign_on.adapter import DeskSocialAccountAdapter  # noqa: F401
from access.single_sign_on.roles import roles_from_claims  # noqa: F401

logger = logging.getLogger(__name__)


class DeskAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # admins make accounts (or the identity provider does, on a first sign-in)

    def get_client_ip(self, request: HttpRequest) -> str:
        """One reading of the client's address for allauth's rate limits, the desk's sign-in limits and the
        SignIn records, proxies included (access.client_address)."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """The desk's sign-in limits (access.limits) in place of allauth's per-account lockout. A refused
        attempt is answered before the password is looked at: its answer says nothing about the password."""
        login = login_key(credentials.get("username", ""))
        attempt = Attempt(
            login=login, source=address_source(client_address(request)), device=device_of(request, login=login)
        )
        self._admission = attempt_admit(attempt=attempt, now=timezone.now())
        wait = self._admission.wait
        if wait is not None:
            attempt_record(
                request,
                outcome=SignIn.Outcome.REFUSED,
                username=credentials.get("username", ""),
                device=attempt.device,
                detail=f": wait {wait.seconds} s ({wait.limit})",
            )
            raise ValidationError(
                f"Too many failed sign-in attempts. Try again in {wait_text(wait.seconds)}.",
                code="too_many_login_attempts",
            )

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        try:
            return super().authenticate(request, **credentials)
        finally:
            admission: Admission | None = getattr(self, "_admission", None)
            if admission is not None:
                admission.release()

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        admission: Admission | None = getattr(self, "_admission", None)
        attempt_record(
            request,
            outcome=SignIn.Outcome.FAILED,
            username=credentials.get("username", ""),
            device=admission.attempt.device if admission else "",
        )
        owner_notice_consider(login=login_key(credentials.get("username", "")), now=timezone.now())

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A sign-in within the re-authentication timeout (5 min) is as fresh as a password typed again:
        staff sent to set up two-factor right after signing in are not asked for their password twice."""
        request = context.request
        records = request.session.get("account_authentication_methods", []) if request is not None else []
        last = max((r.get("at", 0) for r in records if isinstance(r, dict)), default=0)
        if last and time.time() - last < account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        return super().is_reauthentication_required(app=app, **kwargs)
