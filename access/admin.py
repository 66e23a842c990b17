from django.contrib import admin

from access.models import SignIn


@admin.register(SignIn)
class SignInAdmin(admin.ModelAdmin):
    """Every attempt on the sign-in page: who, from where, and how it ended. Read only."""

    list_display = ["at", "username", "user", "outcome", "method", "two_factor", "address"]
    list_filter = ["outcome", "method", "two_factor"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = [f.name for f in SignIn._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
