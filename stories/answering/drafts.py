"""The story's one answer as each of its tickets gets it: addressed to its requester as replies on that platform
are (its declared `reply_opening`, X: "@handle " first), fitted to the platform's length as the platform counts it
(cut at a word, the link kept, and flagged so the advocate sees it), and sent from the account the reply plan
chooses (the handbook's respond-from rule), or marked replied with a link where the desk cannot post (Hacker News,
an account that replies outside the desk).

The answer may use the saved replies' placeholders ({requester}, {handle}, {link}: answers.saved_replies fills
them per ticket); without {link}, the link goes after the answer.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from answers.saved_replies import placeholder_values, placeholders_fill
from channels.adapters.registry import platform_or_default
from channels.adapters.reply_rule import ReplyRule
from mentions.models import Ticket
from mentions.services.drafts import ticket_draft_set
from mentions.services.reply_plan import ReplyPlan, reply_plan
from stories.models import Story, StoryReply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    body: str
    handle: str  # the account it is sent as; "" where the desk does not post (mark replied with a link)
    note: str  # why that account, or why the desk cannot post here
    shortened: bool  # the answer was cut to fit

    @property
    def posts(self) -> bool:
        return bool(self.handle)


def send_key() -> str:
    """A StoryReply's key for ticket_send_reply: one post per ticket, whatever presses and retries."""
    return f"story-{uuid.uuid4().hex}"


def reply_rule(kind: str) -> ReplyRule:
    """How a platform counts and limits a reply (X: a link is 23); none known for a kind no package declares."""
    return platform_or_default(kind).reply_rule


def _address(ticket: Ticket, values: dict[str, str]) -> str:
    """How a reply on the platform speaks to the requester before the answer: its declared `reply_opening`
    ({handle}: "@name" on X, the bare name elsewhere; {requester}: their name); none where the reply threads
    under theirs, which says it."""
    template = platform_or_default(ticket.channel.kind).reply_opening
    if "{handle}" in template and not (ticket.requester_handle or "").strip().lstrip("@"):
        return ""
    return placeholders_fill(template, values)


def _sender(ticket: Ticket, plan: ReplyPlan | None) -> tuple[str, str]:
    """(the account that posts, why) or ("", why the desk cannot post here)."""
    platform = platform_or_default(ticket.channel.kind).label if ticket.channel.kind else "the platform"
    if plan is None:
        return "", f"No posting from the desk on {platform}: reply there and give the link."
    at = plan.handle_prefix
    if plan.outside and not plan.chosen:
        return "", f"{at}{plan.outside} replies outside the desk ({plan.reason}): reply there and give the link."
    if plan.chosen in plan.unavailable:
        return "", f"{at}{plan.chosen} {plan.unavailable[plan.chosen]}: reply on {platform} and give the link."
    why = f": {plan.reason}" if plan.reason else ""
    return plan.chosen, f"Sent from {at}{plan.chosen}{why}."


def ticket_draft(*, ticket: Ticket, answer: str, link: str = "") -> Draft:
    """The story's answer as `ticket` gets it (its messages prefetched: the reply plan reads them)."""
    plan = reply_plan(ticket)
    handle, note = _sender(ticket, plan)
    values = placeholder_values(ticket=ticket, link=link)  # once for the greeting and the answer
    text = placeholders_fill(answer.strip(), values)
    rule = reply_rule(ticket.channel.kind)
    body, shortened = rule.fit(address=_address(ticket, values), text=text, link=link)
    return Draft(body=body, handle=handle, note=note[:300], shortened=shortened)


def story_drafts_make(*, story: Story, ticket_ids: Iterable[int], renew: bool = False) -> dict[int, str]:
    """A draft (StoryReply) of the story's answer for each ticket that has none yet, or, with `renew`, whose draft
    was not sent (the answer changed): {ticket id: its draft}. Tickets already answered from the story keep theirs."""
    ids = list(dict.fromkeys(ticket_ids))
    if not story.answer or not ids:
        return {}
    existing = {r.ticket_id: r for r in StoryReply.objects.filter(story=story, ticket_id__in=ids)}
    renewable = {StoryReply.Status.DRAFT, StoryReply.Status.SKIPPED}
    wanted = [i for i in ids if i not in existing or (renew and existing[i].status in renewable)]
    tickets = Ticket.objects.filter(pk__in=wanted).select_related("channel").prefetch_related("messages")
    made: dict[int, str] = {}
    for ticket in tickets:
        try:
            draft = ticket_draft(ticket=ticket, answer=story.answer, link=story.answer_link)
        except Exception:  # one ticket's odd channel must not stop the others' drafts (nor the detector)
            logger.exception("stories: no draft for ticket %s of story %s", ticket.pk, story.pk)
            continue
        fields = {"body": draft.body, "handle": draft.handle, "plan_note": draft.note, "shortened": draft.shortened}
        row = existing.get(ticket.pk)
        if row is None:
            StoryReply.objects.create(story=story, ticket=ticket, send_key=send_key(), **fields)
        else:
            StoryReply.objects.filter(pk=row.pk).update(status=StoryReply.Status.DRAFT, error="", **fields)
        made[ticket.pk] = draft.body
    return made


def answered_story_joined(*, story: Story, ticket_ids: list[int]) -> int:
    """New tickets joined a story already answered: the story's answer, as each of them gets it, becomes their
    suggested reply (their draft, when they have none yet) and waits on the story page to be sent. Returns how
    many drafts were set."""
    if not story.answer:
        return 0
    made = story_drafts_make(story=story, ticket_ids=ticket_ids)
    # The detector's worker: no advocate saw a version, and a draft someone started is never replaced.
    return sum(ticket_draft_set(ticket=pk, body=body, only_if_empty=True) for pk, body in made.items())
