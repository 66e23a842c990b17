"""Admin: what the product is, for the judgement of mentions (mentions.judgement)."""

from django.contrib import admin
from django.http import HttpRequest

from mentions.models import ProductProfile


@admin.register(ProductProfile)
class ProductProfileAdmin(admin.ModelAdmin):
    """One row: the first is used; the next judgement run reads it."""

    list_display = ["name", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not ProductProfile.objects.exists()
