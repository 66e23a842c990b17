from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from advocacy.admin_display import cut, short_time
from channels import clean
from channels.models import Channel
from mentions.models import (
    AdvocateGrant,
    CoverageDigest,
    Macro,
    MacroAction,
    Message,
    Rule,
    SavedSearch,
    Tag,
    Ticket,
    TicketEvent,
    UrgentPing,
    View,
)
from mentions.rules import lines
from mentions.services import grants
from mentions.services.rules import TRY_LIMIT, TryResult, rule_try


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

    class Meta:
        model = View
        fields = [
            *("name", "slug", "position", "is_active", "channels", "statuses", "tags", "high_priority_only"),
            *("order", "allow_skip", "solve_on_expert_reply"),
        ]


@admin.register(View)
class ViewAdmin(admin.ModelAdmin):
    form = ViewAdminForm
    list_display = ["name", "position", "is_active", "order", "high_priority_only", "allow_skip"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["channels", "tags"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["kind", "external_id", "author_handle", "platform_created_at", "body"]
    readonly_fields = fields
    can_delete = False


class TicketAdminForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ["status", "priority", "assignee", "tags"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are opened by ingestion and worked in the desk. Here an admin may change status,
    priority, assignee and tags, which go through the desk's services and write the same events;
    everything else is read-only, and tickets are neither added nor deleted here (merge them)."""

    form = TicketAdminForm
    # Fits a 1366 px screen: subject and channel cut (whole in the title), times short.
    list_display = [
        "id",
        "short_subject",
        "short_channel",
        "status",
        "priority",
        "short_assignee",
        "requested",
        "replied",
    ]
    list_filter = ["status", "priority", "channel"]
    search_fields = ["subject", "requester_handle"]
    list_select_related = ["channel", "assignee"]
    raw_id_fields = ["assignee"]
    filter_horizontal = ["tags"]
    fields = [
        "subject",
        "channel",
        "status",
        "priority",
        "assignee",
        "tags",
        "requester_handle",
        "requester_name",
        "requested_at",
        "first_reply_at",
        "solved_at",
        "sla_target",
        "sla_due_at",
        "sla_breached",
        "followup_at",
        "merged_into",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [f for f in fields if f not in TicketAdminForm.Meta.fields]
    inlines = [MessageInline]
    actions = None  # bulk delete would drop history; bulk changes are in the desk's ticket list

    @admin.display(description="Subject", ordering="subject")
    def short_subject(self, obj: Ticket) -> str:
        return cut(obj.subject, 60)

    @admin.display(description="Channel", ordering="channel__name")
    def short_channel(self, obj: Ticket) -> str:
        return cut(obj.channel.name, 24)

    @admin.display(description="Assignee", ordering="assignee__username")
    def short_assignee(self, obj: Ticket) -> str:
        return cut(obj.assignee, 20) if obj.assignee_id else "-"

    @admin.display(description="Requested", ordering="requested_at")
    def requested(self, obj: Ticket) -> str:
        return short_time(obj.requested_at)

    @admin.display(description="First reply", ordering="first_reply_at")
    def replied(self, obj: Ticket) -> str:
        return short_time(obj.first_reply_at)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        from mentions.services.editing import ticket_admin_update

        data = form.cleaned_data
        changed = ticket_admin_update(
            ticket=obj,
            user=request.user,
            status=data["status"],
            priority=data["priority"],
            assignee=data["assignee"],
            tag_names=[t.name for t in data["tags"]],
        )
        obj.refresh_from_db()
        if changed:
            self.message_user(request, f"#{obj.pk}: {', '.join(changed)} (recorded in its history).")

    def save_related(self, request, form, formsets, change) -> None:
        """Tags were saved by the service, with their events (no form.save_m2m() here)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    """The audit trail is append-only: readable here, never added, changed or deleted."""

    list_display = ["short_ticket", "kind", "actor", "created"]
    list_filter = ["kind"]
    list_select_related = ["ticket", "actor"]
    readonly_fields = ["ticket", "kind", "actor", "data", "created_at", "updated_at"]
    actions = None

    @admin.display(description="Ticket", ordering="ticket_id")
    def short_ticket(self, obj: TicketEvent) -> str:
        return cut(obj.ticket, 50)

    @admin.display(description="When", ordering="created_at")
    def created(self, obj: TicketEvent) -> str:
        return short_time(obj.created_at)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AdvocateGrantForm(forms.ModelForm):
    """Grant for a number of hours (24 by default) from now or a chosen start."""

    hours = forms.DecimalField(
        min_value=0.25,
        max_value=336,
        initial=24,
        decimal_places=2,
        help_text="How long the access lasts (max 14 days).",
    )
    starts_at = forms.DateTimeField(required=False, help_text="Empty: now. UTC.")

    class Meta:
        model = AdvocateGrant
        fields = ["user", "reason", "starts_at", "hours"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise forms.ValidationError(f"{user.get_username()} is not an active user.")
        return user


@admin.register(AdvocateGrant)
class AdvocateGrantAdmin(admin.ModelAdmin):
    """ "Advocate for a day": access to the queue that ends by itself."""

    list_display = ["user", "starts_at", "expires_at", "state", "granted_by", "reason"]
    list_select_related = ["user", "granted_by"]
    search_fields = ["user__username", "reason"]
    autocomplete_fields = ["user"]
    actions = ["end_now"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AdvocateGrantForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "granted_by", "starts_at", "expires_at", "ended_at", "reason", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "reason", "starts_at", "hours"]
        return self.get_readonly_fields(request, obj)

    @admin.display(description="State")
    def state(self, obj) -> str:
        now = timezone.now()
        if obj.expires_at <= now:
            return "ended"
        return "active" if obj.starts_at <= now else "scheduled"

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return  # grants are not edited: end one and grant again
        created = grants.advocate_grant_create(
            user=form.cleaned_data["user"],
            granted_by=request.user,
            hours=float(form.cleaned_data["hours"]),
            starts_at=form.cleaned_data.get("starts_at") or None,
            reason=form.cleaned_data.get("reason") or "",
        )
        obj.pk = created.pk
        obj.starts_at, obj.expires_at = created.starts_at, created.expires_at
        self.message_user(
            request,
            f"{created.user.get_username()} can work the queue until {created.expires_at:%Y-%m-%d %H:%M} UTC.",
            messages.SUCCESS,
        )

    @admin.action(description="End the selected grants now")
    def end_now(self, request, queryset) -> None:
        n = 0
        for grant in queryset.filter(expires_at__gt=timezone.now()):
            grants.advocate_grant_end(grant=grant, by=request.user)
            n += 1
        self.message_user(request, f"Ended {n} grant(s).", messages.SUCCESS)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(UrgentPing)
class UrgentPingAdmin(admin.ModelAdmin):
    list_display = ["ticket", "status", "reasons", "attempts", "sent_at", "last_error", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in UrgentPing._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CoverageDigest)
class CoverageDigestAdmin(admin.ModelAdmin):
    list_display = ["day", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = [f.name for f in CoverageDigest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class RuleForm(forms.ModelForm):
    channel_kinds = forms.MultipleChoiceField(
        choices=Channel.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Channel kinds; none means any.",
    )

    class Meta:
        model = Rule
        fields = [
            "name",
            "description",
            "position",
            "enabled",
            "stop_processing",
            "channel_kinds",
            "channels",
            "text_keywords",
            "text_regex",
            "text_excludes",
            "authors",
            "handles_mentioned",
            "link",
            "add_tags",
            "set_priority",
            "macro",
            "reply_template",
            "reply_from",
            "notify_slack",
            "close_without_reply",
        ]
        widgets = {
            "text_keywords": forms.Textarea(attrs={"rows": 5, "cols": 60}),
            "text_excludes": forms.Textarea(attrs={"rows": 3, "cols": 60}),
            "text_regex": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "authors": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "handles_mentioned": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "description": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "reply_template": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }

    def clean(self):
        data = super().clean()
        given = [data.get("channel_kinds"), data.get("channels"), data.get("text_regex", "").strip(), data.get("link")]
        given += [lines(data.get(f, "")) for f in ("text_keywords", "text_excludes", "authors", "handles_mentioned")]
        if not any(given):
            raise forms.ValidationError("Give the rule at least one condition: it would match every mention.")
        return data


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    change_form_template = "admin/mentions/rule/change_form.html"
    list_display = ["name", "position", "enabled", "stop_processing", "does"]
    list_editable = ["position", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["name", "description", "text_keywords"]
    filter_horizontal = ["channels"]
    fieldsets = [
        (None, {"fields": ["name", "description", "position", "enabled", "stop_processing"]}),
        (
            "Conditions (all that are filled in must hold)",
            {
                "fields": [
                    "channel_kinds",
                    "channels",
                    "text_keywords",
                    "text_regex",
                    "text_excludes",
                    "authors",
                    "handles_mentioned",
                    "link",
                ]
            },
        ),
        (
            "Actions",
            {
                "fields": [
                    "add_tags",
                    "set_priority",
                    "macro",
                    "reply_template",
                    "reply_from",
                    "notify_slack",
                    "close_without_reply",
                ]
            },
        ),
    ]
    actions = ["try_rule"]

    @admin.display(description="Does")
    def does(self, obj: Rule) -> str:
        from mentions.rules import rule_compile

        try:
            return "; ".join(rule_compile(obj).actions.describe())
        except ValueError as exc:
            return f"broken: {exc}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("macro")

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
        macro_actions = [(a.kind, a.value) for a in rule.macro.actions.all()] if rule.macro_id else []
        result = rule_try(
            rule=rule, channel_ids=list(rule.channels.values_list("pk", flat=True)), macro_actions=macro_actions
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


# The channels' admin (settings, accounts, polls, dead letters) runs polls and retries through the
# ingest pipeline, so it is registered from here, above channels.
from mentions import channel_admin  # noqa: E402, F401
