"""The story's one answer as each of its tickets gets it."""

from __future__ import annotations

from mentions.models import Ticket
from stories.models import Story


def answered_story_joined(*, story: Story, ticket_ids: list[int]) -> int:
    """New tickets joined a story already answered: the story's answer becomes their suggested reply (their draft,
    when they have none yet). Returns how many drafts were set."""
    if not story.answer:
        return 0
    return Ticket.objects.filter(pk__in=ticket_ids, reply_draft="").update(reply_draft=story.answer)
