"""Person, tags and identities in admin. A person's actions: "Export as JSON" (everything held about them)
and "Erase" (after a confirmation page), both through people.privacy, for those who may manage people."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from people.journey.recompute import journey_recompute
from people.models import Identity, Person, PersonTag
from people.privacy import person_erase, person_export


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ["platform", "key", "handle", "name", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region", "level", "points", "erased_at", "created_at"]
    # No second COUNT(*) over everyone beside the filtered one (mentions.admin.tickets says why).
    show_full_result_count = False
    list_filter = ["tags", "region", "level", ("erased_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "identities__handle", "identities__key"]
    filter_horizontal = ["tags"]
    readonly_fields = ["points", "level", "erased_at", "created_at", "updated_at"]
    list_select_related = ["level"]
    inlines = [IdentityInline]
    actions = ["export_json", "erase", "recompute"]

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("people.manage_people")

    @admin.action(description="Export as JSON", permissions=["manage"])
    def export_json(self, request: HttpRequest, queryset: QuerySet[Person]) -> HttpResponse:
        data = [person_export(person=p, actor=request.user) for p in queryset.order_by("pk")]
        body = json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json")
        name = f"person-{data[0]['person']['id']}" if len(data) == 1 else "people"
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Recount points and levels (contributor journey)")
    def recompute(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        changed = journey_recompute(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Points recounted; {changed} changed level.", messages.SUCCESS)

    @admin.action(description="Erase (replace their names, handles, addresses and texts)", permissions=["manage"])
    def erase(self, request: HttpRequest, queryset: QuerySet[Person]) -> HttpResponse | None:
        people = list(queryset.filter(erased_at__isnull=True).order_by("pk"))
        if request.POST.get("post") != "yes":
            context: dict[str, Any] = {
                **self.admin_site.each_context(request),
                "title": "Erase these people?",
                "opts": self.model._meta,
                "people": people,
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "action": "erase",
            }
            return TemplateResponse(request, "admin/people/person/erase_confirmation.html", context)
        for person in people:
            person_erase(person=person, actor=request.user, via="admin")
        self.message_user(request, f"Erased {len(people)} people; their tickets stay.", messages.SUCCESS)
        return None


@admin.register(PersonTag)
class PersonTagAdmin(admin.ModelAdmin):
    list_display = ["name", "marked", "tags_tickets"]
    search_fields = ["name"]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["__str__", "person", "platform", "created_at"]
    show_full_result_count = False  # as PersonAdmin
    list_filter = ["platform"]
    search_fields = ["key", "handle", "name"]
    raw_id_fields = ["person"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_select_related = ["person"]
