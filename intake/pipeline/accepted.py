"""Stage 12, edits: answers the asker accepted or thanked for. An item the platform marks as the answer the asker
accepted (IncomingMention.accepted_answer) keeps when the desk first read it so (Message.accepted_at: a new item is
written with it, one seen before is marked here). One in a ticket, by someone outside the team (an inbound
message: our accounts' and team members' items are our replies) other than the requester, marks its ticket
answered by the community (mentions.CommunityAnswer, once per ticket), with a history event; the registered hook
credits its author (people: a forum-answer contribution). A page without an accepted answer asks nothing.

Where the platform has no accepting (Reddit, Hacker News, GitHub, ...), the asker's own reply that reads as thanks
(intake.thanks) marks the answer it thanks the same way (intake.pipeline.thanked)."""

from __future__ import annotations

from intake.hooks import CommunityAnswered, community_answers_record
from intake.pipeline.page import Page
from intake.pipeline.thanked import thanked_answers
from mentions.models import CommunityAnswer, Message, TicketEvent
from mentions.rules import handle_key


def accepted_mark(page: Page) -> None:
    marked = _accepted(page)
    for ticket, answer in thanked_answers(page).items():
        marked.setdefault(ticket, answer)
    if not marked:
        return
    CommunityAnswer.objects.bulk_create(
        [CommunityAnswer(ticket_id=ticket, message_id=answer.message_id) for ticket, answer in marked.items()]
    )
    for ticket, answer in marked.items():
        data = {"message_id": answer.message_id, "link": answer.link}
        if answer.thanks_id is not None:
            data["thanks_message_id"] = answer.thanks_id
        page.event(ticket, TicketEvent.Kind.COMMUNITY_ANSWERED, data)
    community_answers_record(answers=list(marked.values()))


def _accepted(page: Page) -> dict[int, CommunityAnswered]:
    accepted = [m.external_id for m in page.unique.values() if m.accepted_answer]
    if not accepted:
        return {}
    stored = Message.objects.filter(channel=page.channel, external_id__in=accepted)
    # Seen before and accepted since (an answer is usually accepted after it was posted, and read).
    stored.filter(accepted_at__isnull=True).update(accepted_at=page.now, updated_at=page.now)
    rows = (
        stored.filter(
            kind=Message.Kind.INBOUND,
            ticket__isnull=False,
            ticket__community_answer__isnull=True,
            deleted_at__isnull=True,
        )
        .order_by("platform_created_at", "id")
        .values_list("pk", "ticket_id", "author_handle", "permalink", "platform_created_at", "ticket__requester_handle")
    )
    marked: dict[int, CommunityAnswered] = {}
    for pk, ticket, handle, link, at, requester in rows:
        # The asker accepting their own answer is no answer by the community.
        if ticket in marked or not handle or handle_key(handle) == handle_key(requester or ""):
            continue
        marked[ticket] = CommunityAnswered(message_id=pk, ticket_id=ticket, link=link, at=at)
    return marked
