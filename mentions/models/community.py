"""Answered by the community: an answer by someone outside the team that the asker accepted on the platform."""

from django.conf import settings
from django.db import models

from advocacy.model_bases import Stamped
from mentions.models.messages import Message
from mentions.models.tickets import Ticket


class CommunityAnswer(Stamped):
    """The ticket's question was answered on its thread by someone other than the requester and our team, and the
    asker accepted that answer (intake.pipeline.accepted marks it as the desk reads it). The ticket page offers
    "Close: answered by the community" (mentions.services.community); `closed_at` says it was closed that way,
    which the KPI counts apart (metrics.rollups). No text of its own: the answer's link is its message's."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="community_answer")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the desk read the answer as accepted: the ticket was marked then.

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Ticket {self.ticket_id} answered by message {self.message_id}"
