from django.contrib import admin
from django.http import HttpRequest

from slackapp.models import SlackEvent


@admin.register(SlackEvent)
class SlackEventAdmin(admin.ModelAdmin):
    """What Slack sent and what became of it: read-only (the worker writes the outcome)."""

    list_display = ["received_at", "kind", "status", "retries", "attempts", "error"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "kind", "error"]
    show_full_result_count = False
    readonly_fields = [f.name for f in SlackEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SlackEvent | None = None) -> bool:
        return False
