from django import forms
from django.contrib import admin
from django.db.models import Count, Q

from advocacy.admin_display import RecordedAdmin
from api.models import ApiToken, WebhookDelivery, WebhookSubscription
from api.webhook_delivery import deliveries_give_up, deliveries_send_again, subscription_resume
from api.webhook_signing import secret_generate, secret_problem
from api.webhook_urls import WebhookUrlRefused, webhook_target
from api.webhooks import subscription_start


@admin.register(ApiToken)
class ApiTokenAdmin(RecordedAdmin):
    """Every personal access token (never the secret: only its first characters). Admins revoke one
    here; people make and revoke their own on the desk's token page."""

    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    @admin.action(description="Revoke")
    def revoke(self, request, queryset) -> None:
        from django.utils import timezone

        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{n} token(s) revoked.")


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),  # admin's width for a URL, not a 20-character box
        help_text="Where the events are POSTed (https in production). Private addresses are refused unless "
        "allowed by DESK_WEBHOOK_ALLOWED_NETWORKS.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookSubscription.Event.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Shared with the receiver, which verifies webhook-signature with it (Standard Webhooks: "
        "the standardwebhooks library). Stored encrypted and never shown again; leave empty to keep the current "
        "one, or paste a new one to change it.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # A new subscription gets a generated key, shown here once, before it is stored: copy it to
            # the receiver now. (An admin may replace it with their own.)
            self.fields["secret"].widget = forms.TextInput(attrs={"autocomplete": "off", "size": 60})
            self.fields["secret"].initial = secret_generate()
            self.fields["secret"].help_text = (
                "Copy this secret to the receiver now: it is stored encrypted and never shown again. The "
                "receiver verifies webhook-signature with it (Standard Webhooks: the standardwebhooks library)."
            )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            webhook_target(url)
        except WebhookUrlRefused as exc:
            raise forms.ValidationError(f"Refused: {exc.category}.", code="webhook_url_refused") from exc
        return url

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret", "")
        if secret and (problem := secret_problem(secret)):
            raise forms.ValidationError(problem)
        return secret

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.instance.pk and not data.get("secret") and "secret" not in self.errors:
            self.add_error("secret", "A new webhook needs a secret.")
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Subscriptions and how each is doing: delivering, failing since when and why, or paused (its admins
    were e-mailed; "Resume now" sends what waits at once)."""

    form = WebhookSubscriptionForm
    list_display = ["name", "url", "events", "active", "state", "waiting", "created_at"]
    readonly_fields = ["state", "position", "created_at"]
    actions = ["resume_now"]

    def get_queryset(self, request):
        waiting = Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING))
        return super().get_queryset(request).annotate(waiting=waiting)

    @admin.display(description="State")
    def state(self, obj: WebhookSubscription) -> str:
        if not obj.active:
            return "Off"
        if obj.paused_at:
            return f"Paused since {obj.paused_at:%Y-%m-%d %H:%M} UTC: {obj.paused_reason}"
        if obj.failing_since:
            return (
                f"Failing since {obj.failing_since:%Y-%m-%d %H:%M} UTC ({obj.consecutive_failures} attempts; "
                f"{obj.last_failure})"
            )
        return "Delivering"

    @admin.display(description="Waiting", ordering="waiting")
    def waiting(self, obj: WebhookSubscription) -> int:
        return getattr(obj, "waiting", 0)

    def save_model(self, request, obj, form, change) -> None:
        if form.cleaned_data.get("secret"):
            obj.secret = form.cleaned_data["secret"]
        if not change:
            subscription_start(obj)  # from now on: history is not replayed
        super().save_model(request, obj, form, change)

    @admin.action(description="Resume now (send what waits)")
    def resume_now(self, request, queryset) -> None:
        waiting = sum(subscription_resume(subscription_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{queryset.count()} webhook(s) resumed; {waiting} deliveries will go out in order.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RecordedAdmin):
    """The delivery log: each event sent to each webhook, its tries and what went wrong, by category
    ("timeout", "connection refused", "answered 503", "refused: private address (10.0.0.0/8)"): never
    the receiver's own words."""

    list_display = [
        "id",
        "subscription",
        "event",
        "ticket_id",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "subscription"]
    list_select_related = ["subscription"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["send_again", "give_up"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Send again (given-up ones)")
    def send_again(self, request, queryset) -> None:
        n = deliveries_send_again(deliveries=queryset)
        self.message_user(request, f"{n} deliveries will be sent again, in event order.")

    @admin.action(description="Give up on these (the ones after them go out)")
    def give_up(self, request, queryset) -> None:
        n = deliveries_give_up(deliveries=queryset)
        self.message_user(request, f"{n} pending deliveries given up; “Send again” undoes it.")
