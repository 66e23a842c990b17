"""Issues a ticket was pointed to: an issue on a GitLab or GitHub channel the desk has, filed from the desk or linked
by its address, kept with the state the desk last read (stories.issues follows it to its end). One issue may be
linked to many tickets (a story links all of its tickets); a ticket may have more than one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from advocacy.model_bases import Stamped


class IssueLink(Stamped):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    channel = models.ForeignKey(
        "channels.Channel",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The GitLab or GitHub channel whose credentials read it (none: it is no longer followed).",
    )
    kind = models.CharField(max_length=20, help_text="The platform's kind (Channel.kind) when it was linked.")
    project = models.CharField(max_length=255, help_text="GitLab: the project's path; GitHub: owner/name.")
    number = models.PositiveIntegerField(help_text="GitLab's iid, GitHub's number.")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    milestone = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True, help_text="When its state was last read.")
    check_error = models.CharField(max_length=500, blank=True, help_text="Why the last read failed, in words.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed = models.BooleanField(default=False, help_text="Filed from the desk (else linked by its address).")
    tickets = models.ManyToManyField("mentions.Ticket", through="IssueTicket", related_name="issue_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "project", "number"], name="issue_link_once"),
        ]
        indexes = [models.Index(fields=["state", "last_checked_at"], name="issue_link_due_idx")]

    def __str__(self) -> str:
        return f"{self.project}#{self.number}"


class IssueTicket(models.Model):
    """One ticket pointed to one issue: by whom and when."""

    issue = models.ForeignKey(IssueLink, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "ticket"], name="issue_ticket_once")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} → {self.issue_id}"
