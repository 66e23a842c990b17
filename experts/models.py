from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from advocacy.model_bases import Named, Stamped


class ProductArea(Named):
    """A product area (DevOps stage such as Plan, Create, Verify) with its Slack channel."""

    name = models.CharField(max_length=80, unique=True)
    slack_channel = models.CharField(max_length=80, blank=True, help_text="e.g. #s_plan")
    keywords = models.JSONField(
        default=list, blank=True, help_text='Words that point at this area, e.g. ["pipeline", "runner"].'
    )


class Expert(Named):
    """Someone (or a group, such as technical evangelists) the team asks for an answer."""

    name = models.CharField(max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    slack_handle = models.CharField(max_length=80, blank=True, help_text="Slack member id (U123…) or @name.")
    is_group = models.BooleanField(default=False)
    areas = models.ManyToManyField(ProductArea, blank=True, related_name="experts")
    topics = models.JSONField(default=list, blank=True, help_text='Topics and keywords, e.g. ["gitlab-ci", "caching"].')
    active = models.BooleanField(default=True)
    # The products they answer for (issue 71): asked in admin only when the desk has several.
    products = models.ManyToManyField(
        "mentions.ProductProfile",
        blank=True,
        related_name="+",
        help_text="The products they answer for; none means all. Suggested only for tickets of these.",
    )

    @property
    def slack_mention(self) -> str:
        handle = self.slack_handle.strip()
        if handle.startswith(("U", "W", "S")) and handle[1:].isalnum() and handle.isupper():
            return f"<@{handle}>" if not handle.startswith("S") else f"<!subteam^{handle}>"
        return handle if handle.startswith("@") or not handle else f"@{handle}"


class ExpertIdentity(Stamped):
    """An expert's account on one platform: their messages there are our replies."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(
        max_length=32,
        help_text="Channel kind: twitter, hackernews, reddit, stackexchange, disqus, discourse, email, webhook.",
    )
    handle = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("handle"), "kind", name="expert_identity_unique_handle"),
        ]
        indexes = [models.Index(Lower("handle"), "kind", name="expert_identity_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.handle}"


class Outreach(Stamped):
    """One request to an expert, from a ticket, sent to Slack."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"
        FAILED = "failed", "Failed to send"
        # Two merged tickets each asked this expert: the other outreach (merged_into) stands for both.
        MERGED = "merged", "Merged into another outreach"

    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="outreaches")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="outreaches")
    advocate = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    message = models.TextField()
    slack_channel = models.CharField(max_length=80)
    slack_ts = models.CharField(max_length=40, blank=True)
    slack_permalink = models.URLField(max_length=500, blank=True)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    answer_message = models.ForeignKey(
        "mentions.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Nudged once in its Slack thread after a silence (experts.nudge): set by a conditional UPDATE before the
    # post, so two beat runs never nudge twice.
    nudged_at = models.DateTimeField(null=True, blank=True)
    # Still silent after the nudge: its advocate was told and the next expert offered (once).
    silence_told_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "outreaches"  # not Django's "outreachs"
        indexes = [
            models.Index(fields=["ticket", "status"], name="outreach_ticket_status_idx"),
            models.Index(fields=["expert", "sent_at"], name="outreach_expert_sent_idx"),
            models.Index(fields=["sent_at"], name="outreach_sent_idx"),
            # The nudge beat: sent outreaches still waiting for an answer (a few at any time).
            models.Index(fields=["sent_at"], name="outreach_waiting_idx", condition=Q(status="sent")),
        ]
        constraints = [
            # One open outreach per ticket and expert: a double submit never asks twice.
            models.UniqueConstraint(
                fields=["ticket", "expert"],
                condition=Q(status__in=["pending", "sent"]),
                name="outreach_one_open_per_expert",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} → {self.expert}"


class OutreachSettings(Stamped):
    """Admin-editable outreach wording and Slack destinations (a single row)."""

    template = models.TextField(
        default=(
            "Hello {expert}! An expert is needed to respond to this. Could you please answer on {platform} "
            "using your own individual account? {link}\n"
            "If you don't know the answer, could you share it with someone who does? Thanks! "
            "(support from an expert)"
        ),
        help_text="Placeholders: {expert} (Slack mention), {platform}, {link}, {ticket_url}, {advocate}.",
    )
    default_channel = models.CharField(max_length=80, default="#questions")
    community_channel = models.CharField(max_length=80, default="#community-involvement")

    class Meta:
        verbose_name_plural = "outreach settings"

    def __str__(self) -> str:
        return "Outreach settings"

    @classmethod
    def current(cls) -> "OutreachSettings":
        """The saved row, or the defaults unsaved: a read never writes. (It created the row, whose save retires the
        macros' kept summaries: the first ticket page after a fresh install read them twice, and a query-count
        test that happened to run first in a suite counted three queries more.)"""
        return cls.objects.order_by("pk").first() or cls()
