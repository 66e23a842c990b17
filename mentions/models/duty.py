"""What the desk does on its own around tickets: advocate-for-a-day grants and watched threads (urgent
pings, digests and front-page stories are notifications' own: notifications.models)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.model_bases import Stamped
from mentions.models.tickets import Ticket


class AdvocateGrant(Stamped):
    """ "Advocate for a day": a team member works the queue with the Advocates' permissions
    from `starts_at` until `expires_at`. Checked on every request (mentions.permissions.backends), so
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


class ThreadWatch(Stamped):
    """A ticket's thread read directly on the platform (intake.services.watching reads it): while an expert is
    asked (their answer may not contain the channel's keyword), after a share to Slack (a team member who saw
    it may answer there) and for a while after our reply (the requester's answer to it). One row per ticket,
    thread and reason."""

    class Reason(models.TextChoices):
        OUTREACH = "outreach", "An expert was asked"
        AFTER_REPLY = "after_reply", "After our reply"
        SHARE = "share", "Shared to Slack"

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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "thread_ref", "reason"], name="thread_watch_once"),
        ]
        indexes = [models.Index(fields=["next_check_at"], name="thread_watch_due_idx")]

    def __str__(self) -> str:
        return f"Watching {self.thread_ref} for #{self.ticket_id} ({self.reason})"


class AdvocateProfile(Stamped):
    """What the desk needs to know of an advocate beyond their account: their time zone (snooze presets such
    as "Tomorrow 9:00" are their 9:00), their Slack member id (reminders by direct message) and when they are
    away (a ticket waking from snooze then goes back to the queue instead of to them). Edited in admin."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advocate_profile")
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="A name such as Europe/Berlin; empty: the desk's time zone."
    )
    slack_user_id = models.CharField(max_length=32, blank=True, help_text="Slack member id (U0123ABCD) for reminders.")
    away_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Away (holiday, out of office) until this time: snoozed tickets go to the queue.",
    )

    def __str__(self) -> str:
        return f"Desk profile of {self.user}"

    def clean(self) -> None:
        from zoneinfo import available_timezones

        from django.core.exceptions import ValidationError

        if self.time_zone and self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": f"{self.time_zone!r} is not a time zone name such as Europe/Berlin."})
