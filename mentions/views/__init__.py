"""The desk's pages: lists (queue, tickets, Play), the ticket page and the actions on a ticket."""

from mentions.views.access import work_queue
from mentions.views.actions import (
    ticket_assign,
    ticket_community_close,
    ticket_delete_post,
    ticket_direct_message_send,
    ticket_judgement,
    ticket_like,
    ticket_macro,
    ticket_merge,
    ticket_not_noise,
    ticket_note,
    ticket_priority,
    ticket_release,
    ticket_reply,
    ticket_repost,
    ticket_send,
    ticket_skip,
    ticket_status,
    ticket_tags,
)
from mentions.views.approvals import ticket_approval
from mentions.views.in_place import ticket_panel, ticket_panels_later
from mentions.views.lists import play, queue, saved_search_create, saved_search_delete, ticket_index, tickets_bulk
from mentions.views.products import ticket_product
from mentions.views.snooze import snoozed, ticket_hand_over, ticket_snooze
from mentions.views.team_model import team_draft_dismissed, team_draft_use
from mentions.views.ticket import (
    form_action,
    ticket,
    ticket_action,
    ticket_fold,
    ticket_history,
    ticket_live,
    ticket_presence,
)
from mentions.views.view_list import view_list

__all__ = [
    "form_action",
    "play",
    "queue",
    "saved_search_create",
    "saved_search_delete",
    "snoozed",
    "team_draft_dismissed",
    "team_draft_use",
    "ticket",
    "ticket_action",
    "ticket_approval",
    "ticket_assign",
    "ticket_community_close",
    "ticket_delete_post",
    "ticket_direct_message_send",
    "ticket_fold",
    "ticket_hand_over",
    "ticket_history",
    "ticket_index",
    "ticket_judgement",
    "ticket_like",
    "ticket_live",
    "ticket_macro",
    "ticket_merge",
    "ticket_not_noise",
    "ticket_note",
    "ticket_panel",
    "ticket_panels_later",
    "ticket_presence",
    "ticket_priority",
    "ticket_product",
    "ticket_release",
    "ticket_reply",
    "ticket_repost",
    "ticket_send",
    "ticket_skip",
    "ticket_snooze",
    "ticket_status",
    "ticket_tags",
    "tickets_bulk",
    "view_list",
    "work_queue",
]
