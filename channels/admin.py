import json

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from channels.models import Channel
from channels.services import channel_poll


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = [
            "name",
            "slug",
            "kind",
            "enabled",
            "high_priority",
            "poll_interval_seconds",
            "config",
            "our_accounts",
            "slack_channel",
        ]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "kind", "enabled", "health_badge", "last_success_at", "next_poll_at", "short_error"]
    list_filter = ["kind", "enabled", "health"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "health",
        "last_success_at",
        "last_polled_at",
        "last_error",
        "last_error_at",
        "consecutive_failures",
        "next_poll_at",
        "cursor_pretty",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "enabled", "high_priority", "poll_interval_seconds"]}),
        ("Platform", {"fields": ["config", "our_accounts", "slack_channel"]}),
        (
            "Health",
            {
                "fields": [
                    "health",
                    "last_success_at",
                    "last_polled_at",
                    "last_error",
                    "last_error_at",
                    "consecutive_failures",
                    "next_poll_at",
                    "cursor_pretty",
                ]
            },
        ),
    ]
    actions = ["poll_now", "reset_health"]

    @admin.display(description="Health", ordering="health")
    def health_badge(self, obj: Channel) -> str:
        colour = {"ok": "green", "backing_off": "orange", "failing": "red"}[obj.health]
        return format_html('<b style="color:{}">{}</b>', colour, obj.get_health_display())

    @admin.display(description="Last error")
    def short_error(self, obj: Channel) -> str:
        return obj.last_error[:80]

    @admin.display(description="Cursor")
    def cursor_pretty(self, obj: Channel) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.cursor, indent=2)[:4000])

    def save_model(self, request, obj: Channel, form, change: bool) -> None:
        if change and form.changed_data:
            # An admin touched the channel, typically to fix what made it fail.
            obj.mark_config_changed()
        super().save_model(request, obj, form, change)

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset) -> None:
        for channel in queryset:
            outcome = channel_poll(channel_id=channel.pk)
            level = messages.SUCCESS if outcome.status == "ok" else messages.WARNING
            detail = outcome.result.as_dict() if outcome.result else outcome.error
            self.message_user(request, f"{channel}: {outcome.status} {detail}", level)

    @admin.action(description="Clear failure state and poll again")
    def reset_health(self, request, queryset) -> None:
        n = queryset.update(health=Channel.Health.OK, consecutive_failures=0, next_poll_at=timezone.now())
        self.message_user(request, f"{n} channel(s) will be polled at the next dispatch.")
