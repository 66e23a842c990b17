"""What the desk tells people on its own, and the outbox of each message: new-ticket and rule lines
for Slack (SlackNotice), after-hours urgent pings, end-of-day digests and front-page announcements.

The tables keep the names they had in channels and mentions (db_table): the models moved here with
notifications, their rows did not move (migration notifications 0001 is state-only)."""

from django.db import models
from django.db.models import Q


class SlackNotice(models.Model):
    """One line waiting for (or posted in) a Slack message: the outbox of Slack routing.

    Rows are written in the ingest transaction; notifications.outbox posts them in batches.
    (destination, ticket, kind) is unique, so a ticket is never queued twice for one place; a share
    (notifications.share) is a person's message, posted on its own, and a ticket may be shared again later."""

    class Kind(models.TextChoices):
        NEW_TICKET = "new_ticket", "New ticket (channel mirror)"
        RULE = "rule", "Rule notification"
        SHARE = "share", "Shared from the ticket page"
        THREAD_ANSWER = "thread_answer", "Ticket link in the Slack thread it came from"
        # A direct message to the advocate whose snoozed ticket came back (notifications.snooze_remind): one per
        # wake, so a ticket snoozed again reminds again.
        REMINDER = "reminder", "Snoozed ticket back (Slack DM)"
        # A direct message to the advocate whose expert stayed silent after a nudge or said "Not me"
        # (notifications.outreach_nudge): one per telling.
        EXPERT = "expert", "Expert silent or passed on (Slack DM)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Outcome unknown (not re-posted)"

    destination = models.CharField(max_length=80)
    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="slack_notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField(help_text="The line for this ticket, already escaped for Slack.")
    # A reply in that Slack thread (the message a ticket was made of): posted alone, never batched with others.
    thread_ts = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Empty: as soon as possible.")
    claim_token = models.CharField(max_length=36, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    slack_ts = models.CharField(max_length=32, blank=True)
    slack_channel_id = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "channels_slacknotice"  # kept from before the move (no data copied)
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "ticket", "kind"],
                condition=~Q(kind__in=["share", "reminder", "expert"]),
                name="slacknotice_unique_per_ticket",
            )
        ]
        indexes = [
            models.Index(fields=["destination", "id"], name="slacknotice_pending_idx", condition=Q(status="pending")),
            models.Index(fields=["claimed_at"], name="slacknotice_sending_idx", condition=Q(status="sending")),
            models.Index(fields=["status", "created_at"], name="slacknotice_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.destination} #{self.ticket_id} ({self.get_status_display()})"


class SlackMessageRow(models.Model):
    """The outbox fields of a table whose every row is one Slack message, posted row by row
    (notifications.rows): where it went, its timestamp there, and its tries."""

    slack_channel = models.CharField(max_length=80, blank=True)
    slack_ts = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UrgentPing(SlackMessageRow):
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

    ticket = models.OneToOneField("mentions.Ticket", on_delete=models.CASCADE, related_name="urgent_ping")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "mentions_urgentping"  # kept from before the move (no data copied)
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
        db_table = "mentions_coveragedigest"  # kept from before the move (no data copied)
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Digest {self.day}: {self.status}"


class FrontPageStory(SlackMessageRow):
    """A Hacker News story of a channel seen on the front page. One row per story (unique), made in
    the transaction that marks its ticket urgent, so a story is marked and announced once; the row is
    also the announcement's outbox: pending until posted to the advocates' Slack channel."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    story_id = models.CharField(max_length=32)
    ticket = models.ForeignKey(
        "mentions.Ticket", on_delete=models.SET_NULL, null=True, related_name="front_page_stories"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)

    class Meta:
        db_table = "mentions_frontpagestory"  # kept from before the move (no data copied)
        verbose_name_plural = "front-page stories"
        constraints = [models.UniqueConstraint(fields=["channel", "story_id"], name="front_page_story_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="frontpage_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"Front page: story {self.story_id} ({self.status})"
