from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from advocacy.admin_display import ReadOnlyAdmin
from answers.models import Answer, FitWeights, SavedReply, Synonyms
from answers.saved_replies import saved_reply_lengths


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "uses", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["title", "keywords", "body"]
    fields = ["title", "body", "lengths", "keywords", "is_active", "uses"]
    readonly_fields = ["lengths", "uses"]

    @admin.display(description="Length on each platform")
    def lengths(self, obj: SavedReply) -> str:
        if not obj.body:
            return "—"
        # Escaped by format_html_join: the figures and labels are ours, but nothing here is marked safe by hand.
        return format_html_join(
            " · ",
            '<span class="{}">{}: {} of {}</span>',
            (("errornote" if p.over else "", p.platform, p.length, p.limit) for p in saved_reply_lengths(obj.body)),
        )

    def save_model(self, request: HttpRequest, obj: SavedReply, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]  # admin: signed in
        super().save_model(request, obj, form, change)


@admin.register(Synonyms)
class SynonymsAdmin(admin.ModelAdmin):
    list_display = ["words", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["words"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    """What the suggestions read, to see why an answer is (or is not) offered. Kept by answers.index.follow:
    read-only."""

    list_display = ["ticket_id", "title", "platform", "answered_at", "uses"]
    list_filter = ["platform"]
    search_fields = ["title", "question", "reply"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Answer._meta.fields]


@admin.register(FitWeights)
class FitWeightsAdmin(ReadOnlyAdmin):
    """The "nothing fits" weights learnt from the desk's use (answers.fit.use), each version with how it predicted
    the newest labels beside the version it would replace. Kept by answers.fit.learn: read-only."""

    list_display = ["pk", "created_at", "outcome", "labels", "labels_fit", "scored_on", "loss_before", "loss_after",
                    "accuracy_before", "accuracy_after"]  # fmt: skip
    list_filter = ["outcome"]
    readonly_fields = [f.name for f in FitWeights._meta.fields]


# The knowledge sources' admin, in its own module; imported here so the admin registers it.
import answers.knowledge.admin  # noqa: E402,F401
