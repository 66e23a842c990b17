"""The desk's roles as Django groups. Admins are staff users working in Django admin."""

from typing import Any

ADVOCATES = "Advocates"
MANAGERS = "Managers"
# Experts draft replies on a ticket an advocate points them to; an advocate approves each before it is posted
# (mentions.services.approvals). They do not work the queue: no Play, no sending, assigning or status.
EXPERTS = "Experts"

ROLE_PERMISSIONS = {
    ADVOCATES: ["work_queue"],
    MANAGERS: ["work_queue", "manage_all_tickets", "view_dashboards"],
    EXPERTS: ["draft_replies"],
}
# Permissions of apps above mentions that a role carries ("app_label.codename"), registered in their
# AppConfig.ready() (people: managers merge, split and erase people).
_ROLE_EXTRA: dict[str, list[str]] = {ADVOCATES: [], MANAGERS: [], EXPERTS: []}


def role_permission_add(role: str, permission: str) -> None:
    if permission not in _ROLE_EXTRA[role]:
        _ROLE_EXTRA[role].append(permission)


def roles_ensure(**kwargs: Any) -> None:
    """Create the role groups with their permissions (idempotent; runs after migrate, when
    the permissions exist)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = Q(content_type__app_label="mentions", codename__in=codenames)
        for dotted in _ROLE_EXTRA[group_name]:
            app_label, codename = dotted.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(wanted))
