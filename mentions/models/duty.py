"""What the desk does on its own around tickets: urgent pings, end-of-day digests, advocate-for-a-day
grants, front-page stories, watched threads."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from mentions.models.tickets import Ticket


class UrgentPing(models.Model):
    """One after-hours ping to the advocates for an urgent ticket. The row exists before the
    Slack message is posted (unique per ticket), so a ticket is never pinged twice. A ticket
    that turned urgent inside coverage gets a row too (status in_coverage): the team saw it,
    so it is not pinged when coverage ends."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        IN_COVERAGE = "in_coverage", "Urgent inside coverage (no ping)"
        FRONT_PAGE = "front_page", "Told as a Hacker News front-page story"

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="urgent_ping")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reasons = models.JSONField(default=list, blank=True)
    slack_channel = models.CharField(max_length=80, blank=True)
    slack_ts = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], name="urgentping_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"Urgent ping for #{self.ticket_id}: {self.status}"


class CoverageDigest(models.Model):
    """The end-of-day list of tickets that may turn urgent before coverage resumes: one per
    covered day (unique date), so it is sent once however often beat asks."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        EMPTY = "empty", "Nothing at risk (not posted)"
        FAILED = "failed", "Failed"

    day = models.DateField(unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    ticket_ids = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    slack_channel = models.CharField(max_length=80, blank=True)
    slack_ts = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Digest {self.day}: {self.status}"


class AdvocateGrant(models.Model):
    """ "Advocate for a day": a team member works the queue with the Advocates' permissions
    from `starts_at` until `expires_at`. Checked on every request (mentions.backends), so
    access ends the second the grant expires; group membership is never touched."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advocate_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Set by the beat task once the grant is over (logged once).
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "expires_at"], name="grant_user_expires_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("starts_at")), name="grant_expires_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.user} advocate until {self.expires_at:%Y-%m-%d %H:%M} UTC"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_at and self.expires_at and self.expires_at <= self.starts_at:
            raise ValidationError({"expires_at": "The grant must expire after it starts."})

    def is_active_at(self, at) -> bool:
        return self.starts_at <= at < self.expires_at


class FrontPageStory(models.Model):
    """A Hacker News story of a channel seen on the front page. One row per story (unique), made in
    the transaction that marks its ticket urgent, so a story is marked and announced once; the row is
    also the announcement's outbox: pending until posted to the advocates' Slack channel."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    story_id = models.CharField(max_length=32)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, related_name="front_page_stories")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    slack_channel = models.CharField(max_length=80, blank=True)
    slack_ts = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "front-page stories"
        constraints = [models.UniqueConstraint(fields=["channel", "story_id"], name="front_page_story_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="frontpage_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"Front page: story {self.story_id} ({self.status})"


class ThreadWatch(models.Model):
    """A ticket's thread read directly on the platform (mentions.services.watching): while an expert is
    asked (their answer may not contain the channel's keyword) and for a while after our reply (the
    requester's answer to it). One row per ticket, thread and reason."""

    class Reason(models.TextChoices):
        OUTREACH = "outreach", "An expert was asked"
        AFTER_REPLY = "after_reply", "After our reply"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="thread_watches")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    thread_ref = models.CharField(max_length=100)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # Handles whose posts in the thread are taken in whatever they reply to (the experts asked);
    # anyone else's only when it answers a message of the ticket.
    authors = models.JSONField(default=list, blank=True)
    watch_until = models.DateTimeField()
    next_check_at = models.DateTimeField()
    checks = models.PositiveIntegerField(default=0)
    failures = models.PositiveSmallIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "thread_ref", "reason"], name="thread_watch_once"),
        ]
        indexes = [models.Index(fields=["next_check_at"], name="thread_watch_due_idx")]

    def __str__(self) -> str:
        return f"Watching {self.thread_ref} for #{self.ticket_id} ({self.reason})"
