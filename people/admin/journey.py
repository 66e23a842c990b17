"""The contributor journey in admin (people.journey): the weights of activities and the levels, whose every
change recounts everyone's points and levels at once (two statements, people.journey.recompute); the
activities recorded and the recognitions, to read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest

from advocacy.admin_display import ReadOnlyAdmin, RecordedAdmin
from people.journey.recompute import journey_recompute
from people.models import Activity, ActivityWeight, Level, Recognition


class _Recounts(admin.ModelAdmin):
    """Saving or deleting a row recounts everyone: a weight or a threshold moves every person's level."""

    def _recount(self, request: HttpRequest) -> None:
        changed = journey_recompute()
        self.message_user(request, f"Everyone's points recounted: {changed} changed level.", messages.INFO)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._recount(request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            self._recount(request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            self._recount(request)


@admin.register(ActivityWeight)
class ActivityWeightAdmin(_Recounts):
    list_display = ["kind", "points"]
    # Not list_editable: a change list saving several weights would recount once per row.


@admin.register(Level)
class LevelAdmin(_Recounts):
    list_display = ["name", "threshold", "order", "gift_item", "discount_batch"]
    list_select_related = ["discount_batch"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["kind", "person", "at", "link", "source"]
    show_full_result_count = False  # a row per ticket opened: no COUNT(*) of them all
    list_filter = ["kind"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]
    search_fields = ["source"]


@admin.register(Recognition)
class RecognitionAdmin(RecordedAdmin):
    list_display = ["person", "from_level", "to_level", "state", "created_at", "decided_by"]
    list_filter = ["state", "to_level"]
    raw_id_fields = ["person"]
    list_select_related = ["person", "from_level", "to_level", "decided_by"]
