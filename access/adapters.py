"""The desk's rules for django-allauth."""

from __future__ import annotations

import logging
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from access.models import SignIn
from access.records import attempt_record

# Single sign-on's rules are in access/single_sign_on/; imported here so the old paths still lead to them.
from access.single_sign_on.adapter import DeskSocialAccountAdapter  # noqa: F401
from access.single_sign_on.roles import roles_from_claims  # noqa: F401

logger = logging.getLogger(__name__)


class DeskAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # admins make accounts (or the identity provider does, on a first sign-in)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            attempt_record(request, outcome=SignIn.Outcome.REFUSED, username=credentials.get("username", ""))
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        attempt_record(request, outcome=SignIn.Outcome.FAILED, username=credentials.get("username", ""))

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A sign-in within the re-authentication timeout (5 min) is as fresh as a password typed again:
        staff sent to set up two-factor right after signing in are not asked for their password twice."""
        request = context.request
        records = request.session.get("account_authentication_methods", []) if request is not None else []
        last = max((r.get("at", 0) for r in records if isinstance(r, dict)), default=0)
        if last and time.time() - last < account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        return super().is_reauthentication_required(app=app, **kwargs)
