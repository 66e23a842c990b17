"""Stories: the same topic told by many mentions across platforms (a release post, an outage, a post that went
viral), grouped so the team sees the wave and answers it once.

A ticket belongs to at most one story (`Membership`, with why it joined). The detector (stories.detection.detector)
reads each new ticket once (`Signature`: its normalised links and distinctive terms) and keeps an inverted
index of recent signatures (`Key`) so a page of new tickets is matched against the window in one query.
`TermDay` counts, per day, how many tickets used each term: the background against which a term is
distinctive (rare before today) and a term's usual hourly rate for spikes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from advocacy.model_bases import Stamped
from notifications.models import SlackMessageRow
from stories.incidents.models import PolledFeed


class Story(Stamped):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    class Origin(models.TextChoices):
        LINK = "link", "Shared link"
        TERMS = "terms", "Shared terms"
        INCIDENT = "incident", "Status page incident"
        ADVOCATE = "advocate", "Made by an advocate"
        MEANING = "meaning", "Same meaning"
        RELEASE = "release", "Release post"
        BURST = "burst", "A burst of problem reports"

    title = models.CharField(max_length=300)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    links = models.JSONField(default=list, blank=True, help_text="Normalised links its tickets share.")
    terms = models.JSONField(
        default=dict, blank=True, help_text="Its core terms, used by most of its tickets: {stem: the word as written}."
    )
    term_counts = models.JSONField(
        default=dict, blank=True, help_text="The terms its tickets use most: {stem: [word, tickets]}."
    )
    size = models.PositiveIntegerField(default=0, help_text="Tickets in it (kept with its memberships).")
    # Its size when the window's loose tickets were last compared with it: they are again once it grew by a tenth
    # (its words' weights barely move with one more ticket).
    reattached_size = models.PositiveIntegerField(default=0, editable=False)
    # The sum of its tickets' meaning vectors (float32 bytes) and how many: its centroid, kept as it grows and merges
    # so a new ticket is compared with it without reading the members (stories.detection.meaning).
    # Defaults in the database too: a worker still running the previous release inserts stories without them.
    meaning = models.BinaryField(default=b"", db_default=b"", editable=False)
    meaning_n = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    first_at = models.DateTimeField(help_text="When its first mention was posted.")
    last_at = models.DateTimeField(help_text="When its latest mention was posted.")
    answer = models.TextField(blank=True, help_text="The one answer to every ticket of the story.")
    answer_link = models.URLField(max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    spike_alerted_at = models.DateTimeField(null=True, blank=True)
    # The product it is about (issue 71): its release plan's, or its first ticket's; empty: the desk's, any product.
    # A new ticket prefers its product's stories (stories.detection.products).
    product = models.ForeignKey(
        "mentions.ProductProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["state", "-last_at"], name="story_state_last_idx"),
            models.Index(fields=["-last_at"], name="story_live_idx", condition=Q(merged_into__isnull=True)),
            # The queue's stories block walks the stories still worked, newest first, and stops at eight.
            models.Index(
                fields=["-last_at", "-id"],
                name="story_queue_idx",
                condition=Q(merged_into__isnull=True) & ~Q(state="closed"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", args=[self.pk])


class Membership(Stamped):
    """A ticket in a story, and why. A ticket is in one story at most."""

    class Via(models.TextChoices):
        LINK = "link", "Same link"
        TERMS = "terms", "Shared terms"
        INCIDENT = "incident", "Status page incident"
        ADVOCATE = "advocate", "Moved by an advocate"
        MERGE = "merge", "Stories merged"
        MEANING = "meaning", "Same meaning"
        BURST = "burst", "In a burst of problem reports"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="memberships")
    ticket = models.OneToOneField("mentions.Ticket", on_delete=models.CASCADE, related_name="story_membership")
    via = models.CharField(max_length=16, choices=Via.choices)
    reason = models.CharField(max_length=300, help_text='Why it joined: "links to the same URL …", "shares: …".')
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["story", "created_at"], name="membership_story_idx")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} in story {self.story_id}"


class Exclusion(Stamped):
    """An advocate moved this ticket out of this story: the detector never puts it back there."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="exclusions")
    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "ticket"], name="exclusion_once")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} out of story {self.story_id}"


class Signature(Stamped):
    """What the detector read of a ticket when it arrived: its first mention's normalised links and its
    distinctive terms (stems, with the word as written, for the reasons shown)."""

    ticket = models.OneToOneField("mentions.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(help_text="When the mention was posted.")
    platform = models.CharField(max_length=64)
    links = models.JSONField(default=list, blank=True)
    terms = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["at"], name="signature_at_idx")]

    def __str__(self) -> str:
        return f"Signature of #{self.ticket_id}"


