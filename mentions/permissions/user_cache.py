"""The signed-in user of each request from this process's memory instead of a query.

Django's AuthenticationMiddleware reads the user's row on every request. A user row changes rarely (signing
in, a password, a role, deactivation), so it is kept under a version per user (advocacy.versioned): any save or
delete of the user, or a change of their groups or permissions, bumps it (signals in apps.py), so every
process sees the change on its next request, as before. The user's version and the permission sets' version
(mentions.permissions.perm_cache) come in one cache round trip; the row itself from this process's memory, or the
database. Never from the shared cache: the row carries the password's hash, which has no business in Redis
beside the sessions. Django's own checks still run on the row: an inactive user is nobody (ModelBackend), and a session
whose password hash no longer matches (the password changed) is handed to Django's get_user, which ends it.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any, cast

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from advocacy.versioned import version_bump, versions_get
from mentions.permissions.perm_cache import VERSION_KEY as PERMISSIONS_VERSION_KEY

# Rows kept per process, least recently used dropped first: a desk's signed-in users, many times over.
ROWS_KEPT = 512
_rows: OrderedDict[tuple[Any, int], Any] = OrderedDict()
_rows_lock = threading.Lock()
# Backends whose get_user is ModelBackend's (the row by its key, refused when inactive); another backend's
# sessions go through Django's get_user unchanged.
ROW_BACKENDS = ("django.contrib.auth.backends.ModelBackend", "allauth.account.auth_backends.AuthenticationBackend")


def _version_key(user_id: Any) -> str:
    return f"user-cache:version:{user_id}"


def user_version_bump(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """A user row saved or deleted (post_save, post_delete), or their groups or permissions changed
    (m2m_changed: `instance` is the user, or from the group's or permission's side, `reverse`, the users are
    in pk_set, or, for a clear, the members read before it)."""
    action = kwargs.get("action")
    if action is None:
        ids: list[Any] = [instance.pk]
    elif not kwargs.get("reverse"):
        if not action.startswith("post_"):
            return
        ids = [instance.pk]
    elif action == "pre_clear":
        ids = list(instance.user_set.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        ids = list(kwargs.get("pk_set") or ())
    else:
        return
    for user_id in ids:
        version_bump(_version_key(user_id))


def cached_user(user_id: Any) -> Any:
    """The user row `user_id` (None when there is none), with the permission sets' version it was read with."""
    user_key = _version_key(user_id)
    versions = versions_get(user_key, PERMISSIONS_VERSION_KEY)
    model = get_user_model()

    local_key = (user_id, versions[user_key])
    kept: Any
    with _rows_lock:
        kept = _rows.get(local_key)
        if kept is not None:
            _rows.move_to_end(local_key)
    if kept is None:
        kept = model._default_manager.filter(pk=user_id).first() or False  # False: no such user, kept too
        with _rows_lock:
            _rows[local_key] = kept
            while len(_rows) > ROWS_KEPT:
                _rows.popitem(last=False)
    if kept is False:
        return None
    user = copy.copy(kept)  # each request may set attributes on its user (the permission sets, the backend)
    user._perm_version = versions[PERMISSIONS_VERSION_KEY]
    return user


def session_user(request: HttpRequest) -> Any:
    """What django.contrib.auth.get_user answers, the row from `cached_user`."""
    session = request.session
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:  # signed out
        return auth.get_user(request)
    if backend_path not in ROW_BACKENDS or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    user = cached_user(user_id)
    if user is None or not user.is_active:  # ModelBackend.get_user's user_can_authenticate
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return auth.get_user(request)  # a changed password, or a fallback secret key: Django decides and flushes
    user.backend = backend_path
    return user


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with the user from `session_user` (still lazy: a request that never
    asks, such as a live refresh answered 304, reads nothing). Async views (`auser`) keep Django's."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = cast(Any, SimpleLazyObject(lambda: session_user(request)))
