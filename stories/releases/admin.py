"""Admin for release day prepared (stories.releases): the sources (the blog's feed, a Slack channel) and the plans,
whose title, features and answer admins edit; the answer is used only once a person approves it as it reads, and
editing it asks for the approval again."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from advocacy.fetch_guard import url_refusal
from mentions.products import desk_products
from stories.detection.text import link_normalise
from stories.models import ReleasePlan, ReleaseSource
from stories.releases.drafts import hn_summary, hn_title
from stories.releases.opening import story_answer_set
from stories.releases.plans import release_date_for


def product_excluded() -> list[str]:
    """The product is asked only when the desk has more than one (issue 71): with one, nothing new."""
    return [] if desk_products().many else ["product"]


class ReleaseSourceForm(forms.ModelForm):
    feed_url = forms.URLField(
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=ReleaseSource._meta.get_field("feed_url").help_text,
    )

    class Meta:
        model = ReleaseSource
        fields = ["name", "product", "feed_url", "slack_channel", "title_pattern", "answer_template", "enabled"]

    def clean_feed_url(self) -> str:
        url = self.cleaned_data.get("feed_url") or ""
        if url and (refused := url_refusal(url)):
            raise forms.ValidationError(f"The desk does not fetch this address: {refused}.")
        return url


@admin.register(ReleaseSource)
class ReleaseSourceAdmin(admin.ModelAdmin):
    form = ReleaseSourceForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "feed_url", "slack_channel", "enabled", "polled_at", "last_error"]
    list_filter = ["enabled"]
    search_fields = ["name", "feed_url"]
    readonly_fields = ["polled_at", "next_poll_at", "last_error", "failures", "etag", "last_modified"]

    def get_exclude(self, request: HttpRequest, obj: ReleaseSource | None = None) -> list[str]:
        return product_excluded()


class ReleasePlanForm(forms.ModelForm):
    approve = forms.BooleanField(
        required=False,
        label="Approve this answer",
        help_text="The story takes the answer only once approved; editing the answer asks for the approval again.",
    )

    url = forms.URLField(max_length=1000, assume_scheme="https", help_text="The release post.")

    class Meta:
        model = ReleasePlan
        fields = ["url", "title", "product", "version", "release_date", "feature_1", "feature_2", "feature_3", "answer"]

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip()
        if urlsplit(url).scheme.lower() not in ("http", "https") or not link_normalise(url):
            raise forms.ValidationError("Give the release post's http:// or https:// address.")
        taken = ReleasePlan.objects.filter(url_key=link_normalise(url)).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("A plan for this post exists already.")
        return url


@admin.register(ReleasePlan)
class ReleasePlanAdmin(admin.ModelAdmin):
    form = ReleasePlanForm
    list_display = ["title", "release_date", "via", "approved_by", "story", "opened_at"]
    list_filter = ["via"]
    list_select_related = ["story", "answer_approved_by"]
    search_fields = ["title", "url"]
    date_hierarchy = "release_date"
    readonly_fields = ["via", "source", "published_at", "approval", "story_link", "opened_at", "hn_draft"]

    def get_exclude(self, request: HttpRequest, obj: ReleasePlan | None = None) -> list[str]:
        return product_excluded()

    @admin.display(description="Answer approved by")
    def approved_by(self, plan: ReleasePlan) -> str:
        return str(plan.answer_approved_by or "") if plan.answer_approved_at else "—"

    @admin.display(description="Approval")
    def approval(self, plan: ReleasePlan) -> str:
        if not plan.answer_approved_at:
            return "Not approved: the story opens without an answer until someone approves one."
        return f"Approved by {plan.answer_approved_by or 'a former user'} at {plan.answer_approved_at:%Y-%m-%d %H:%M}"

    @admin.display(description="Story")
    def story_link(self, plan: ReleasePlan) -> str:
        if plan.story is None:
            return "Opens the day before the release date."
        return format_html('<a href="{}">{}</a>', plan.story.get_absolute_url(), plan.story.title)

    @admin.display(description="Hacker News draft")
    def hn_draft(self, plan: ReleasePlan) -> str:
        return format_html("<pre>{}\n{}\n\n{}</pre>", hn_title(plan), plan.url, hn_summary(plan))

    def save_model(self, request: HttpRequest, obj: ReleasePlan, form: Any, change: bool) -> None:
        obj.url_key = link_normalise(obj.url)
        if not change:
            obj.via = ReleasePlan.Via.ADMIN
            if not form.cleaned_data.get("release_date"):
                obj.release_date = release_date_for(None, now=timezone.now())
        if "answer" in form.changed_data:
            obj.answer_approved_by, obj.answer_approved_at = None, None
        if form.cleaned_data.get("approve"):
            if obj.answer.strip():
                obj.answer_approved_by, obj.answer_approved_at = request.user, timezone.now()  # type: ignore[assignment]
            else:
                messages.warning(request, "There is no answer to approve: write it first.")
        super().save_model(request, obj, form, change)
        if obj.approved and obj.story_id is not None and story_answer_set(obj):
            messages.info(request, "The story took the approved answer.")
