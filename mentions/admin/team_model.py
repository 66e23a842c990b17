"""Admin: the team's own language model (docs/team-model.md). One row; the API key is write-only (admin shows
"set" or "not set", an empty box keeps it); "Test the connection" asks the worker, which alone talks to the model
(mentions.assistant), and its result stands beside the endpoint; the day's requests are a small table."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from advocacy.enqueue import task_enqueue
from mentions.assistant.usage import usage_days
from mentions.models import TeamModelEndpoint


class TeamModelEndpointForm(forms.ModelForm):
    new_api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "size": 50}),
        help_text="Optional: sent as 'Authorization: Bearer …' (a hosted API, a proxy in front of Ollama). "
        "Write-only: leave empty to keep the stored one.",
    )
    clear_api_key = forms.BooleanField(required=False, help_text="Remove the stored API key.")

    class Meta:
        model = TeamModelEndpoint
        fields = [
            "enabled",
            "base_url",
            "model",
            "timeout_seconds",
            "daily_budget",
            "stream",
            "judge_unsure",
            "drafts",
            "summaries",
            "opted_out_channels",
        ]
        widgets = {"opted_out_channels": forms.CheckboxSelectMultiple}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # On the instance before it is validated and saved (the column is not one of the form's fields).
        if cleaned.get("clear_api_key"):
            self.instance.api_key = ""
        elif cleaned.get("new_api_key"):
            self.instance.api_key = cleaned["new_api_key"]
        return cleaned


@admin.register(TeamModelEndpoint)
class TeamModelEndpointAdmin(admin.ModelAdmin):
    """One row: the first is used by every worker job from its next request on."""

    form = TeamModelEndpointForm
    list_display = ["__str__", "enabled", "test_shown", "last_error_at"]
    readonly_fields = ["api_key_set", "test_shown", "last_error", "last_error_at", "paused_until", "usage_shown"]
    actions = ["test_connection"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(TeamModelEndpointForm.Meta.fields)
        demo = ["demo_shown"] if obj is not None and obj.is_demo else []
        shown = [*fields[:3], "api_key_set", "new_api_key", "clear_api_key", *fields[3:], *self.readonly_fields[1:]]
        return [*demo, *shown]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "demo_shown"] if obj is not None and obj.is_demo else self.readonly_fields

    @admin.display(description="Demo")
    def demo_shown(self, obj: TeamModelEndpoint) -> str:
        # The demo's endpoint (seed_demo, mentions.assistant.demo): a team must never take its answers for a model's.
        return (
            "This is the demo's model: a replay on this machine (DESK_DEMO_REPLAY) that composes its drafts, "
            "summaries and verdicts from the ticket's own text and the desk's earlier answers. It is not a language "
            "model. To use yours, write its base URL and model here (docs/team-model.md)."
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not TeamModelEndpoint.objects.exists()

    @admin.display(description="API key")
    def api_key_set(self, obj: TeamModelEndpoint) -> str:
        return "set" if obj.api_key_encrypted else "not set"

    @admin.display(description="Connection test")
    def test_shown(self, obj: TeamModelEndpoint) -> str:
        if not obj.test_result:
            return "not tested: select it in the list, then the action “Test the connection”"
        when = timezone.localtime(obj.tested_at).strftime("%Y-%m-%d %H:%M:%S %Z") if obj.tested_at else ""
        return f"{obj.test_result} ({when})" if when else obj.test_result

    @admin.display(description="Requests per UTC day")
    def usage_shown(self, obj: TeamModelEndpoint) -> str:
        days = usage_days()
        if not days:
            return "none yet"
        # Escaped by format_html(_join): the figures are the desk's own, but nothing is marked safe by hand.
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((u.day.isoformat(), u.requests, u.failures, u.rate_limited, u.over_budget) for u in days),
        )
        return format_html(
            '<table data-testid="team-model-usage"><thead><tr><th>Day (UTC)</th><th>Requests</th><th>Failed</th>'
            "<th>429</th><th>Not sent: over budget</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.action(description="Test the connection")
    def test_connection(self, request: HttpRequest, queryset: QuerySet[TeamModelEndpoint]) -> None:
        # The worker makes the request (no web process imports the model's client); the result comes beside it.
        asked = timezone.now()
        said = f"Asked the worker at {asked:%H:%M:%S} UTC: reload this page for the result."
        queryset.update(test_result=said, tested_at=asked)
        task_enqueue("mentions.team_model_test")
        self.message_user(request, said, messages.INFO)
