from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from answers.models import SavedReply
from answers.saved_replies import saved_reply_lengths


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "uses", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["title", "keywords", "body"]
    fields = ["title", "body", "lengths", "keywords", "is_active", "uses"]
    readonly_fields = ["lengths", "uses"]

    @admin.display(description="Length on each platform")
    def lengths(self, obj: SavedReply) -> str:
        if not obj.body:
            return "—"
        # Escaped by format_html_join: the figures and labels are ours, but nothing here is marked safe by hand.
        return format_html_join(
            " · ",
            '<span class="{}">{}: {} of {}</span>',
            (("errornote" if p.over else "", p.platform, p.length, p.limit) for p in saved_reply_lengths(obj.body)),
        )

    def save_model(self, request: HttpRequest, obj: SavedReply, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]  # admin: signed in
        super().save_model(request, obj, form, change)


# The knowledge sources' admin, in its own module; imported here so the admin registers it.
import answers.knowledge_admin  # noqa: E402,F401
