from allauth.mfa.models import Authenticator
from django.contrib import admin

from access.models import ProviderRole, SignIn
from advocacy.admin_display import ReadOnlyAdmin


@admin.register(SignIn)
class SignInAdmin(ReadOnlyAdmin):
    """Every attempt on the sign-in page: who, from where, and how it ended. Read only."""

    list_display = ["at", "username", "user", "outcome", "method", "two_factor", "address"]
    list_filter = ["outcome", "method", "two_factor"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = [f.name for f in SignIn._meta.fields]


@admin.register(ProviderRole)
class ProviderRoleAdmin(ReadOnlyAdmin):
    """The roles the identity provider gave, which a sign-in takes back once its groups claim stops giving
    them. Deleting one keeps the role as if an admin had given it; each change is in the user's history."""

    list_display = ["user", "group", "created_at"]
    list_filter = ["group"]
    search_fields = ["user__username"]
    list_select_related = ["user", "group"]
    readonly_fields = ["user", "group", "created_at", "updated_at"]


# allauth's own admin shows Authenticator.data: every TOTP secret and recovery seed, to every superuser.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Who has set up which second factor, and when it was last used; never its secret (the data field is in
    no list, form, search or history). Read only; deleting one makes its person set two-factor up again
    (staff are sent to do it at their next page)."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "type", "created_at", "last_used_at")
