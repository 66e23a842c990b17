from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from experts.csv_import import experts_import_csv, identity_kinds
from experts.models import Expert, ExpertIdentity, Outreach, OutreachSettings, ProductArea
from mentions.products import desk_products


@admin.register(ProductArea)
class ProductAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slack_channel", "keyword_list"]
    search_fields = ["name", "slack_channel"]

    @admin.display(description="Keywords")
    def keyword_list(self, obj: ProductArea) -> str:
        return ", ".join(str(k) for k in obj.keywords or [])


class ExpertIdentityInline(admin.TabularInline):
    model = ExpertIdentity
    extra = 1
    fields = ["kind", "handle"]


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV, UTF-8. Columns: name, slack_handle, areas, topics, is_group, and handles.")


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "area_list", "slack_handle", "is_group", "active"]
    list_filter = ["active", "is_group", "areas"]
    search_fields = ["name", "slack_handle", "identities__handle"]
    filter_horizontal = ["areas", "products"]
    raw_id_fields = ["user"]
    inlines = [ExpertIdentityInline]
    change_list_template = "experts/admin_expert_change_list.html"

    def get_exclude(self, request: HttpRequest, obj: Expert | None = None):
        # The products they answer for only when the desk has more than one (issue 71): with one, nothing new.
        return [] if desk_products().many else ["products"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("areas")

    @admin.display(description="Areas")
    def area_list(self, obj: Expert) -> str:
        return ", ".join(area.name for area in obj.areas.all())

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="experts_expert_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text.")
            else:
                result = experts_import_csv(text=text)
                messages.success(request, f"Created {result.created}, updated {result.updated}.")
                for error in result.errors:
                    messages.error(request, error)
                return redirect(reverse("admin:experts_expert_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import experts from CSV",
            "form": form,
            "identity_kinds": identity_kinds(),
        }
        return TemplateResponse(request, "experts/admin_import.html", context)


@admin.register(Outreach)
class OutreachAdmin(admin.ModelAdmin):
    list_display = ["ticket", "expert", "status", "sent_at", "answered_at", "declined_at"]
    list_filter = ["status"]
    search_fields = ["expert__name"]
    list_select_related = ["ticket", "expert"]
    raw_id_fields = ["ticket", "expert", "advocate", "answer_message"]
    # Slack permalinks are https: say so rather than take Django 5's http default (deprecated in 6.0).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(OutreachSettings)
class OutreachSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "default_channel", "community_channel"]
