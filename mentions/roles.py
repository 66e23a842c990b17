"""The desk's roles as Django groups. Admins are staff users working in Django admin."""

from typing import Any

ADVOCATES = "Advocates"
MANAGERS = "Managers"

ROLE_PERMISSIONS = {
    ADVOCATES: ["work_queue"],
    MANAGERS: ["work_queue", "manage_all_tickets", "view_dashboards"],
}


def roles_ensure(**kwargs: Any) -> None:
    """Create the role groups with their permissions (idempotent; runs after migrate, when
    the permissions exist)."""
    from django.contrib.auth.models import Group, Permission

    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        perms = Permission.objects.filter(content_type__app_label="mentions", codename__in=codenames)
        group.permissions.add(*perms)
