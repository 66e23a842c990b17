"""Who is calling, what the token lets them do, and how often."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken
from api.tokens import token_check, two_factor_missing
from mentions.permissions.perm_cache import permissions_preload


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer tdk_…` with a personal access token."""

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = get_authorization_header(request).decode("latin-1")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = token_check(raw.strip())
        if token is None:
            raise exceptions.AuthenticationFailed("The token is unknown, revoked or expired.")
        # The permission sets from the cache, as a signed-in page has them (mentions.permissions.perm_cache): the
        # page's middleware preloads the session's user, never the token's, so each call paid ModelBackend's two
        # queries (21 % of the served requests' CPU in api/tests/test_schema.py, py-spy, bench/README.md).
        permissions_preload(token.user)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class TwoFactorDone(permissions.BasePermission):
    """A token is refused while its user must set up two-factor authentication and has not: the desk's
    pages send that user to set it up (access.two_factor), so the API cannot be the way around it. Checked
    on every request, so a user who becomes staff after making a token is held to it from then on. (A
    browser session never gets here in that state: the middleware has sent it to the set-up page.)"""

    message = (
        "Your account must set up two-factor authentication: sign in to the desk and set it up, "
        "then this token works again."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        return not two_factor_missing(request.user)


class TokenScope(permissions.BasePermission):
    """A read token reads; writing needs a read-write one. A signed-in browser has its user's rights."""

    message = "This token is read-only: make a read-write token to change tickets."

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or not isinstance(request.auth, ApiToken):
            return True
        return request.auth.can_write


def needs(*perms: str) -> type[permissions.BasePermission]:
    """The pages' permission (any of `perms`), for an API view."""

    class HasPerm(permissions.BasePermission):
        message = "Your account cannot see or do this in the desk either."

        def has_permission(self, request: Any, view: Any) -> bool:
            return any(request.user.has_perm(p) for p in perms)

    return HasPerm


class TokenRateThrottle(SimpleRateThrottle):
    """DESK_API_RATE requests per user: one bucket for all their tokens and their browser session, shared
    by every worker (the cache). More tokens do not buy more requests."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.DESK_API_RATE

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token scheme in the OpenAPI schema (drf-spectacular finds it by subclassing)."""

    target_class = "api.auth.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "tdk_…"}
