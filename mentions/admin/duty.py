"""Admin: advocate-for-a-day grants (urgent pings and digests: notifications.admin)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from mentions.models import AdvocateGrant, AdvocateProfile
from mentions.services import grants


class AdvocateGrantForm(forms.ModelForm):
    """Grant for a number of hours (24 by default) from now or a chosen start."""

    hours = forms.DecimalField(
        min_value=0.25,
        max_value=336,
        initial=24,
        decimal_places=2,
        help_text="How long the access lasts (max 14 days).",
    )
    starts_at = forms.DateTimeField(required=False, help_text="Empty: now. UTC.")

    class Meta:
        model = AdvocateGrant
        fields = ["user", "reason", "starts_at", "hours"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise forms.ValidationError(f"{user.get_username()} is not an active user.")
        return user


@admin.register(AdvocateGrant)
class AdvocateGrantAdmin(admin.ModelAdmin):
    """ "Advocate for a day": access to the queue that ends by itself."""

    list_display = ["user", "starts_at", "expires_at", "state", "granted_by", "reason"]
    list_select_related = ["user", "granted_by"]
    search_fields = ["user__username", "reason"]
    autocomplete_fields = ["user"]
    actions = ["end_now"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AdvocateGrantForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "granted_by", "starts_at", "expires_at", "ended_at", "reason", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "reason", "starts_at", "hours"]
        return self.get_readonly_fields(request, obj)

    @admin.display(description="State")
    def state(self, obj) -> str:
        now = timezone.now()
        if obj.expires_at <= now:
            return "ended"
        return "active" if obj.starts_at <= now else "scheduled"

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return  # grants are not edited: end one and grant again
        created = grants.advocate_grant_create(
            user=form.cleaned_data["user"],
            granted_by=request.user,
            hours=float(form.cleaned_data["hours"]),
            starts_at=form.cleaned_data.get("starts_at") or None,
            reason=form.cleaned_data.get("reason") or "",
        )
        obj.pk = created.pk
        obj.starts_at, obj.expires_at = created.starts_at, created.expires_at
        self.message_user(
            request,
            f"{created.user.get_username()} can work the queue until {created.expires_at:%Y-%m-%d %H:%M} UTC.",
            messages.SUCCESS,
        )

    @admin.action(description="End the selected grants now")
    def end_now(self, request, queryset) -> None:
        n = 0
        for grant in queryset.filter(expires_at__gt=timezone.now()):
            grants.advocate_grant_end(grant=grant, by=request.user)
            n += 1
        self.message_user(request, f"Ended {n} grant(s).", messages.SUCCESS)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(AdvocateProfile)
class AdvocateProfileAdmin(admin.ModelAdmin):
    """An advocate's time zone (snooze presets), Slack member id (snooze reminders) and absence (a snoozed ticket
    waking while they are away goes to the queue)."""

    list_display = ["user", "time_zone", "slack_user_id", "away_until"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
