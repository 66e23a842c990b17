"""Two-factor authentication required of staff who sign in with a password (DESK_2FA_REQUIRED_FOR_STAFF,
on by default) and, with DESK_2FA_REQUIRED_FOR_ALL, of every password user. Until they have set up an
authenticator app, every desk and admin page sends them to do it; once they have, it cannot be removed
while it is required. Users of the identity provider answer to its own policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from access.mfa_secrets import mfa_secret_decrypt, mfa_secret_encrypt

SETUP_DONE = "desk_2fa_ok"
# Signing in and out, setting up the authenticator, and what no person's page asks for.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/csp-report/", "/hooks/")


def two_factor_required(user: Any) -> bool:
    if not user.is_authenticated or not user.has_usable_password():
        return False
    return settings.DESK_2FA_REQUIRED_FOR_ALL or (settings.DESK_2FA_REQUIRED_FOR_STAFF and user.is_staff)


class DeskMFAAdapter(DefaultMFAAdapter):
    """allauth stores TOTP secrets and recovery seeds through these two hooks, which by default store them
    in clear: here they are encrypted with the desk's key (access.mfa_secrets)."""

    def encrypt(self, text: str) -> str:
        return mfa_secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_secret_decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and two_factor_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


class TwoFactorRequiredMiddleware:
    """Checked in process_view, after mentions.live's: an unchanged live refresh is answered 304 before
    this loads the user (one query per refresh, as the live pages promise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.session.get(SETUP_DONE) or request.path.startswith(EXEMPT_PREFIXES):
            return None
        user = request.user
        if not two_factor_required(user):
            return None
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            request.session[SETUP_DONE] = True  # asked once per session, not on every page
            return None
        messages.warning(request, "Set up two-factor authentication to go on: your account requires it.")
        target = reverse("mfa_activate_totp")
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)
