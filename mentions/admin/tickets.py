"""Admin: tickets and their history."""

from django import forms
from django.contrib import admin

from advocacy.admin_display import ReadOnlyAdmin, RecordedAdmin, cut, cut_column, time_column
from mentions.models import (
    Message,
    Ticket,
    TicketEvent,
)


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = readonly_fields = ("kind", "external_id", "author_handle", "platform_created_at", "body")
    can_delete = False


class TicketAdminForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ["status", "priority", "assignee", "tags"]


@admin.register(Ticket)
class TicketAdmin(RecordedAdmin):
    """Tickets are opened by ingestion and worked in the desk. Here an admin may change status,
    priority, assignee and tags, which go through the desk's services and write the same events;
    everything else is read-only, and tickets are neither added nor deleted here (merge them)."""

    form = TicketAdminForm
    # The changelist counts what its filters match; not every ticket again beside it (a second COUNT(*) over
    # the whole table on every view of the list, as answers.admin leaves out for the same reason).
    show_full_result_count = False
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
    readonly_fields = [f for f in fields if isinstance(f, str) and f not in TicketAdminForm.Meta.fields]
    inlines = [MessageInline]
    actions = None  # bulk delete would drop history; bulk changes are in the desk's ticket list

    short_subject = cut_column("subject", "Subject", 60, ordering="subject")

    @admin.display(description="Channel", ordering="channel__name")
    def short_channel(self, obj: Ticket) -> str:
        return cut(obj.channel.name, 24)

    @admin.display(description="Assignee", ordering="assignee__username")
    def short_assignee(self, obj: Ticket) -> str:
        return cut(obj.assignee, 20) if obj.assignee_id else "-"

    requested = time_column("requested_at", "Requested")
    replied = time_column("first_reply_at", "First reply")

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
class TicketEventAdmin(ReadOnlyAdmin):
    """The audit trail is append-only: readable here, never added, changed or deleted."""

    list_display = ["short_ticket", "kind", "actor", "created"]
    show_full_result_count = False  # as TicketAdmin: no second COUNT(*) over every event
    list_filter = ["kind"]
    list_select_related = ["ticket", "actor"]
    readonly_fields = ["ticket", "kind", "actor", "data", "created_at", "updated_at"]
    actions = None

    short_ticket = cut_column("ticket", "Ticket", 50, ordering="ticket_id")
    created = time_column("created_at", "When")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
