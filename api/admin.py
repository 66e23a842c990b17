from django import forms
from django.contrib import admin

from api.models import ApiToken, WebhookDelivery, WebhookSubscription
from api.webhooks import subscription_start


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


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", help_text="Where the events are POSTed.")
    events = forms.MultipleChoiceField(
        choices=WebhookSubscription.Event.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        min_length=16,
        help_text="Shared with the receiver, which checks X-Desk-Signature with it (sha256 HMAC of "
        "“X-Desk-Timestamp.body”). Stored encrypted and never shown again; leave empty to keep the current one.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "active"]

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("secret"):
            self.add_error("secret", "A new webhook needs a secret (16 characters or more).")
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "events", "active", "created_at"]

    def save_model(self, request, obj, form, change) -> None:
        if form.cleaned_data.get("secret"):
            obj.secret = form.cleaned_data["secret"]
        if not change:
            subscription_start(obj)  # from now on: history is not replayed
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: each event sent to each webhook, its tries and the receiver's answers."""

    list_display = [
        "id",
        "subscription",
        "event",
        "ticket_id",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "delivered_at",
    ]
    list_filter = ["status", "event", "subscription"]
    list_select_related = ["subscription"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Send again (failed ones)")
    def send_again(self, request, queryset) -> None:
        from django.utils import timezone

        n = queryset.filter(status=WebhookDelivery.Status.FAILED).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{n} deliveries will be sent at the next run.")