class Key(models.Model):
    """One link ("l:…") or distinctive term ("t:…") of a recent ticket, or of a story itself (an incident's page
    and words): the inverted index the detector matches a page of new tickets against, pruned after the window."""

    key = models.CharField(max_length=300)
    ticket = models.ForeignKey(
        "mentions.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="story_key_idx"),
            models.Index(fields=["ticket"], name="story_key_ticket_idx"),
            models.Index(fields=["at"], name="story_key_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket__isnull=False) | Q(story__isnull=False), name="story_key_of_something"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class TermDay(models.Model):
    """How many new tickets used a term on a day (UTC): a term's background and usual rate."""

    term = models.CharField(max_length=100)
    day = models.DateField()
    tickets = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "day"], name="termday_once")]
        indexes = [models.Index(fields=["day"], name="termday_day_idx")]

    def __str__(self) -> str:
        return f"{self.term} on {self.day}: {self.tickets}"


class MeaningDay(models.Model):
    """The sum of a day's ticket meaning vectors (float32 bytes) and how many: the usual meaning of the weeks
    before, which the detector takes away from every vector so what a wave says stands out of what every day's
    mentions of the product say (as TermDay does for words)."""

    day = models.DateField(unique=True)
    tickets = models.PositiveIntegerField(default=0)
    total = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return f"meaning of {self.day}: {self.tickets} tickets"


class DetectorState(Stamped):
    """One row: where the detector has read to (tickets are read once, in id order)."""

    last_ticket_id = models.BigIntegerField(default=0)  # every ticket up to it is read, and never looked at again
    # The highest ticket read: new tickets are those above it. Below it, a ticket whose ingest committed after
    # a run went past it is found by the next sweep (swept_at).
    read_through = models.BigIntegerField(default=0)
    swept_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Read up to ticket {self.last_ticket_id}"


class StatusFeed(PolledFeed):
    """A status page the desk polls for incidents (Atlassian Statuspage JSON, or RSS/Atom), with its
    validators for conditional requests."""

    class Format(models.TextChoices):
        AUTO = "auto", "Detect from the response"
        STATUSPAGE = "statuspage", "Atlassian Statuspage JSON"
        FEED = "feed", "RSS or Atom"

    name = models.CharField(max_length=120)
    url = models.URLField(max_length=1000, unique=True)
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.AUTO)


class StatusIncident(Stamped):
    """An incident a status feed announced, and the story it opened or joined."""

    feed = models.ForeignKey(StatusFeed, on_delete=models.CASCADE, related_name="incidents")
    external_id = models.CharField(max_length=300)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    started_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "external_id"], name="incident_once")]

    def __str__(self) -> str:
        return self.name


class SpikeAlert(SlackMessageRow):
    """One alert to the advocates' Slack channel: a story or a term well above its usual hourly rate. Unique per
    (kind, key, day), made before it is posted, so a spike is announced once; the row is its outbox."""

    class Kind(models.TextChoices):
        STORY = "story", "Story"
        TERM = "term", "Term"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=300, help_text="The story's id or the term.")
    day = models.DateField()
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="spike_alerts")
    counts = models.JSONField(default=dict, help_text="Tickets in the last hour per platform.")
    usual_per_hour = models.FloatField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "day"], name="spike_alert_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="spike_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"Spike: {self.kind} {self.key} on {self.day}"


class StoryReply(Stamped):
    """The story's one answer as it goes to one of its tickets: the draft proposed for that ticket (the
    platform's length, the requester's handle, the account it is sent from), then its outcome. Unique per
    ticket and answer round, so sending twice never posts twice."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent from the desk"
        MARKED = "marked", "Marked replied"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    # Waiting for the worker (stories.answer_send): the page polls while a reply is in one of these.
    IN_FLIGHT = (Status.QUEUED, Status.SENDING)
    DONE = (Status.SENT, Status.MARKED)

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="replies")
    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    handle = models.CharField(max_length=200, blank=True, help_text="The account it is sent as.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    send_key = models.CharField(max_length=64, help_text="The ReplySend key: one post per ticket.")
    link = models.URLField(max_length=1000, blank=True, help_text="The reply on the platform.")
    shortened = models.BooleanField(default=False, help_text="The answer was cut to fit the platform's length.")
    plan_note = models.CharField(
        max_length=300, blank=True, help_text="Why this account sends it, or why the desk cannot post there."
    )
    error = models.CharField(max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "story replies"
        constraints = [models.UniqueConstraint(fields=["story", "ticket"], name="story_reply_once")]

    def __str__(self) -> str:
        return f"Story {self.story_id} → #{self.ticket_id} ({self.status})"


# Each feature's own models live in its package (detection's feedback, issues' follow-ups and settings, releases'
# sources and plans); imported here because Django finds an app's models in stories.models, and the code and
# migrations name them as stories.models' (app label and tables unchanged).
from stories.detection.models import StoryFeedback as StoryFeedback  # noqa: E402
from stories.issues.models import IssueFollowUp as IssueFollowUp  # noqa: E402
from stories.issues.models import IssueSettings as IssueSettings  # noqa: E402
from stories.releases.models import ReleasePlan as ReleasePlan  # noqa: E402
from stories.releases.models import ReleaseSource as ReleaseSource  # noqa: E402
