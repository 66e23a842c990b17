from django.contrib import admin

from advocacy.admin_display import ReadOnlyAdmin
from slackapp.models import SlackEvent


@admin.register(SlackEvent)
class SlackEventAdmin(ReadOnlyAdmin):
    """What Slack sent and what became of it: read-only (the worker writes the outcome)."""

    list_display = ["received_at", "kind", "status", "retries", "attempts", "error"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "kind", "error"]
    show_full_result_count = False
    readonly_fields = [f.name for f in SlackEvent._meta.fields]
