"""Admin for the status feeds the desk polls (stories.incidents.polling), and read-only lists of what they announced
(incidents) and of the spike alerts sent to Slack (stories.detection.spikes)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from advocacy.fetch_guard import url_refusal
from channels.adapters.issues import tracker_kinds
from stories.models import IssueSettings, SpikeAlert, StatusFeed, StatusIncident, StoryFeedback


class StatusFeedForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=1000,
        assume_scheme="https",
        help_text="An Atlassian Statuspage address such as https://status.example.com/api/v2/incidents.json "
        "(or …/incidents/unresolved.json, …/summary.json), or the page's RSS or Atom feed "
        "(https://status.example.com/history.atom).",
    )

    class Meta:
        model = StatusFeed
        fields = ["name", "url", "format", "enabled"]

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise forms.ValidationError("Give an http:// or https:// address of the status page's JSON or feed.")
        if parts.username or parts.password:
            raise forms.ValidationError("Leave the user name and password out of the address: status pages are public.")
        if refused := url_refusal(url):
            raise forms.ValidationError(f"The desk does not fetch this address: {refused}.")
        return url


@admin.register(StatusFeed)
class StatusFeedAdmin(admin.ModelAdmin):
    form = StatusFeedForm
    list_display = ["name", "url", "enabled", "polled_at", "last_error"]
    list_filter = ["enabled", "format"]
    search_fields = ["name", "url"]
    readonly_fields = ["polled_at", "next_poll_at", "last_error", "failures", "etag", "last_modified"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(StatusIncident)
class StatusIncidentAdmin(_ReadOnly):
    list_display = ["name", "feed", "status", "started_at", "resolved_at", "story"]
    list_filter = ["feed", "status"]
    list_select_related = ["feed", "story"]
    search_fields = ["name", "external_id"]
    date_hierarchy = "started_at"


@admin.register(SpikeAlert)
class SpikeAlertAdmin(_ReadOnly):
    list_display = ["day", "kind", "key", "story", "usual_per_hour", "status", "sent_at", "last_error"]
    list_filter = ["kind", "status"]
    list_select_related = ["story"]
    search_fields = ["key"]
    date_hierarchy = "day"


@admin.register(StoryFeedback)
class StoryFeedbackAdmin(_ReadOnly):
    """What the detector learns its meaning thresholds from (stories.detection.whole): read, never edited by hand."""

    list_display = ["created_at", "kind", "cosine"]
    list_filter = ["kind"]


@admin.register(IssueSettings)
class IssueSettingsAdmin(admin.ModelAdmin):
    """Where issues are filed by default (one row: the first is used)."""

    list_display = ["channel", "project", "updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "channel":  # only the channels that are issue trackers
            from channels.models import Channel

            kwargs["queryset"] = Channel.objects.filter(kind__in=tracker_kinds())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not IssueSettings.objects.exists()


# Release day prepared's sources and plans (issue 46).
from stories.releases import admin as release_admin  # noqa: E402, F401
