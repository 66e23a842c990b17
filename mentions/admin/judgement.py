"""Admin: the desk's products (issue 71, docs/products.md). The first is the desk's default product and the one the
judgement of mentions reads (mentions.judgement.product); the next judgement run reads a change."""

from django.contrib import admin
from django.http import HttpRequest

from mentions.models import ProductProfile


@admin.register(ProductProfile)
class ProductProfileAdmin(admin.ModelAdmin):
    """Add allowed: a second product makes the ticket page show each ticket's product and move it, and the channel
    form ask for a channel's product."""

    list_display = ["name", "slug", "colour", "updated_at"]
    fields = ["name", "slug", "other_names", "description", "search_terms", "colour"]

    def has_delete_permission(self, request: HttpRequest, obj: ProductProfile | None = None) -> bool:
        # The first product is the default of every channel and ticket without one, and the judgement's: deleting it
        # while others remain would hand them all to the next one. Rename it instead.
        if obj is not None:
            first_two = list(ProductProfile.objects.order_by("pk").values_list("pk", flat=True)[:2])
            if len(first_two) > 1 and first_two[0] == obj.pk:
                return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        # Products are deleted one at a time, from their page, which knows which is the first.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
