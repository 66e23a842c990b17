from django.contrib import admin, messages
from django.db import transaction

from metrics.models import CoverageSchedule, Holiday, Target


class RecomputeOnSave(admin.ModelAdmin):
    """Business first-reply times depend on the schedule: recount them after a change."""

    def _recompute(self, request) -> None:
        from metrics.tasks import recompute_business_seconds

        transaction.on_commit(recompute_business_seconds.delay, robust=True)
        self.message_user(request, "Business first-reply times are being recounted in the background.", messages.INFO)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self._recompute(request)

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        self._recompute(request)


@admin.register(CoverageSchedule)
class CoverageScheduleAdmin(RecomputeOnSave):
    list_display = ["name", "weekdays", "start", "end"]


@admin.register(Holiday)
class HolidayAdmin(RecomputeOnSave):
    list_display = ["date", "name"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["group", "median_hours"]
