"""Admin: the imports from another helpdesk (docs/importing.md). Staff with the permission to add an import run start
one on "Start an import" (a form, its errors beside its fields), which is also what admin's "Add" opens; the worker
runs it (imports.run) and the run's page shows how far it got, its counts as each page is written, and the records it
quarantined (each with its file, line and why)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from advocacy.admin_display import ReadOnlyAdmin, cut, short_time
from imports.forms import ImportStartForm
from imports.models import ImportRun, QuarantinedRecord
from imports.starting import run_start

FIELDS = ("kind", "source", "status", "counts_shown", "quarantined_shown", "cursor", "error", "started_by",
          "started_at", "finished_at")  # fmt: skip
QUARANTINE_SHOWN = 50  # on the run's page; the rest in the quarantined records' list, filtered to the run


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    change_list_template = "admin/imports/importrun/change_list.html"
    list_display = ["__str__", "status", "counts_shown", "started", "error_shown"]
    list_filter = ["status", "kind"]
    fields = FIELDS
    readonly_fields = FIELDS
    list_select_related = ["started_by"]

    @admin.display(description="Written so far")
    def counts_shown(self, obj: ImportRun) -> Any:
        # Names and figures the importer wrote; escaped like any text, though they are its own.
        return format_html_join(", ", "{} {}", sorted(obj.counts.items())) or "-"

    @admin.display(description="Not imported (quarantined)")
    def quarantined_shown(self, obj: ImportRun) -> Any:
        """Each record the run left out: where it is in the export and why (escaped: the reasons quote the file)."""
        rows = list(obj.quarantined.all()[: QUARANTINE_SHOWN + 1])
        if not rows:
            return "-"
        listed = format_html_join("", "<li>{}</li>", ((str(row),) for row in rows[:QUARANTINE_SHOWN]))
        count = obj.quarantined.count() if len(rows) > QUARANTINE_SHOWN else len(rows)
        url = reverse("admin:imports_quarantinedrecord_changelist") + f"?run__id__exact={obj.pk}"
        said = "fixed in the export, they are imported by a second run (which skips what is already here)"
        return format_html('<a href="{}">{} records</a> ({}):<ul>{}</ul>', url, count, said, listed)

    @admin.display(description="Started", ordering="started_at")
    def started(self, obj: ImportRun) -> Any:
        return short_time(obj.started_at)

    @admin.display(description="Error")
    def error_shown(self, obj: ImportRun) -> Any:
        return cut(obj.error, 80)  # the old tool's words may be in it: escaped

    def has_start_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.has_perm("imports.add_importrun")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Admin's "Add" beside Import runs is starting one: the same permission, the same form.
        return self.has_start_permission(request)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """/admin/imports/importrun/add/ is "Start an import": a run is recorded by starting it, never typed in."""
        return self.start_view(request)

    def get_urls(self) -> list[Any]:
        start = self.admin_site.admin_view(self.start_view)
        return [path("start/", start, name="imports_importrun_start"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = {**(extra_context or {}), "can_start": self.has_start_permission(request)}
        return super().changelist_view(request, context)

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """The form; a valid one records the run and queues it (imports.starting), then shows the run's page."""
        if not self.has_start_permission(request):
            raise PermissionDenied
        form = ImportStartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            run = run_start(
                kind=data["kind"], subdomain=data["subdomain"], email=data["email"], token=data["token"],
                path=data["path"], user=request.user,
            )  # fmt: skip
            self.message_user(request, "Import queued: this page shows what it has written (reload it).", messages.INFO)
            return HttpResponseRedirect(reverse("admin:imports_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Start an import",
            "form": form,
        }
        return TemplateResponse(request, "admin/imports/importrun/start.html", context)


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(ReadOnlyAdmin):
    """Every record an import left out, by run (the run's page links here, filtered to it)."""

    list_display = ["run", "file", "line", "key", "reason_shown"]
    list_select_related = ["run"]
    search_fields = ["file", "key", "reason"]
    fields = ("run", "file", "line", "key", "reason", "created_at")
    readonly_fields = fields

    @admin.display(description="Why")
    def reason_shown(self, obj: QuarantinedRecord) -> Any:
        return cut(obj.reason, 120)
