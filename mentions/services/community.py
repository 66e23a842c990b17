"""Answered by the community (docs/desk.md): the ticket page's offer, "Close: answered by the community", for a
ticket whose question someone outside the team answered on its thread and the asker accepted or thanked them for
(the ingest marks it: intake.pipeline.accepted and .thanked), and the one click that closes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mentions.models import CommunityAnswer, Message, Ticket
from mentions.services.actions import ticket_change_status

ANSWERED_BY_COMMUNITY = "answered by the community"


@dataclass(frozen=True)
class CommunityAnswerShown:
    """The accepted answer as the ticket page and the API show it."""

    message_id: int
    link: str  # the answer's permalink on the platform ("" when the platform gave none)
    author: str
    at: Any  # when the desk read it as accepted: the ticket was marked then
    closed: bool  # the ticket was closed as answered by the community
    accepted: bool  # the platform says the asker accepted it; else the asker thanked for it in a reply


def community_answer_shown(ticket: Ticket) -> CommunityAnswerShown | None:
    """The ticket's answer by the community, or None. Read with the ticket and its conversation by
    mentions.selectors.ticket_detail: no query of its own."""
    try:
        answer = ticket.community_answer
    except CommunityAnswer.DoesNotExist:
        return None
    message = next((m for m in ticket.messages.all() if m.pk == answer.message_id), None)
    return CommunityAnswerShown(
        message_id=answer.message_id,
        link=message.permalink if message else "",
        author=(message.author_name or message.author_handle) if message else "",
        at=answer.created_at,
        closed=answer.closed_at is not None,
        accepted=bool(message and message.accepted_at),
    )


def ticket_close_community(*, ticket: Ticket | int, user: Any, seen_version: int | None = None) -> Ticket:
    """Solve the ticket as answered by the community: its status event says so and links the answer, and the
    KPI counts it apart from the tickets solved without a reply (metrics.rollups)."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    with transaction.atomic():
        answer = CommunityAnswer.objects.select_for_update().filter(ticket_id=pk).first()
        if answer is None:
            raise ValidationError(f"#{pk} has no answer by the community to close it with.")
        if Ticket.objects.filter(pk=pk, status=Ticket.Status.SOLVED).exists():
            raise ValidationError(f"#{pk} is solved already.")
        link = Message.objects.filter(pk=answer.message_id).values_list("permalink", flat=True).first() or ""
        closed = ticket_change_status(
            ticket=pk,
            user=user,
            status=Ticket.Status.SOLVED,
            seen_version=seen_version,
            reason=ANSWERED_BY_COMMUNITY,
            link=link,
        )
        now = timezone.now()
        CommunityAnswer.objects.filter(pk=answer.pk).update(closed_at=now, closed_by=user, updated_at=now)
    return closed
