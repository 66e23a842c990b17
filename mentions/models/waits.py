"""The next reply's waits: each follow-up from the requester after our reply starts one, our next reply ends it.
Kept as rows (not only the ticket's running `next_reply_due_at`) so the KPI can take the median, p90 and share
within target of every wait, answered or not (mentions.services.next_reply, metrics.next_reply)."""

from django.db import models
from django.db.models import Q

from advocacy.model_bases import Stamped
from mentions.models.tickets import Ticket


class ReplyWait(Stamped):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reply_waits", db_index=False)
    high_priority = models.BooleanField(default=False, help_text="The ticket's, when the wait started (its target).")
    started_at = models.DateTimeField(help_text="Platform time of the follow-up that started the wait.")
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # The wait in calendar and in business seconds (coverage schedule), set when it is answered.
    seconds = models.PositiveBigIntegerField(null=True, blank=True)
    business_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    # Set once, by whoever notices first (the sweep, or the late reply): one NEXT_REPLY_BREACHED event per wait.
    breached = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "started_at"], name="replywait_ticket_idx"),
            # The KPI over a date range (waits that started in it).
            models.Index(fields=["started_at"], name="replywait_started_idx"),
            # The breach sweep: running waits not yet flagged.
            models.Index(
                fields=["due_at"], name="replywait_running_idx", condition=Q(answered_at__isnull=True, breached=False)
            ),
        ]
        constraints = [
            # One running wait per ticket: a second follow-up before our reply extends nothing.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(answered_at__isnull=True), name="replywait_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Next reply on #{self.ticket_id} due {self.due_at:%Y-%m-%d %H:%M} UTC"
