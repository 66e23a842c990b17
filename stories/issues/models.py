"""A follow-up for an issue's end: when an issue tickets point to closes or gets a milestone, each of its tickets
gets one drafted reply for its public thread ("Fixed in 18.7: <issue>. Thanks for reporting it!"), sent like a
story's answer (stories.issues). Imported by stories.models, so the app's models are in one place."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from advocacy.model_bases import Stamped


class IssueFollowUp(Stamped):
    """One ticket's follow-up for one event of one issue: unique per (issue, ticket, event), so however often the
    state is read, Send pressed or the worker retried, the requester hears it once. Its ReplySend key is made of
    the same three and the attempt (a new attempt only after a refusal: nothing was posted)."""

    class Event(models.TextChoices):
        CLOSED = "closed", "Closed"
        MILESTONE = "milestone", "Milestone set"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent from the desk"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    IN_FLIGHT = (Status.QUEUED, Status.SENDING)
    SENDABLE = (Status.DRAFT, Status.FAILED, Status.SKIPPED)

    issue = models.ForeignKey("mentions.IssueLink", on_delete=models.CASCADE, related_name="followups")
    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=16, choices=Event.choices)
    milestone = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    handle = models.CharField(max_length=200, blank=True, help_text="The account it is sent as ('': reply yourself).")
    plan_note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    attempt = models.PositiveSmallIntegerField(default=1, help_text="Raised after a refusal: a new post, a new key.")
    link = models.URLField(max_length=1000, blank=True, help_text="The follow-up on the platform.")
    error = models.CharField(max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "stories"
        constraints = [
            models.UniqueConstraint(fields=["issue", "ticket", "event"], name="issue_followup_once"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} {self.event} → #{self.ticket_id} ({self.status})"

    @property
    def send_key(self) -> str:
        """Deterministic: the same follow-up's same attempt always asks the platform under the same key."""
        return f"issue-{self.issue_id}-{self.ticket_id}-{self.event}-{self.attempt}"


class IssueSettings(models.Model):
    """Where the desk files an issue unless the advocate chooses otherwise (a single row; admin edits it)."""

    channel = models.ForeignKey(
        "channels.Channel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The GitLab or GitHub channel whose connected account files issues (its projects are offered).",
    )
    project = models.CharField(
        max_length=255, blank=True, help_text="The default project (group/project, or owner/name on GitHub)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "stories"
        verbose_name = verbose_name_plural = "issue settings (where issues are filed)"

    def __str__(self) -> str:
        return "Issue settings"

    @classmethod
    def current(cls) -> IssueSettings:
        return cls.objects.select_related("channel").order_by("pk").first() or cls()
