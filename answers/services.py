"""What advocates do with answers: use an earlier answer in a reply, insert a saved reply.

Using an earlier answer is remembered three ways: a line in this ticket's history ("Ada used the earlier
answer on #812"), the answer's `uses` (it ranks higher next time), and this ticket's question words added to
the answer's `asked_terms`, so the next person who asks in these words finds it too. Each counts once per
ticket: inserting the same answer twice into one draft is one use.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import F

from advocacy.desk_settings import desk_settings_changed
from answers.index.follow import answer_words, terms_count_add
from answers.index.rows import reply_gone
from answers.models import Answer, SavedReply
from answers.saved_replies import saved_reply_fill
from answers.suggestions.feedback import Outcome, feedback_record
from answers.suggestions.ranking import ticket_question
from answers.terms import text_terms
from mentions.models import Ticket, TicketEvent
from mentions.services.drafts import ticket_draft_append
from mentions.services.events import event_record

PART_REPLY = "reply"
PART_LINK = "link"
ASKED_MAX_STEMS = 400  # other wordings kept per answer: the newest questions' stems


def answer_use(*, ticket: Ticket, source_id: int, user: Any, part: str = PART_REPLY) -> str:
    """The text to put in `ticket`'s draft from the answer on ticket `source_id` (its reply, or only its link);
    Answer.DoesNotExist if that ticket has no answer (any more), or its reply was deleted from the platform."""
    with transaction.atomic():
        answer = Answer.objects.select_for_update().exclude(reply_gone()).get(pk=source_id)
        text = answer.link if part == PART_LINK and answer.link else answer.reply
        # Every insert, the first one counted below or not: what fits is learned from it (answers.suggestions.feedback).
        feedback_record(ticket_id=ticket.pk, answer_ticket_id=source_id, outcome=Outcome.INSERTED, user=user)
        used = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ANSWER_USED, data__source=source_id)
        if used.exists():
            return text
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.ANSWER_USED,
            actor=user,
            source=source_id,
            part=part,
            link=answer.link,
        )
        _asked_add(answer, ticket)
    return text


def _asked_add(answer: Answer, ticket: Ticket) -> None:
    """uses + 1, and this ticket's question stems joined to the answer's other wordings (and counted)."""
    before = answer_words(answer)
    title, body = ticket_question(ticket)
    asked = (answer.asked_terms.split() + text_terms(f"{title}\n{body}"))[-ASKED_MAX_STEMS:]
    answer.asked_terms = " ".join(asked)
    answer.uses = F("uses") + 1
    answer.save(update_fields=["asked_terms", "uses", "indexed_at"])
    after = answer_words(answer)
    if after - before:
        terms_count_add(Counter(after - before), +1)
    if before - after:  # stems that only the oldest wordings held, now dropped
        terms_count_add(Counter(before - after), -1)


def answer_insert(*, ticket: Ticket, source_id: int, user: Any, part: str, typed: str | None, seen_version: int) -> str:
    """Without JavaScript: the earlier answer (or its link) after the reply box's text (`typed`), both the ticket's
    draft (mentions.services.drafts checks the version the page showed), and its use recorded, in one transaction:
    a refused insert records no use. Returns the text."""
    with transaction.atomic():
        text = answer_use(ticket=ticket, source_id=source_id, user=user, part=part)
        ticket_draft_append(ticket=ticket, text=text, user=user, seen_version=seen_version, typed=typed)
    return text


def saved_reply_used(reply: SavedReply) -> None:
    SavedReply.objects.filter(pk=reply.pk).update(uses=F("uses") + 1)
    desk_settings_changed()  # the picker's order follows the uses (answers.views.saved_replies_active)


def saved_reply_insert(*, ticket: Ticket, reply: SavedReply, user: Any, typed: str | None, seen_version: int) -> str:
    """As answer_insert, for a saved reply filled for the ticket ({link} left for the advocate to fill)."""
    text = saved_reply_fill(reply.body, ticket=ticket, link="{link}")
    with transaction.atomic():
        ticket_draft_append(ticket=ticket, text=text, user=user, seen_version=seen_version, typed=typed)
        saved_reply_used(reply)
    return text


def saved_reply_for_macro(*, ticket: Ticket, title: str, link: str) -> str | None:
    """A macro's "Prefill a saved reply" action: the active saved reply of that title, filled for the ticket."""
    reply = SavedReply.objects.filter(title__iexact=title, is_active=True).first()
    if reply is None:
        return None
    saved_reply_used(reply)
    return saved_reply_fill(reply.body, ticket=ticket, link=link)
