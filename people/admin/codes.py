"""Discount batches and codes, gifts and contributions in admin.

A batch is added with its codes (a textarea, or a text or CSV file: one code per line, the first column);
the codes themselves are never typed or edited one by one, and who got which is read here and in the
person's history. Gifts change state through people.contributions, so the address goes when a gift ships.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from advocacy.admin_display import ReadOnlyAdmin, cut_column, time_column
from people.codes import ParsedCodes, codes_add, codes_parse
from people.contributions import ADDRESS_DROPPED, FINAL, gift_state_set
from people.journey.record import contribution_changed, contributions_record, contributions_removed
from people.models import Contribution, DiscountBatch, DiscountCode, Gift, PersonEvent

UPLOAD_MAX_BYTES = 5 * 1024 * 1024


class BatchUploadForm(forms.ModelForm):
    codes_text = forms.CharField(
        label="Codes", required=False, widget=forms.Textarea(attrs={"rows": 10}), help_text="One code per line."
    )
    codes_file = forms.FileField(
        label="Or a file", required=False, help_text="Text or CSV (UTF-8): one code per line, or the first column."
    )

    class Meta:
        model = DiscountBatch
        fields = ["name", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("codes_text") or ""
        upload = data.get("codes_file")
        if upload is not None:
            if upload.size > UPLOAD_MAX_BYTES:
                raise ValidationError(f"The file is larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB.")
            try:
                text = "\n".join([text, upload.read().decode("utf-8-sig")])
            except UnicodeDecodeError as exc:
                raise ValidationError("The file is not UTF-8 text.") from exc
        parsed = codes_parse(text)
        if parsed.errors:
            raise ValidationError(parsed.errors)
        if not parsed.codes:
            raise ValidationError("Paste the codes or choose a file: no code was found.")
        self.parsed = parsed
        return data


class GivenCodeInline(admin.TabularInline):
    """The batch's given codes: who got which, when, from whom (the free ones are only counted)."""

    model = DiscountCode
    verbose_name_plural = "codes given"
    fields = readonly_fields = ("code", "person", "ticket", "given_by", "given_at")
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[DiscountCode]:
        return (
            super()
            .get_queryset(request)
            .filter(given_at__isnull=False)
            .select_related("person", "given_by")
            .order_by("-given_at")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DiscountBatch)
class DiscountBatchAdmin(admin.ModelAdmin):
    list_display = ["name", "note_cut", "given", "free", "uploaded_by", "created"]
    search_fields = ["name", "note"]
    readonly_fields = ["given", "free", "uploaded_by", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DiscountBatch]:
        return (
            super()
            .get_queryset(request)
            .select_related("uploaded_by")
            .annotate(
                n_given=Count("codes", filter=Q(codes__given_at__isnull=False)),
                n_free=Count("codes", filter=Q(codes__given_at__isnull=True)),
            )
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:  # the add view takes the codes; a stored batch's codes are read-only
            kwargs["form"] = BatchUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "note", "codes_text", "codes_file"]
        return ["name", "note", "given", "free", "uploaded_by", "created_at"]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [GivenCodeInline] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: DiscountBatch, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.uploaded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        parsed: ParsedCodes = form.parsed
        upload = codes_add(batch=obj, parsed=parsed)
        messages.info(
            request,
            f"{upload.added} codes added; {upload.duplicates} duplicates skipped (repeated, or already stored); "
            f"{upload.blank} blank lines.",
        )

    note_cut = cut_column("note", "Note", 60)

    @admin.display(description="Given")
    def given(self, obj: DiscountBatch) -> Any:
        n = getattr(obj, "n_given", None)
        if n is None:
            return "-"
        url = reverse("admin:people_discountcode_changelist") + f"?batch__id__exact={obj.pk}&given=yes"
        return format_html('<a href="{}">{}</a>', url, n)

    @admin.display(description="Free")
    def free(self, obj: DiscountBatch) -> Any:
        return getattr(obj, "n_free", "-")

    created = time_column("created_at", "Uploaded")


class GivenFilter(admin.SimpleListFilter):
    title = "given"
    parameter_name = "given"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Given"), ("no", "Free")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[DiscountCode]) -> QuerySet[DiscountCode]:
        if self.value() in ("yes", "no"):
            return queryset.filter(given_at__isnull=self.value() == "no")
        return queryset


@admin.register(DiscountCode)
class DiscountCodeAdmin(ReadOnlyAdmin):
    """Read only: codes come from a batch's upload and are given by people.codes.code_give."""

    list_display = ["code", "batch", "person", "given_by", "given_at", "ticket"]
    list_filter = [GivenFilter, "batch"]
    search_fields = ["code", "person__name"]
    list_select_related = ["batch", "person", "given_by"]


class GiftAdminForm(forms.ModelForm):
    class Meta:
        model = Gift
        fields = ["person", "item", "state", "postal_address"]

    def clean_state(self) -> str:
        state = self.cleaned_data["state"]
        before = self.initial.get("state")
        if self.instance.pk and state != before and before in FINAL:
            raise ValidationError(f"This gift is {Gift.State(before).label.lower()}: its state no longer changes.")
        return state


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    form = GiftAdminForm
    list_display = ["item", "person", "state", "sent_by", "created_at", "shipped_at"]
    list_filter = ["state"]
    search_fields = ["item", "person__name"]
    raw_id_fields = ["person"]
    list_select_related = ["person", "sent_by"]
    actions = ["mark_shipped"]

    def save_model(self, request: HttpRequest, obj: Gift, form: Any, change: bool) -> None:
        """A state change goes through people.contributions (the address goes, the history says so)."""
        new_state = obj.state
        if change and "state" in form.changed_data:
            obj.state = form.initial["state"]
        if not change:
            obj.sent_by = request.user  # type: ignore[assignment]
            if obj.state in ADDRESS_DROPPED:  # recorded as already gone: no address to keep
                obj.postal_address = ""
        super().save_model(request, obj, form, change)
        if not change:
            PersonEvent.objects.create(
                person_id=obj.person_id,
                kind=PersonEvent.Kind.GIFT,
                actor=request.user,  # type: ignore[misc]
                data={"gift": obj.pk, "item": obj.item, "to": obj.state},
            )
        elif new_state != obj.state:
            gift_state_set(gift=obj, state=new_state, user=request.user)

    @admin.action(description="Mark shipped (removes the postal address)")
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet[Gift]) -> None:
        moved = 0
        for gift in queryset.exclude(state__in=[Gift.State.SHIPPED, *FINAL]):
            gift_state_set(gift=gift, state=Gift.State.SHIPPED, user=request.user)
            moved += 1
        messages.info(request, f"{moved} gifts marked shipped.")


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "person", "date", "recorded_by"]
    show_full_result_count = False  # as PersonAdmin: no second COUNT(*) over every contribution
    list_filter = ["kind"]
    search_fields = ["title", "link", "person__name"]
    raw_id_fields = ["person"]
    list_select_related = ["person", "recorded_by"]
    date_hierarchy = "date"
    exclude = ["recorded_by"]

    def save_model(self, request: HttpRequest, obj: Contribution, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user  # type: ignore[assignment]
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            # Its activity in the contributor journey follows (people.journey.record).
            if change:
                contribution_changed(obj)
            else:
                contributions_record([obj])

    def delete_model(self, request: HttpRequest, obj: Contribution) -> None:
        with transaction.atomic():
            contributions_removed([obj.pk])
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            contributions_removed(list(queryset.values_list("pk", flat=True)))
            super().delete_queryset(request, queryset)
