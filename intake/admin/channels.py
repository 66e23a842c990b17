import json
import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from advocacy.admin_display import cut, cut_column, short_time
from channels.accounts.tokens import accounts_from_handles
from channels.adapters import AdapterError, get_adapter
from channels.adapters.registry import PLATFORMS, platform_of, platforms
from channels.budget import budget_plan
from channels.freshness import poll_interval
from channels.http import build_session
from channels.models import Account, Channel, DeadLetter
from channels.secrets import CredentialsUnreadable, credentials_describe
from intake.admin.channel_forms import (
    ChannelForm,
    WriteOnlyTextarea,
    channel_form_for,
    credential_field_names,
    setting_field_names,
)
from intake.services.polling import channel_poll
from mentions.products import desk_products

logger = logging.getLogger(__name__)

# Re-exported for the admin's callers.
__all__ = ["ChannelForm", "WriteOnlyTextarea"]


# What a channel's page shows of its polling: read-only, in the "Health" section.
HEALTH_FIELDS = [
    "health_badge",
    "last_success_at",
    "last_polled_at",
    "last_error",
    "last_error_at",
    "consecutive_failures",
    "next_poll_at",
    "cursor_pretty",
]


class AccountInline(admin.TabularInline):
    """The accounts the desk posts replies from, each connected through its platform's own flow."""

    model = Account
    extra = 0
    fields = ["username", "reply_mode", "position", "connection", "token_expires_at", "account_error"]
    readonly_fields = ["connection", "token_expires_at", "account_error"]
    verbose_name = "account the desk posts from"
    verbose_name_plural = "Accounts the desk posts from (connect each through the platform's own sign-in)"

    @admin.display(description="Connection")
    def connection(self, obj: Account) -> str:
        if obj.pk is None:
            return "Save first, then connect"
        tone = {"connected": "good", "needs_reconnect": "bad"}.get(obj.status, "quiet")
        label = "Reconnect" if obj.status != Account.Status.NOT_CONNECTED else "Connect"
        if obj.reply_mode == Account.ReplyMode.OUTSIDE and obj.status == Account.Status.NOT_CONNECTED:
            return format_html('<span class="tone-quiet">{}</span>', "Replies outside the desk: nothing to connect")
        shown = format_html(
            '<strong class="tone-{}">{}</strong> · <a href="{}">{}</a>',
            tone,
            obj.get_status_display(),
            reverse("channels:account-connect", args=[obj.pk]),
            label,
        )
        adapter = get_adapter(obj.channel.kind)
        if adapter.connects_with_channel_key:
            link = reverse("channels:account-channel-key", args=[obj.pk])
            shown = format_html('{} · <a href="{}">or with {}</a>', shown, link, adapter.channel_key_words)
        return shown

    @admin.display(description="Last error")
    def account_error(self, obj: Account) -> str:
        return cut(obj.last_error, 80) if obj.last_error else "—"


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    # Fits a 1366 px screen: long names and errors cut (whole in the title), the two poll times in one column.
    list_display = ["short_name", "kind", "enabled", "health_badge", "polls", "reads_this_month", "short_error"]
    list_filter = ["kind", "enabled", "health"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        # The quarantined count in the list: one annotated query, not one per row.
        open_dead = Count("dead_letters", filter=Q(dead_letters__status=DeadLetter.Status.OPEN))
        return super().get_queryset(request).annotate(open_dead_letters=open_dead)

    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "kind_chosen",
        *HEALTH_FIELDS,
        "credentials_set",
        "polling",
        "usage_summary",
        "platform_status_pretty",
    ]
    kind_picker_template = "admin/channels/channel/choose_kind.html"

    def _kind(self, request, obj: Channel | None) -> str | None:
        """The kind whose form is shown: the channel's own; on "add", the one chosen with `?kind=`."""
        if obj is not None:
            return obj.kind
        kind = request.GET.get("kind", "")
        return kind if kind in PLATFORMS else None

    def _form_kind(self, request, obj: Channel | None) -> str:
        """`_kind`, or where there is none (never on "add", whose first step asks for it) the first kind admin
        offers."""
        return self._kind(request, obj) or next(iter(PLATFORMS))

    def get_inlines(self, request, obj):
        # Accounts only where the platform declares a sign-in flow (the accounts that post its replies), once the
        # channel exists: connecting needs its saved OAuth app.
        return [AccountInline] if obj is not None and platform_of(obj.kind).accounts is not None else []

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        accounts_from_handles(channel=form.instance)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = channel_form_for(self._form_kind(request, obj))
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        kind = self._form_kind(request, obj)
        label = platform_of(kind).label
        polling = ["poll_interval_seconds", "polling"] if obj is not None else ["poll_interval_seconds"]
        # Its product only when the desk has more than one (issue 71): with one, nothing new is asked.
        product = ["product"] if desk_products().many else []
        fieldsets = [
            (None, {"fields": ["kind_chosen", "name", "slug", *product, "enabled", "high_priority", *polling]}),
            (f"{label}: settings", {"fields": setting_field_names(kind)}),
            ("Our accounts and Slack", {"fields": ["our_accounts", "slack_channel"]}),
            *self._credentials_fieldset(kind, label, obj),
            (
                "Advanced: raw JSON",
                {"fields": ["config", "new_credentials"], "classes": ["collapse"]},
            ),
        ]
        if obj is None:
            return fieldsets
        return [
            *fieldsets,
            ("Usage", {"fields": ["usage_summary", "platform_status_pretty"]}),
            (
                "Health",
                {"fields": HEALTH_FIELDS},
            ),
        ]

    def _credentials_fieldset(self, kind: str, label: str, obj: Channel | None) -> list:
        # A kind without credentials (Hacker News) gets no section, unless some are stored to be seen or cleared.
        fields = credential_field_names(kind)
        if not fields and not (obj and obj.credentials_encrypted):
            return []
        return [(f"{label}: credentials", {"fields": ["credentials_set", *fields, "clear_credentials"]})]

    def add_view(self, request, form_url="", extra_context=None):
        # Two steps: the kind first, so the form holds only that kind's settings.
        if self._kind(request, None) is None:
            return self._kind_picker(request)
        return super().add_view(request, form_url, extra_context)

    def _kind_picker(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        kinds = [(p.kind, p.label, p.help_text) for p in platforms()]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Add channel: which platform?",
            "kinds": kinds,
        }
        return TemplateResponse(request, self.kind_picker_template, context)

    @admin.display(description="Kind")
    def kind_chosen(self, obj: Channel) -> str:
        if obj.pk:
            return obj.get_kind_display()
        picker = reverse("admin:channels_channel_add")
        return format_html('{} · <a href="{}">choose another kind</a>', obj.get_kind_display(), picker)

    actions = ["poll_now", "test_connection", "reset_health"]

    @admin.display(description="Health", ordering="health")
    def health_badge(self, obj: Channel) -> str:
        # Classes, not style attributes: the Content-Security-Policy allows no inline style.
        tone = {"ok": "good", "backing_off": "warn", "failing": "bad"}[obj.health]
        badge = format_html('<b class="tone-{}">{}</b>', tone, obj.get_health_display())
        quarantined = getattr(obj, "open_dead_letters", None)
        if quarantined is None:
            quarantined = obj.dead_letters.filter(status=DeadLetter.Status.OPEN).count()
        if not quarantined:
            return badge
        link = reverse("admin:channels_deadletter_changelist") + f"?channel__id__exact={obj.pk}&status__exact=open"
        return format_html(
            '{} · <a href="{}" class="tone-warn">{} quarantined item{}</a>',
            badge,
            link,
            quarantined,
            "" if quarantined == 1 else "s",
        )

    short_name = cut_column("name", "Name", 40, ordering="name")

    @admin.display(description="Last OK · next poll", ordering="next_poll_at")
    def polls(self, obj: Channel) -> str:
        if obj.last_success_at is None and obj.next_poll_at is None:
            return "not polled yet"
        return format_html("{} · {}", short_time(obj.last_success_at), short_time(obj.next_poll_at))

    @admin.display(description="Reads (month)")
    def reads_this_month(self, obj: Channel) -> str:
        usage = obj.usage or {}
        reads = usage.get("reads", 0) if usage.get("month") == timezone.now().strftime("%Y-%m") else 0
        budget = (obj.config or {}).get("monthly_read_budget")
        return f"{reads:,} / {int(budget):,}" if budget else f"{reads:,}"

    short_error = cut_column("last_error", "Last error", 60)

    @admin.display(description="Stored credentials")
    def credentials_set(self, obj: Channel) -> str:
        try:
            keys = credentials_describe(obj.credentials)
        except CredentialsUnreadable as exc:
            return str(exc)
        return ", ".join(f"{k}: set" for k in keys) if keys else "none"

    @admin.display(description="Polls")
    def polling(self, obj: Channel) -> str:
        return poll_interval(obj).note if not platform_of(obj.kind).pushed else "Pushed by the platform: never polled."

    @admin.display(description="Reads this month")
    def usage_summary(self, obj: Channel) -> str:
        usage = obj.usage or {}
        budget = (obj.config or {}).get("monthly_read_budget")
        if budget:
            plan = budget_plan(
                budget=int(budget), usage=usage, base_interval=poll_interval(obj).seconds, now=timezone.now()
            )
            return plan.describe()
        if usage.get("month") == timezone.now().strftime("%Y-%m"):
            return f"{usage.get('reads', 0):,} reads in {usage.get('polls', 0):,} polls this month (no budget set)."
        return "No polls this month yet."

    @admin.display(description="Platform says")
    def platform_status_pretty(self, obj: Channel) -> str:
        status = obj.platform_status or {}
        if not status:
            return "—"
        return format_html_join("", "<div>{}: {}</div>", ((k, json.dumps(v)) for k, v in sorted(status.items())))

    @admin.display(description="Cursor")
    def cursor_pretty(self, obj: Channel) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.cursor, indent=2)[:4000])

    def save_model(self, request, obj: Channel, form, change: bool) -> None:
        if change and form.changed_data:
            # An admin touched the channel, typically to fix what made it fail.
            obj.mark_config_changed()
        super().save_model(request, obj, form, change)
        interval = poll_interval(obj)
        if obj.poll_interval_seconds and interval.seconds > obj.poll_interval_seconds:
            self.message_user(request, interval.note, messages.WARNING)

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset) -> None:
        for channel in queryset:
            outcome = channel_poll(channel_id=channel.pk)
            level = messages.SUCCESS if outcome.status == "ok" else messages.WARNING
            detail = outcome.result.as_dict() if outcome.result else outcome.error
            self.message_user(request, f"{channel}: {outcome.status} {detail}", level)

    @admin.action(description="Test connection (one call, shows what the platform answered)")
    def test_connection(self, request, queryset) -> None:
        for channel in queryset:
            try:
                summary = get_adapter(channel.kind).test_connection(channel=channel, session=build_session())
            except (AdapterError, CredentialsUnreadable) as exc:
                logger.warning("test_connection: channel=%s failed: %s", channel.slug, exc)
                self.message_user(request, f"{channel}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{channel}: {summary}", messages.SUCCESS)

    @admin.action(description="Clear failure state and poll again")
    def reset_health(self, request, queryset) -> None:
        n = queryset.update(health=Channel.Health.OK, consecutive_failures=0, next_poll_at=timezone.now())
        self.message_user(request, f"{n} channel(s) will be polled at the next dispatch.")
