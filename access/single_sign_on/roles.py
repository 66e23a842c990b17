"""The desk roles a person holds because the identity provider says so, re-read at every sign-in.

The groups claim (DESK_OIDC_GROUPS_CLAIM) of the verified ID token, and of the userinfo answer about the
same subject, maps to Advocates (DESK_OIDC_ADVOCATE_GROUPS) and Managers (DESK_OIDC_MANAGER_GROUPS). A
role it gives is added and marked as the provider's (access.models.ProviderRole); a role marked so that it
no longer gives is removed, the change is written to the user's history in admin, and the person's other
sessions are ended so the old role stops working everywhere at once. A role an admin gave by hand is
never touched.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.usersessions.adapter import get_adapter as usersessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest

from access.models import ProviderRole

logger = logging.getLogger(__name__)

# The role groups (mentions.permissions.roles): named here rather than imported, access knowing nothing of tickets.
ADVOCATES, MANAGERS = "Advocates", "Managers"
DESK_ROLES = (ADVOCATES, MANAGERS)
# The parts of allauth's extra_data that hold verified claims (views.DeskOpenIDConnectAdapter).
VERIFIED_SOURCES = ("id_token", "userinfo")


def roles_from_claims(extra_data: dict[str, Any]) -> set[str]:
    """The desk roles the provider's groups claim maps to. Anything but a string or a list of strings
    there maps to nothing, and a missing claim means no groups."""
    groups: set[str] = set()
    for source in VERIFIED_SOURCES:
        claims = extra_data.get(source)
        found = claims.get(settings.DESK_OIDC_GROUPS_CLAIM) if isinstance(claims, dict) else None
        if isinstance(found, str):
            found = [found]
        if isinstance(found, list):
            groups.update(g for g in found if isinstance(g, str))
    roles = set()
    if groups & set(settings.DESK_OIDC_ADVOCATE_GROUPS):
        roles.add(ADVOCATES)
    if groups & set(settings.DESK_OIDC_MANAGER_GROUPS):
        roles.add(MANAGERS)
    return roles


def provider_roles_sync(*, user: Any, roles: set[str], request: HttpRequest | None) -> tuple[set[str], set[str]]:
    """Make the provider's roles of `user` exactly `roles`; returns (added, removed)."""
    with transaction.atomic():
        groups = {g.name: g for g in Group.objects.filter(name__in=DESK_ROLES)}
        held = set(user.groups.filter(name__in=DESK_ROLES).values_list("name", flat=True))
        marked = set(ProviderRole.objects.filter(user=user).values_list("group__name", flat=True))
        added = {role for role in roles - held if role in groups}
        removed = (marked & held) - roles
        for role in added:
            ProviderRole.objects.get_or_create(user=user, group=groups[role])
        if added:
            user.groups.add(*(groups[role] for role in added))
        if removed:
            user.groups.remove(*(groups[role] for role in removed))
        # Marks of roles gone either way (taken now, or by an admin since) are dropped.
        ProviderRole.objects.filter(user=user, group__name__in=marked - roles).delete()
        ended = _other_sessions_end(user=user, request=request) if removed else 0
        if added or removed:
            LogEntry.objects.log_actions(
                user_id=user.pk,
                queryset=[user],
                action_flag=CHANGE,
                change_message=_history_message(added, removed, ended),
                single_object=True,
            )
    if added or removed:
        logger.info(
            "sign-in: user %s roles from the identity provider: added %s, removed %s, %s other sessions ended",
            user.pk,
            sorted(added),
            sorted(removed),
            ended,
        )
    return added, removed


def _history_message(added: set[str], removed: set[str], ended: int) -> str:
    parts = []
    if added:
        parts.append(f"added to {', '.join(sorted(added))}")
    if removed:
        parts.append(f"removed from {', '.join(sorted(removed))} (no longer in the groups claim)")
        parts.append(f"{ended} other session{'s' if ended != 1 else ''} ended")
    return "Signed in through the identity provider: " + "; ".join(parts) + "."


def _other_sessions_end(*, user: Any, request: HttpRequest | None) -> int:
    """End every session of `user` but the one signing in now: allauth.usersessions indexes them at each
    sign-in, and ending one deletes its row and its cache entry (the cached_db engine's delete)."""
    current = getattr(getattr(request, "session", None), "session_key", None)
    sessions = [s for s in UserSession.objects.filter(user_id=user.pk) if s.session_key != current]
    usersessions_adapter().end_sessions(sessions)
    return len(sessions)
