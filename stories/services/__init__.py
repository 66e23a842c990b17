"""Every write to stories goes through these functions; views and tasks stay thin."""

from .answering import SendPress, story_answer_prepare, story_answer_send, story_reply_mark
from .editing import (
    story_close,
    story_merge,
    story_rename,
    story_reopen,
    story_ticket_move_in,
    story_ticket_move_out,
)
from .sending import story_replies_send

__all__ = [
    "SendPress",
    "story_answer_prepare",
    "story_answer_send",
    "story_close",
    "story_merge",
    "story_rename",
    "story_reopen",
    "story_replies_send",
    "story_reply_mark",
    "story_ticket_move_in",
    "story_ticket_move_out",
]
