"""Every write to tickets goes through these functions; views and tasks stay thin."""

from .actions import (
    macro_apply,
    ticket_add_note,
    ticket_change_status,
    ticket_mark_replied,
)
from .assignment import queue_workers, ticket_reassign, ticket_release
from .editing import ticket_set_priority, ticket_set_tags
from .merge import ticket_merge
from .play import ticket_claim_next, ticket_skip
from .replies import reply_plan, ticket_send_reply
from .saved_searches import saved_search_delete, saved_search_save, saved_searches_of

__all__ = [
    "macro_apply",
    "queue_workers",
    "reply_plan",
    "saved_search_delete",
    "saved_search_save",
    "saved_searches_of",
    "ticket_add_note",
    "ticket_change_status",
    "ticket_claim_next",
    "ticket_mark_replied",
    "ticket_merge",
    "ticket_reassign",
    "ticket_release",
    "ticket_send_reply",
    "ticket_set_priority",
    "ticket_set_tags",
    "ticket_skip",
]
