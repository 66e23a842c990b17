from django import forms
from django.contrib import admin, messages
from django.db import transaction

from metrics.models import CoverageSchedule, DutySettings, Holiday, ReleaseRota, Target

WEEKDAYS = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
]


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
        fields = ["name", "weekdays", "start", "end"]
        help_texts = {"start": "UTC, e.g. 08:00", "end": "UTC, e.g. 22:00 (after the start; no overnight days)"}

    def clean_weekdays(self) -> list[int]:
        days = sorted(set(self.cleaned_data["weekdays"]))
        if not days:
            raise forms.ValidationError("Tick at least one covered day.")
        return days


@admin.register(CoverageSchedule)
class CoverageScheduleAdmin(RecomputeOnSave):
    form = CoverageScheduleForm
    list_display = ["name", "days", "start", "end"]

    @admin.display(description="Weekdays")
    def days(self, obj) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(names[d][:3] for d in sorted(obj.weekdays or []) if d in names)

    def has_add_permission(self, request) -> bool:
        # One schedule is used (the first): edit it rather than adding a second one.
        return super().has_add_permission(request) and not CoverageSchedule.objects.exists()


@admin.register(Holiday)
class HolidayAdmin(RecomputeOnSave):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["group", "median_hours"]


@admin.register(DutySettings)
class DutySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "release_day", "advocates_channel", "advocates_mention", "hn_urgent_points"]
    fieldsets = [
        ("Release day", {"fields": ["release_day"]}),
        ("After-hours alerts", {"fields": ["advocates_channel", "advocates_mention", "hn_urgent_points"]}),
        ("End-of-day digest", {"fields": ["digest_lead_minutes", "digest_margin_hours"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not DutySettings.objects.exists()


@admin.register(ReleaseRota)
class ReleaseRotaAdmin(admin.ModelAdmin):
    list_display = ["month", "advocate", "note"]
    list_select_related = ["advocate"]
    autocomplete_fields = ["advocate"]
    date_hierarchy = "month"
