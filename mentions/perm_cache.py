"""Each request's permission checks from the cache instead of two queries.

Django's ModelBackend reads a user's permissions (their own, their groups') with two queries the
first time a request asks `has_perm`, which every desk page does. Roles change a few times a year,
so the sets are kept in the cache under a version that any change to a user's groups or
permissions, a group's permissions, a group or a permission bumps (signals below): a change
takes effect on the next request, as before. The key also carries is_superuser and is_active,
which ModelBackend reads from the user row loaded for the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "perm-cache:version"
TTL_SECONDS = 600
# ModelBackend's per-user-object caches (django.contrib.auth.backends.ModelBackend._get_permissions).
_ATTRS = ("_user_perm_cache", "_group_perm_cache", "_perm_cache")


def _key(user: Any, version: int) -> str:
    return f"perm-cache:{user.pk}:{int(user.is_superuser)}{int(user.is_active)}:{version}"


def permissions_version_bump(**kwargs: Any) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates the old keys
        cache.set(VERSION_KEY, 1, timeout=None)


def permissions_preload(user: Any) -> None:
    """Give `user` the permission sets ModelBackend would query, from the cache when they are there."""
    if not getattr(user, "is_authenticated", False) or any(hasattr(user, attr) for attr in _ATTRS):
        return
    version = cache.get(VERSION_KEY, 0)
    key = _key(user, version)
    cached = cache.get(key)
    if cached is not None:
        for attr, perms in zip(_ATTRS, cached, strict=True):
            setattr(user, attr, perms)
        return
    backend = ModelBackend()
    backend.get_all_permissions(user)  # fills the three attributes
    if all(hasattr(user, attr) for attr in _ATTRS):
        cache.set(key, tuple(getattr(user, attr) for attr in _ATTRS), TTL_SECONDS)


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
