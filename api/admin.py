from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every personal access token (never the secret: only its first characters). Admins revoke one
    here; people make and revoke their own on the desk's token page."""

    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke")
    def revoke(self, request, queryset) -> None:
        from django.utils import timezone

        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{n} token(s) revoked.")
