from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from advocacy.admin_display import RecordedAdmin
from mentions.models import CoverageSchedule, DutySettings, Holiday, ReleaseRota, Target
from mentions.products import desk_products
from metrics.models import ReportSchedule, ReportSend

WEEKDAYS = ReportSchedule.Weekday.choices  # ISO numbers, 1 = Monday, as CoverageSchedule.weekdays holds them


class RecomputeOnSave(admin.ModelAdmin):
    """Business first-reply times depend on the schedule: recount them after a change."""

    def _recompute(self, request) -> None:
        from metrics.tasks import recompute_business_seconds

        transaction.on_commit(recompute_business_seconds.delay, robust=True)
        self.message_user(
            request,
            "Business first-reply times are being recounted in the background. SLA due times of tickets "
            "already open keep their value; new tickets use the new schedule.",
            messages.INFO,
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self._recompute(request)

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        self._recompute(request)


class OneRowAdmin(admin.ModelAdmin):
    """Settings kept in one row (the first is used, defaults apply without one): the list page opens that row,
    or, before anything is saved, the add form filled with the defaults in effect, never an empty "0 items"."""

    many = False  # rows are many (the list is a list), but the defaults in effect still open when there is none

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        row = self.model.objects.order_by("pk").first()
        if row is not None and self.many:
            return super().changelist_view(request, extra_context)
        if row is not None and self.has_view_or_change_permission(request, row):
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
        if row is None and self.has_add_permission(request):
            self.message_user(
                request,
                "Nothing saved yet: the form shows the defaults in effect. Save it to change them.",
                messages.INFO,
            )
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        # The first row is the one used: edit it rather than adding a second one.
        return super().has_add_permission(request) and (self.many or not self.model.objects.exists())


class CoverageScheduleForm(forms.ModelForm):
    """Weekdays as checkboxes instead of a JSON list."""

    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,  # clean_weekdays says what is missing
        widget=forms.CheckboxSelectMultiple,
        help_text="Covered days.",
    )

    class Meta:
        model = CoverageSchedule
        fields = ["name", "weekdays", "start", "end", "time_zone", "release_day_only", "duty_only", "on_duty"]
        help_texts = {
            "start": "In the schedule's time zone, e.g. 09:00",
            "end": "In the schedule's time zone, e.g. 17:00; before the start: the next day (overnight duty)",
        }

    def clean_weekdays(self) -> list[int]:
        days = sorted(set(self.cleaned_data["weekdays"]))
        if not days:
            raise forms.ValidationError("Tick at least one covered day.")
        return days


@admin.register(CoverageSchedule)
class CoverageScheduleAdmin(OneRowAdmin, RecomputeOnSave):
    """One row per schedule (two offices, a weekend release-day duty): the desk is covered when any team schedule
    covers it (mentions.coverage). Before any is saved, the list opens the default schedule in effect."""

    many = True
    form = CoverageScheduleForm
    list_display = ["name", "days", "start", "end", "time_zone", "release_day_only", "duty_only", "who"]
    list_select_related = ["on_duty"]

    def get_changeform_initial_data(self, request) -> dict:
        # The model's weekdays default is an empty list; a new schedule starts from the default days.
        return {"weekdays": CoverageSchedule.current().weekdays, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "on_duty":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Weekdays")
    def days(self, obj) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(names[d][:3] for d in sorted(obj.weekdays or []) if d in names)

    @admin.display(description="On duty")
    def who(self, obj) -> str:
        """Who takes the after-hours pings in a duty schedule's hours (notifications.on_duty)."""
        if not obj.duty_only:
            return "—"
        if obj.on_duty_id:
            return str(obj.on_duty)
        return "the month's release advocate" if obj.release_day_only else "nobody named: the channel"


@admin.register(Holiday)
class HolidayAdmin(RecomputeOnSave):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """One row per channel group, and a default for a group without one: the list shows the target in effect
    for every group, saved or not."""

    list_display = ["group", "median_hours"]

    def changelist_view(self, request, extra_context=None):
        saved = {t.group: t for t in Target.objects.all()}
        hours = Target.hours()
        in_effect = []
        for group in Target.Group:
            row = saved.get(group.value)
            if row is not None:
                link = reverse("admin:mentions_target_change", args=[row.pk])
            else:
                link = reverse("admin:mentions_target_add") + f"?group={group.value}&median_hours={hours[group]:g}"
            in_effect.append(
                {"label": group.label, "hours": f"{hours[group]:g}", "saved": row is not None, "link": link}
            )
        return super().changelist_view(request, {**(extra_context or {}), "targets_in_effect": in_effect})


@admin.register(DutySettings)
class DutySettingsAdmin(OneRowAdmin):
    list_display = ["__str__", "release_day", "advocates_channel", "advocates_mention", "hn_urgent_points"]
    fieldsets = [
        ("Release day", {"fields": ["release_day"]}),
        ("After-hours alerts", {"fields": ["advocates_channel", "advocates_mention", "hn_urgent_points"]}),
        ("End-of-day digest", {"fields": ["digest_lead_minutes", "digest_margin_hours"]}),
    ]


@admin.register(ReleaseRota)
class ReleaseRotaAdmin(admin.ModelAdmin):
    list_display = ["month", "advocate", "product", "note"]
    list_select_related = ["advocate"]
    autocomplete_fields = ["advocate"]
    date_hierarchy = "month"

    # An entry's product only when the desk has more than one (issue 71): with one, nothing new is shown or asked.
    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))
        return shown if desk_products().many else [name for name in shown if name != "product"]

    def get_list_select_related(self, request: HttpRequest) -> list[str]:
        return ["advocate", "product"] if desk_products().many else ["advocate"]

    def get_exclude(self, request: HttpRequest, obj: ReleaseRota | None = None) -> tuple[str, ...]:
        return () if desk_products().many else ("product",)


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ("kind", "is_active", "slack_channel", "email_managers", "weekday", "day_of_month", "hour")
    list_filter = ("kind", "is_active")
    readonly_fields = ("last_sent_period",)  # after the editable fields, as the model orders them

    def get_exclude(self, request, obj=None):
        # With one product nothing new is asked (issue 71); a schedule then reports the whole desk.
        return () if desk_products().many else ("product",)


@admin.register(ReportSend)
class ReportSendAdmin(RecordedAdmin):
    """What each report said and where it went; a send that failed can go again after the fix."""

    list_display = ("email_subject", "schedule", "status", "email_status", "created_at")
    list_filter = ("status", "email_status")
    readonly_fields = [f.name for f in ReportSend._meta.fields]
    actions = ["send_again"]

    @admin.action(description="Send again (failed Slack messages and e-mails)")
    def send_again(self, request, queryset) -> None:
        slack = queryset.filter(status=ReportSend.Status.FAILED).update(
            status=ReportSend.Status.PENDING, attempts=0, next_attempt_at=None
        )
        email = queryset.filter(email_status=ReportSend.Status.FAILED).update(
            email_status=ReportSend.Status.PENDING, email_attempts=0, email_next_attempt_at=None
        )
        self.message_user(request, f"{slack} Slack messages and {email} e-mails queued again.", messages.INFO)
