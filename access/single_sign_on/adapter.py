"""The desk's rules for people who sign in through the identity provider (allauth's social account
adapter, SOCIALACCOUNT_ADAPTER)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.http import HttpRequest

from access.models import SignIn
from access.records import attempt_record
from access.single_sign_on.roles import provider_roles_sync, roles_from_claims

logger = logging.getLogger(__name__)


class DeskSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True  # the company's identity provider vouches for its people

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        """A first sign-in through the identity provider makes the user, with the roles its groups claim
        maps to (none otherwise: an admin can give one). No usable password: they sign in through the
        provider only."""
        user = super().save_user(request, sociallogin, form)
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        roles = roles_from_claims(sociallogin.account.extra_data)
        added, _ = provider_roles_sync(user=user, roles=roles, request=request)
        logger.info("sign-in: user %s made from the identity provider, roles %s", user.pk, sorted(added) or "none")
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """Every later sign-in re-reads the roles: the provider's word of today, not of the first day."""
        if sociallogin.is_existing:
            provider_roles_sync(
                user=sociallogin.user, roles=roles_from_claims(sociallogin.account.extra_data), request=request
            )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: BaseException | None = None,
        extra_context: Any = None,
    ) -> None:
        """A refused answer from the provider (a token that fails its checks, a wrong state...) is
        recorded with the sign-in attempts and logged with its reason; a person who cancelled is not."""
        if error != AuthError.CANCELLED:
            logger.warning("sign-in through the identity provider refused: %s", exception or error)
            attempt_record(request, outcome=SignIn.Outcome.REJECTED, method=SignIn.Method.IDENTITY_PROVIDER)
        super().on_authentication_error(request, provider, error, exception, extra_context)
