"""Admin: the exclusion terms the desk suggests per channel (mentions.models.ExclusionSuggestion, docs/judgement.md,
"Other senses, learned"). Read only but for a person's decision: Accept or Decline, as bulk actions or one row's
button, each recording who and when (mentions.services.exclusions). The desk never applies a term by itself.

Terms are words from the internet: every cell is escaped (format_html), never marked safe from a row's text."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from advocacy.admin_display import ReadOnlyAdmin, cut, short_time
from mentions.models import ExclusionSuggestion
from mentions.services.exclusions import exclusions_decide

State = ExclusionSuggestion.State
DECIDED_SAID = {State.ACCEPTED: "Accepted", State.DECLINED: "Declined"}
BUTTONS = ((State.ACCEPTED, "Accept"), (State.DECLINED, "Decline"))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def impact_said(would_exclude: int, answered: int) -> str:
    """What accepting the term would have done to the channel's past mentions, in words."""
    said = f"Would have excluded {_plural(would_exclude, 'past mention', 'past mentions')}"
    if not would_exclude:
        return said
    return f"{said}, of which {answered} the team answered"


@admin.register(ExclusionSuggestion)
class ExclusionSuggestionAdmin(ReadOnlyAdmin):
    change_list_template = "admin/mentions/exclusionsuggestion/change_list.html"
    list_display = ["term_shown", "channel_shown", "noise_shown", "impact", "state_shown", "decided"]
    list_filter = ["state", "channel"]
    search_fields = ["term"]
    actions = ["accept", "decline"]
    list_select_related = ["channel", "decided_by"]
    ordering = ["channel__name", "-noise_count", "term"]
    fields = (
        "term",
        "channel",
        "state",
        "noise_count",
        "would_exclude",
        "answered",
        "decided_by",
        "decided_at",
        "computed_at",
    )
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a declined term is a decision the recompute must remember

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mentions.change_exclusionsuggestion")

    def get_list_display(self, request: HttpRequest) -> Any:
        # A row's own buttons only for those who may decide; the others read the list.
        shown = [*super().get_list_display(request)]
        return [*shown, "buttons"] if self.has_decide_permission(request) else shown

    @admin.display(description="Term", ordering="term")
    def term_shown(self, obj: ExclusionSuggestion) -> SafeString | str:
        return format_html("<strong>{}</strong>", cut(obj.term, 30))  # on one line (admin_fit.css)

    @admin.display(description="Channel", ordering="channel__name")
    def channel_shown(self, obj: ExclusionSuggestion) -> SafeString | str:
        return cut(obj.channel.name, 30)

    @admin.display(description="Learned from", ordering="-noise_count")
    def noise_shown(self, obj: ExclusionSuggestion) -> str:
        return f"{_plural(obj.noise_count, 'mention', 'mentions')} labelled noise"

    @admin.display(description="If accepted earlier", ordering="-would_exclude")
    def impact(self, obj: ExclusionSuggestion) -> str:
        return impact_said(obj.would_exclude, obj.answered)

    @admin.display(description="State", ordering="state")
    def state_shown(self, obj: ExclusionSuggestion) -> str:
        return obj.get_state_display()

    @admin.display(description="Decided")
    def decided(self, obj: ExclusionSuggestion) -> SafeString | str:
        if obj.state == State.SUGGESTED:
            return "-"
        who = (obj.decided_by.get_full_name() or obj.decided_by.get_username()) if obj.decided_by else "someone"
        return format_html("{}<br>{}", cut(who, 20), short_time(obj.decided_at))

    @admin.display(description="")
    def buttons(self, obj: ExclusionSuggestion) -> SafeString:
        # Submit buttons of the change list's own form (it carries the CSRF token), posted to this row's URL.
        url = reverse("admin:mentions_exclusionsuggestion_decide", args=[obj.pk])
        buttons = format_html_join(
            "",
            '<button type="submit" class="button" formaction="{}" name="state" value="{}" aria-label="{} “{}”">'
            "{}</button>",
            ((url, state, label, obj.term, label) for state, label in BUTTONS if obj.state != state),
        )
        return format_html('<span class="exclusion-buttons">{}</span>', buttons)

    def _decide(self, request: HttpRequest, rows: QuerySet[ExclusionSuggestion], state: str) -> None:
        changed = exclusions_decide(rows.values_list("pk", flat=True), state, request.user)
        done = DECIDED_SAID[State(state)].lower()
        self.message_user(request, f"{_plural(changed, 'term', 'terms')} {done}.", messages.SUCCESS)

    @admin.action(description="Accept: judge new mentions holding it as noise", permissions=["decide"])
    def accept(self, request: HttpRequest, queryset: QuerySet[ExclusionSuggestion]) -> None:
        self._decide(request, queryset, State.ACCEPTED)

    @admin.action(description="Decline: never suggest it again", permissions=["decide"])
    def decline(self, request: HttpRequest, queryset: QuerySet[ExclusionSuggestion]) -> None:
        self._decide(request, queryset, State.DECLINED)

    def get_urls(self) -> list[Any]:
        decide = self.admin_site.admin_view(require_POST(self.decide_view))
        return [path("<int:pk>/decide/", decide, name="mentions_exclusionsuggestion_decide"), *super().get_urls()]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One row's Accept or Decline button."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        row = get_object_or_404(ExclusionSuggestion, pk=pk)
        state = request.POST.get("state", "")
        if state not in DECIDED_SAID:
            self.message_user(request, "Choose Accept or Decline.", messages.ERROR)
        else:
            exclusions_decide([row.pk], state, request.user)
            said = DECIDED_SAID[State(state)]
            self.message_user(request, format_html("{} “{}”.", said, row.term), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:mentions_exclusionsuggestion_changelist"))
