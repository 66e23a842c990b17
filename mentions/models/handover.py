"""Hand-overs (issue 44): an advocate ending their day gives a ticket to someone in another time zone to watch
until a deadline (mentions.services.handover)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.model_bases import Stamped


class HandOver(Stamped):
    """One "watch overnight": the ticket is the receiver's until `until`; past it, if they did nothing on it, it
    goes back to the giver (`outcome` returned). Ended early when the receiver acts or the ticket moves on."""

    class Outcome(models.TextChoices):
        WATCHING = "watching", "Being watched"
        ACTED = "acted", "The receiver acted on it"
        RETURNED = "returned", "Returned to the giver"
        ENDED = "ended", "Ended (reassigned, solved or handed over again)"

    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="handovers")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    until = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.WATCHING)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["until"], name="handover_watching_idx", condition=Q(outcome="watching")),
        ]
        constraints = [
            # One watch at a time per ticket: handing over again ends the last one first.
            models.UniqueConstraint(fields=["ticket"], condition=Q(outcome="watching"), name="handover_one_watching"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} handed over until {self.until:%Y-%m-%d %H:%M}"
