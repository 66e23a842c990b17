"""Before this, a first sign-in through the identity provider gave roles from its groups claim and never
looked again, so nothing says which roles came from it. Mark as the provider's the roles a user holds that
the claims stored at their last sign-in map to: those are taken back at their next sign-in if the provider
no longer gives them (they could have come from the provider; a role an admin gave on top of the same
claim is treated as the provider's, the safe side). Roles nothing in the stored claims maps to stay an
admin's. The mapping is DESK_OIDC_* as configured when the migration runs, written out here so later
changes to the app's code do not change what this migration did."""

from django.conf import settings
from django.db import migrations

ROLES = ("Advocates", "Managers")


def _roles(extra_data):
    groups = set()
    claim = getattr(settings, "DESK_OIDC_GROUPS_CLAIM", "groups")
    for source in ("id_token", "userinfo", None):
        claims = extra_data if source is None else extra_data.get(source)
        found = claims.get(claim) if isinstance(claims, dict) else None
        if isinstance(found, str):
            found = [found]
        if isinstance(found, list):
            groups.update(g for g in found if isinstance(g, str))
    roles = set()
    if groups & set(getattr(settings, "DESK_OIDC_ADVOCATE_GROUPS", [])):
        roles.add("Advocates")
    if groups & set(getattr(settings, "DESK_OIDC_MANAGER_GROUPS", [])):
        roles.add("Managers")
    return roles


def mark(apps, schema_editor):
    SocialAccount = apps.get_model("socialaccount", "SocialAccount")
    ProviderRole = apps.get_model("access", "ProviderRole")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for account in SocialAccount.objects.all().iterator():
        roles = _roles(account.extra_data if isinstance(account.extra_data, dict) else {})
        if not roles:
            continue
        user = User.objects.get(pk=account.user_id)
        for group in user.groups.filter(name__in=roles & set(ROLES)):
            ProviderRole.objects.get_or_create(user_id=user.pk, group_id=group.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_provider_roles_and_rejected_sign_ins"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
