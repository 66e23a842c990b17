"""Replies that wait for an advocate's approval (issue 44): written by someone with temporary access (an "Advocate
for a day" grant) or by an expert (the Experts role), posted only when an advocate approves them
(mentions.services.approvals)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.model_bases import Stamped


class ReplyApproval(Stamped):
    """One reply submitted for approval, with everything the Send form would have posted (the text, the account, how
    to post it and the status after it), so that "Approve and send" posts exactly what was submitted."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and sent"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn (replaced, or taken into the reply box to edit)"

    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="approvals")
    body = models.TextField()
    handle = models.CharField(max_length=100, blank=True)
    style = models.CharField(max_length=16, blank=True)
    # The ticket's status after the reply, as the Send form's "Submit as" (open, pending or solved).
    status_after = models.CharField(max_length=16, default="solved")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why it was rejected, shown to the submitter
    # The reply posted when it was approved: a second press answers with it.
    message = models.ForeignKey("mentions.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The queue's list of replies waiting for approval.
            models.Index(fields=["created_at"], name="approval_pending_idx", condition=Q(status="pending")),
        ]
        constraints = [
            # One reply waits per ticket: submitting again withdraws the one before.
            models.UniqueConstraint(fields=["ticket"], condition=Q(status="pending"), name="approval_one_pending"),
        ]

    def __str__(self) -> str:
        return f"Reply on #{self.ticket_id} {self.get_status_display().lower()}"
