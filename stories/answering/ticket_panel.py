"""The ticket page's Story panel (registered with mentions.ticket_page.panels in stories.apps, after the facts and
before the Answers panel): the ticket's story in one line, why the ticket is in it, and, once the story is answered, its
answer as this ticket gets it, to insert in the reply box."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mentions.models import Ticket
from stories.answering.drafts import ticket_draft
from stories.answering.page_reads import ticket_story
from stories.models import Story, StoryReply

TEMPLATE = "stories/_story_panel.html"


def story_panel(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    found = ticket_story(ticket)
    if found is None:
        return {"story_panel": None}
    membership, platforms = found
    story: Story = membership.story
    panel: dict[str, Any] = {"story": story, "membership": membership, "platforms": platforms}
    if story.answer and story.state == Story.State.ANSWERED:
        reply = StoryReply.objects.filter(story=story, ticket_id=ticket.pk).first()
        if reply is not None and reply.status in StoryReply.DONE:
            panel["outcome"] = reply
        elif reply is not None:
            panel["answer"], panel["shortened"] = reply.body, reply.shortened
        else:
            draft = ticket_draft(ticket=ticket, answer=story.answer, link=story.answer_link)
            panel["answer"], panel["shortened"] = draft.body, draft.shortened
    return {"story_panel": panel}
