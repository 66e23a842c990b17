"""Permissions from "Advocate for a day" grants (mentions.AdvocateGrant)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.utils import timezone

from mentions.permissions.roles import ADVOCATES, ROLE_PERMISSIONS

# What a grant gives: the Advocates role as mentions.permissions.roles defines it (and roles_ensure puts
# on the group). Static, so checking any other permission costs no query.
GRANTED_PERMISSIONS = frozenset(f"mentions.{codename}" for codename in ROLE_PERMISSIONS[ADVOCATES])


class AdvocateGrantBackend(BaseBackend):
    """While a user holds a valid grant, they have the Advocates' permissions.

    Authenticates nobody (ModelBackend does that). The grant is looked up at most once per
    request and user object, only when ModelBackend has not already granted the permission
    (so a permanent advocate costs nothing), and a grant stops working the moment it expires."""

    _cache = "_advocate_grant_active"

    def _granted(self, user_obj: Any) -> bool:
        if not hasattr(user_obj, self._cache):
            from mentions.models import AdvocateGrant

            now = timezone.now()
            active = AdvocateGrant.objects.filter(user=user_obj, starts_at__lte=now, expires_at__gt=now).exists()
            setattr(user_obj, self._cache, active)
        return getattr(user_obj, self._cache)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(GRANTED_PERMISSIONS) if self._granted(user_obj) else set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if perm not in GRANTED_PERMISSIONS or obj is not None:
            return False
        return user_obj.is_active and not user_obj.is_anonymous and self._granted(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return app_label == "mentions" and self.has_perm(user_obj, next(iter(GRANTED_PERMISSIONS)))
