"""Share of voice's admin: the competitors the desk names and where each was searched (issue 70). What the searches
found is counted on the KPI dashboard (metrics), never listed here one by one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from advocacy.admin_display import time_column
from channels.adapters.registry import platforms
from channels.competitors import TERMS_MAX, competitor_terms_clean
from channels.models import Competitor, CompetitorSearch
from mentions.products import desk_products


def searching_platforms() -> str:
    """The platforms whose channels search competitors, in words: "Hacker News, Reddit, Mastodon and Bluesky"."""
    labels = [p.label for p in platforms() if p.competitor_search]
    return ", ".join(labels[:-1]) + f" and {labels[-1]}" if len(labels) > 1 else "".join(labels)


class CompetitorForm(forms.ModelForm):
    terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One per line, at most {TERMS_MAX}; each is searched on its own, as a channel's keywords are.",
    )

    class Meta:
        model = Competitor
        fields = ["name", "product", "terms", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.terms, list):
            self.initial["terms"] = "\n".join(self.instance.terms)
        self.fields["terms"].help_text += (
            f" Listened for by the channels of {searching_platforms()}, one competitor per poll in turn, within the "
            "channel's request budget. Streams, webhooks, mailboxes and the product's own places (forums, trackers, "
            "chats) cannot search by terms: competitors are not listened for there."
        )

    def clean_terms(self) -> list[str]:
        lines = [line for line in self.cleaned_data["terms"].splitlines() if line.strip()]
        return competitor_terms_clean(lines)


class CompetitorSearchInline(admin.TabularInline):
    model = CompetitorSearch
    fields = ("channel", "searched_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Searched on"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    """A competitor the desk measures its share of voice against (KPI dashboard, Share of voice)."""

    form = CompetitorForm
    list_display = ["name", "terms_shown", "enabled", "found", "updated"]
    list_filter = ["enabled"]
    search_fields = ["name"]
    inlines = [CompetitorSearchInline]
    updated = time_column("updated_at", "Changed")

    def get_exclude(self, request: HttpRequest, obj: Competitor | None = None) -> list[str]:
        # Its product only when the desk has more than one (issue 71): with one, nothing new is asked.
        return [] if desk_products().many else ["product"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Competitor]:
        return super().get_queryset(request).annotate(found_count=Count("mentions"))

    @admin.display(description="Search terms")
    def terms_shown(self, obj: Competitor) -> str:
        return ", ".join(obj.terms) if isinstance(obj.terms, list) else ""

    @admin.display(description="Mentions found", ordering="found_count")
    def found(self, obj: Any) -> int:
        return int(obj.found_count)
