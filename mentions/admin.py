from django.contrib import admin

from mentions.models import Macro, MacroAction, Message, Tag, Ticket, TicketEvent, View


class MacroActionInline(admin.TabularInline):
    model = MacroAction
    extra = 1
    fields = ["position", "kind", "value"]


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    inlines = [MacroActionInline]


@admin.register(View)
class ViewAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active", "high_priority_only", "allow_skip"]
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


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "channel", "status", "priority", "assignee", "requested_at", "first_reply_at"]
    list_filter = ["status", "priority", "channel"]
    search_fields = ["subject", "requester_handle"]
    list_select_related = ["channel", "assignee"]
    raw_id_fields = ["assignee", "served_to"]
    readonly_fields = ["requested_at", "first_reply_at", "first_reply_seconds", "solved_at", "created_at", "updated_at"]
    inlines = [MessageInline]


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["ticket"]
    list_select_related = ["ticket", "actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the audit trail is append-only
