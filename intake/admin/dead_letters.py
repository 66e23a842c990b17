"""Admin for what the channels leave behind: the dead letters (items a poll could not store, to retry or
discard). The Slack outbox's admin is notifications.admin."""

import json
import logging

from django.contrib import admin, messages
from django.utils.html import format_html

from advocacy.admin_display import ReadOnlyAdmin, cut, cut_column, time_column
from channels.models import DeadLetter
from intake.services.quarantine import dead_letter_discard, dead_letter_retry

logger = logging.getLogger(__name__)


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    """Items a channel could not parse or store: look at the payload and the error, fix the
    cause (an adapter, a rule, the data), then retry; or discard what is not a mention."""

    list_display = ["created", "short_channel", "stage", "short_external_id", "status", "short_error", "seen"]
    list_filter = ["status", "stage", "channel"]
    list_select_related = ["channel"]
    search_fields = ["external_id", "error"]
    readonly_fields = [
        "channel",
        "stage",
        "status",
        "external_id",
        "error",
        "payload_pretty",
        "mention_pretty",
        "times_seen",
        "attempts",
        "created_at",
        "updated_at",
        "resolved_at",
        "resolved_by",
    ]
    exclude = ["payload", "mention", "fingerprint"]
    actions = ["retry", "discard"]

    def has_resolve_permission(self, request) -> bool:
        return request.user.has_perm("channels.change_deadletter")

    @admin.display(description="Seen", ordering="times_seen")
    def seen(self, obj: DeadLetter) -> int:
        return obj.times_seen

    created = time_column("created_at", "Created")

    @admin.display(description="Channel", ordering="channel__name")
    def short_channel(self, obj: DeadLetter) -> str:
        return cut(obj.channel.name, 28)

    short_external_id = cut_column("external_id", "Item id", 24, ordering="external_id")
    short_error = cut_column("error", "Error", 60)

    @admin.display(description="Payload as received")
    def payload_pretty(self, obj: DeadLetter) -> str:
        return format_html('<pre class="payload payload-tall">{}</pre>', _pretty(obj.payload))

    @admin.display(description="Parsed mention")
    def mention_pretty(self, obj: DeadLetter) -> str:
        if not obj.mention:
            return "—"
        return format_html('<pre class="payload">{}</pre>', _pretty(obj.mention))

    @admin.action(description="Retry: parse and store again", permissions=["resolve"])
    def retry(self, request, queryset) -> None:
        stored = 0
        for dead in queryset.select_related("channel"):
            ok, said = dead_letter_retry(dead, user=request.user)
            stored += ok
            if not ok:
                self.message_user(request, f"#{dead.pk} ({dead.external_id or 'no id'}): {said}", messages.WARNING)
        if stored:
            self.message_user(request, f"{stored} item(s) stored.", messages.SUCCESS)

    @admin.action(description="Discard: not a mention, keep out of the desk", permissions=["resolve"])
    def discard(self, request, queryset) -> None:
        discarded = sum(dead_letter_discard(dead, user=request.user) for dead in queryset)
        self.message_user(request, f"{discarded} item(s) discarded.", messages.SUCCESS)


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)[:50_000]
    except ValueError:
        return text[:50_000]
