"""Admin for the knowledge sources: the token is write-only (never rendered back, an empty box keeps it), the
last error read-only, and docs sources can be indexed on demand. Docs pages are a read-only list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from advocacy.admin_display import ReadOnlyAdmin
from advocacy.fetch_guard import url_refusal
from answers.knowledge_models import DocPage, KnowledgeSource
from mentions.products import desk_products


class KnowledgeSourceForm(forms.ModelForm):
    new_token = forms.CharField(
        label="Token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "size": 50}),
        help_text="Optional. GitLab: an access token with read_api (empty: the linked channel's). GitHub: a "
        "token (raises the search limit from 10 to 30 a minute). Discourse: a read-only API key. Stack Overflow: "
        "the app key from stackapps.com (10,000 requests a day instead of 300). Write-only: leave empty to keep "
        "the stored one.",
    )
    clear_token = forms.BooleanField(required=False, help_text="Remove the stored token.")

    class Meta:
        model = KnowledgeSource
        fields = [
            "name",
            "kind",
            "is_active",
            "product",
            "base_url",
            "project",
            "tag",
            "channel",
            "timeout_seconds",
            "cache_minutes",
            "hourly_budget",
        ]

    def clean_base_url(self) -> str:
        url = self.cleaned_data.get("base_url") or ""
        if url and (refused := url_refusal(url)):
            raise forms.ValidationError(f"The desk does not fetch this address: {refused}.")
        return url

    def _post_clean(self) -> None:
        # The token is set before the model's clean(), which checks it against the address (https for a key).
        if self.cleaned_data.get("clear_token"):
            self.instance.token = ""
        elif self.cleaned_data.get("new_token"):
            self.instance.token = self.cleaned_data["new_token"]
        super()._post_clean()  # type: ignore[misc]  # Django's ModelForm hook, absent from the stubs


@admin.register(KnowledgeSource)
class KnowledgeSourceAdmin(admin.ModelAdmin):
    form = KnowledgeSourceForm
    list_display = ["name", "kind", "is_active", "budget_shown", "last_error_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "base_url", "project", "tag"]
    readonly_fields = ["token_set", "budget_shown", "last_error", "last_error_at"]
    actions = ["index_docs_now"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Its product only when the desk has more than one (issue 71): with one, nothing new is asked.
        many = desk_products().many
        fields = [f for f in KnowledgeSourceForm.Meta.fields if many or f != "product"]
        at = fields.index("channel") + 1
        return [*fields[:at], "token_set", "new_token", "clear_token", *fields[at:], *self.readonly_fields[1:]]

    @admin.display(description="Token")
    def token_set(self, obj: KnowledgeSource) -> str:
        return "set" if obj.token_encrypted else "not set"

    @admin.display(description="Searches per hour")
    def budget_shown(self, obj: KnowledgeSource) -> str:
        if obj.kind == KnowledgeSource.Kind.DOCS:
            return "— (our own index)"
        return f"{obj.budget}" + ("" if obj.hourly_budget is not None else " (default)")

    @admin.action(description="Index the docs now")
    def index_docs_now(self, request: HttpRequest, queryset: QuerySet[KnowledgeSource]) -> None:
        from answers.knowledge.docs_index import docs_index

        for source in queryset:
            if source.kind != KnowledgeSource.Kind.DOCS:
                self.message_user(request, f"{source}: not a docs source, skipped.", messages.WARNING)
                continue
            result = docs_index(source)
            said = (
                f"{source}: {result.listed} pages in the sitemap; {result.fetched} fetched, {result.unchanged} "
                f"unchanged, {result.gone} gone, {result.failed} failed."
            )
            if result.errors:
                said += f" Last error: {result.errors[-1]}"
            level = messages.WARNING if result.errors else messages.SUCCESS
            self.message_user(request, said, level)


@admin.register(DocPage)
class DocPageAdmin(ReadOnlyAdmin):
    list_display = ["title", "url", "source", "fetched_at", "gone"]
    list_filter = ["source", "gone"]
    search_fields = ["title", "url"]
    fields = readonly_fields = ("source", "url", "title", "text", "etag", "last_modified", "fetched_at", "gone")
