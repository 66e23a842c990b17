"""Admin: macros, views and tags."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from mentions.models import (
    Judgement,
    Macro,
    MacroAction,
    Tag,
    Ticket,
    View,
)
from mentions.products import desk_products


class MacroActionInline(admin.TabularInline):
    model = MacroAction
    extra = 1
    fields = ["position", "kind", "value"]


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    inlines = [MacroActionInline]


class ViewAdminForm(forms.ModelForm):
    """Statuses as checkboxes instead of a raw JSON list; none ticked means new and open."""

    statuses = forms.MultipleChoiceField(
        choices=[(s.value, s.label) for s in (*Ticket.WAITING_STATUSES, Ticket.Status.PENDING)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Which tickets Play serves from this view. None ticked: new and open (solved never).",
    )

    judgements = forms.MultipleChoiceField(
        choices=[*Judgement.choices, ("", "Not judged yet")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The desk's judgements this view serves; tick “Not judged yet” too so nothing waits hidden until "
        "the worker judges it. None ticked: any.",
    )

    class Meta:
        model = View
        fields = [
            *("name", "slug", "position", "is_active", "channels", "statuses", "tags", "high_priority_only"),
            *("judgements", "product"),
            *("order", "allow_skip", "serve_stories_together", "solve_on_expert_reply"),
        ]


@admin.register(View)
class ViewAdmin(admin.ModelAdmin):
    form = ViewAdminForm
    list_display = [
        "name",
        "position",
        "is_active",
        "order",
        "high_priority_only",
        "allow_skip",
        "serve_stories_together",
    ]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["channels", "tags"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # With one product nothing new is asked (issue 71): the product choice shows from the second product on.
        fields = list(super().get_fields(request, obj))
        return fields if desk_products().many else [f for f in fields if f != "product"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
