"""Each request's permission checks from the cache instead of two queries.

Django's ModelBackend reads a user's permissions (their own, their groups') with two queries the
first time a request asks `has_perm`, which every desk page does. Roles change a few times a year,
so the sets are kept under a version that any change to a user's groups or permissions, a
group's permissions, a group or a permission bumps (signals in apps.py): a change takes effect
on the next request, as before. They come from the process's memory (advocacy.versioned: one
cache read for the version). The key also carries is_superuser and is_active, which ModelBackend
reads from the user row loaded for the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse

from advocacy.versioned import version_bump, versioned

VERSION_KEY = "perm-cache:version"
TTL_SECONDS = 600
# ModelBackend's per-user-object caches (django.contrib.auth.backends.ModelBackend._get_permissions).
_ATTRS = ("_user_perm_cache", "_group_perm_cache", "_perm_cache")


def permissions_version_bump(**kwargs: Any) -> None:
    version_bump(VERSION_KEY)


def permissions_preload(user: Any) -> None:
    """Give `user` the permission sets ModelBackend would query, kept per version."""
    if not getattr(user, "is_authenticated", False) or any(hasattr(user, attr) for attr in _ATTRS):
        return

    def build() -> tuple[frozenset[str], ...]:
        ModelBackend().get_all_permissions(user)  # fills the three attributes
        # Frozen: the same sets serve every request of this process for this user.
        return tuple(frozenset(getattr(user, attr, ())) for attr in _ATTRS)

    name = f"{user.pk}:{int(user.is_superuser)}{int(user.is_active)}"
    # The version read with the user's own (mentions.permissions.user_cache), when the user came from there: one round
    # trip.
    version = getattr(user, "_perm_version", None)
    sets = versioned(VERSION_KEY, name, build, ttl=TTL_SECONDS, version=version)
    for attr, perms in zip(_ATTRS, sets, strict=True):
        setattr(user, attr, perms)


class PermissionCacheMiddleware:
    """After AuthenticationMiddleware and LiveMiddleware: the permission sets are in place before
    the view asks. In process_view, not on the way in, so a live refresh answered 304 by
    LiveMiddleware never loads the user row for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        permissions_preload(request.user)
