"""Admin: triage rules (with a dry run) and saved searches."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from channels import clean
from channels.adapters.registry import kind_choices
from mentions.models import (
    Intent,
    Judgement,
    Rule,
    SavedSearch,
    Sentiment,
)
from mentions.products import desk_products
from mentions.rules import lines
from mentions.services.judgement_precision import precision_measured, rule_gated
from mentions.services.rules import TRY_LIMIT, TryResult, rule_try

JUDGED_HELP = "The desk's judgement: such a rule runs when the worker has judged the ticket. None ticked: any."


# The rule's fields in the order the form and its fieldsets show them: what it is, when it runs, what it does.
RULE_HEAD = ("name", "description", "position", "enabled", "stop_processing")
RULE_CONDITIONS = (
    "channel_kinds",
    "channels",
    "products",
    "text_keywords",
    "text_regex",
    "text_excludes",
    "authors",
    "handles_mentioned",
    "author_tags",
    "author_audience_min",
    "requester_level_min",
    "link",
    "judgements",
    "intents",
    "sentiments",
)
RULE_ACTIONS = (
    "add_tags",
    "set_priority",
    "macro",
    "reply_template",
    "reply_from",
    "notify_slack",
    "close_without_reply",
)


class RuleForm(forms.ModelForm):
    channel_kinds = forms.MultipleChoiceField(
        choices=kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Channel kinds; none means any.",
    )

    # Checked when the worker has judged the ticket (mentions.services.judgement_rules), never at ingest.
    judgements = forms.MultipleChoiceField(
        choices=Judgement.choices, widget=forms.CheckboxSelectMultiple, required=False, help_text=JUDGED_HELP
    )
    intents = forms.MultipleChoiceField(
        choices=Intent.choices, widget=forms.CheckboxSelectMultiple, required=False, help_text=JUDGED_HELP
    )
    sentiments = forms.MultipleChoiceField(
        choices=Sentiment.choices, widget=forms.CheckboxSelectMultiple, required=False, help_text=JUDGED_HELP
    )

    class Meta:
        model = Rule
        fields = [*RULE_HEAD, *RULE_CONDITIONS, *RULE_ACTIONS]
        widgets = {
            "text_keywords": forms.Textarea(attrs={"rows": 5, "cols": 60}),
            "text_excludes": forms.Textarea(attrs={"rows": 3, "cols": 60}),
            "text_regex": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "authors": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "handles_mentioned": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "author_tags": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "description": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "reply_template": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }

    def clean(self):
        super().clean()
        data = self.cleaned_data
        given = [data.get("channel_kinds"), data.get("channels"), data.get("text_regex", "").strip(), data.get("link")]
        given.append(data.get("products"))
        given += [data.get("judgements"), data.get("intents"), data.get("sentiments")]
        given.append(data.get("author_audience_min") is not None)
        given.append(data.get("requester_level_min") is not None)
        given += [
            lines(data.get(f, ""))
            for f in ("text_keywords", "text_excludes", "authors", "handles_mentioned", "author_tags")
        ]
        if not any(given):
            raise forms.ValidationError("Give the rule at least one condition: it would match every mention.")
        return data


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    change_form_template = "admin/mentions/rule/change_form.html"
    list_display = ["name", "position", "enabled", "stop_processing", "does", "solves_when"]
    list_editable = ["position", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["name", "description", "text_keywords"]
    filter_horizontal = ["channels", "products"]
    readonly_fields = ["solves_when"]
    actions = ["try_rule"]

    def get_fieldsets(self, request: HttpRequest, obj: Rule | None = None):
        # The ticket's product only when the desk has more than one (issue 71): with one, nothing new is asked.
        many = desk_products().many
        conditions = tuple(f for f in RULE_CONDITIONS if many or f != "products")
        return [
            (None, {"fields": RULE_HEAD}),
            ("Conditions (all that are filled in must hold)", {"fields": conditions}),
            ("Actions", {"fields": (*RULE_ACTIONS, "solves_when")}),
        ]

    @admin.display(description="Does")
    def does(self, obj: Rule) -> str:
        from mentions.rules import rule_compile

        try:
            return "; ".join(rule_compile(obj).actions.describe())
        except ValueError as exc:
            return f"broken: {exc}"

    @admin.display(description="Solves on the judgement")
    def solves_when(self, obj: Rule | None) -> str:
        """Beside a rule that solves on the desk's judgement: the precision it waits for and where it stands
        (mentions.services.judgement_precision, measured a few minutes ago at most); empty for any other rule."""
        if obj is None or obj.pk is None:
            return ""
        macro = [(a.kind, a.value) for a in obj.macro.actions.all()] if obj.macro_id and obj.macro else []
        gated = rule_gated(judgements=obj.judgements, close=obj.close_without_reply, macro_actions=macro)
        if not gated:
            return ""
        measured = precision_measured()
        return "; ".join(measured[judgement].said() for judgement in gated)

    def get_queryset(self, request):
        # The macro's actions with the rules: whether a macro solves is read for every row of the list.
        return super().get_queryset(request).select_related("macro").prefetch_related("macro__actions")

    def get_urls(self):
        return [
            path("try/", self.admin_site.admin_view(self.try_unsaved_view), name="mentions_rule_try_unsaved"),
            path("<int:rule_id>/try/", self.admin_site.admin_view(self.try_view), name="mentions_rule_try"),
            *super().get_urls(),
        ]

    @admin.action(description=f"Try against the last {TRY_LIMIT} tickets")
    def try_rule(self, request, queryset):
        rules = list(queryset[:2])
        if len(rules) != 1:
            self.message_user(request, "Choose one rule to try.", messages.WARNING)
            return None
        return redirect(reverse("admin:mentions_rule_try", args=[rules[0].pk]))

    def try_view(self, request: HttpRequest, rule_id: int) -> HttpResponse:
        """The saved rule, enabled or not."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rule = get_object_or_404(Rule.objects.select_related("macro"), pk=rule_id)
        macro_actions = [(a.kind, a.value) for a in rule.macro.actions.all()] if rule.macro is not None else []
        result = rule_try(
            rule=rule,
            channel_ids=list(rule.channels.values_list("pk", flat=True)),
            macro_actions=macro_actions,
            product_ids=list(rule.products.values_list("pk", flat=True)) if desk_products().many else [],
        )
        return self._try_response(request, rule, result, form=None)

    def try_unsaved_view(self, request: HttpRequest) -> HttpResponse:
        """The settings on the change form, as edited, without saving them (its "Try" button)."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        instance = None
        if rule_id := clean.whole(request.POST.get("rule_id"), minimum=1, maximum=2**63 - 1):
            instance = Rule.objects.filter(pk=rule_id).first()
        form = self.get_form(request, obj=instance)(request.POST, instance=instance)
        if not form.is_valid():
            return self._try_response(request, form.instance, TryResult(), form=form)
        rule = form.save(commit=False)
        macro = form.cleaned_data.get("macro")
        result = rule_try(
            rule=rule,
            channel_ids=[c.pk for c in form.cleaned_data.get("channels") or []],
            product_ids=[p.pk for p in form.cleaned_data.get("products") or []],
            macro_actions=[(a.kind, a.value) for a in macro.actions.all()] if macro else [],
        )
        return self._try_response(request, rule, result, form=None)

    def _try_response(self, request: HttpRequest, rule: Rule, result: TryResult, form) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Try “{rule.name or 'unsaved rule'}” against the last {TRY_LIMIT} tickets",
            "rule": rule,
            "result": result,
            "form": form,
            "limit": TRY_LIMIT,
        }
        return TemplateResponse(request, "admin/mentions/rule/try.html", context)


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query", "position", "updated_at")
    list_filter = ("user",)
    search_fields = ("name", "query", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
