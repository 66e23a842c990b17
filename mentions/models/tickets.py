"""Tickets and their tags (their messages and the sends of our replies: mentions.models.messages)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse

from advocacy.model_bases import Named, Stamped
from mentions.models.judgement import Intent, JudgedBy, Judgement, Sentiment, sure_said
from mentions.models.play_order import PLAY_DEADLINE, PLAY_OLDEST, index_keys


class Tag(Named):
    name = models.SlugField(max_length=64, unique=True, allow_unicode=True)


_PK_MARK = 9_081_726_354
_TICKET_URLS: dict[tuple[object, str], str] = {}


def ticket_path(pk: int | None) -> str:
    """The path of a ticket's page (Ticket.get_absolute_url, and the ingest's rows that are not model instances).

    A page lists up to 50 tickets with two links each: reverse() for every one of them was 7 ms of the queue
    page. The address is reversed once per URLconf and script prefix, then filled in."""
    key = (get_urlconf(), get_script_prefix())
    template = _TICKET_URLS.get(key)
    if template is None:
        template = _TICKET_URLS[key] = reverse("mentions:ticket", args=[_PK_MARK]).replace(str(_PK_MARK), "{}")
    return template.format(pk)


class Ticket(Stamped):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        SOLVED = "solved", "Solved"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class SlaTarget(models.TextChoices):
        ALL = "all", "All channels"
        HIGH_PRIORITY = "high_priority", "High priority"
        SECURITY = "security", "Security: one business day"

    WAITING_STATUSES = (Status.NEW, Status.OPEN)
    # A ticket of these priorities counts for the high-priority views and target, whatever its
    # channel (a high-priority channel opens its tickets at "high").
    HIGH_PRIORITIES = (Priority.HIGH, Priority.URGENT)

    # Indexed by ticket_channel_requested_idx, which starts with channel.
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="tickets", db_index=False)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    high_priority = models.BooleanField(
        default=False,
        help_text="Priority high or urgent: counts for the high-priority views and the 5 h target. "
        "Kept by Ticket.priority_set; stored for the indexes and KPI rollups that group by it.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,  # ticket_assignee_status_idx starts with assignee
    )
    # Set while a ticket is served to someone in play mode and not yet submitted: Play keeps
    # returning it until one of the submitting actions clears it.
    served_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    served_view = models.ForeignKey("mentions.View", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The product it is about (issue 71, mentions.models.products): set at intake (its channel's, or the product its
    # first mention names), moved by an advocate (mentions.services.products). Empty: the desk's first product, as
    # every ticket of a desk from before products is, and every ticket when the product it had is deleted.
    product = models.ForeignKey(
        "mentions.ProductProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    # What the desk judges of the first mention (mentions.models.judgement; set by mentions.judgement in the
    # worker after the ticket's commit; "" until then). An advocate's correction sets judged_by="advocate".
    judgement = models.CharField(max_length=16, choices=Judgement.choices, blank=True)
    intent = models.CharField(max_length=16, choices=Intent.choices, blank=True)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1 code of the first mention.")
    judgement_reason = models.CharField(max_length=200, blank=True)
    # How sure the desk is of `judgement` (0-1, the learned model's probability; 1 for an advocate's). Below
    # DESK_JUDGEMENT_UNSURE_BELOW the judgement is stored as needs_response and shown as "Unsure" (docs/judgement.md).
    judgement_confidence = models.FloatField(null=True, blank=True)
    judged_by = models.CharField(max_length=8, choices=JudgedBy.choices, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    # Written by an import of another helpdesk's history (imports), not ingested live by a poll or a webhook: the
    # judgement's runs take live tickets first and drain the history behind them (mentions.judgement.run).
    imported = models.BooleanField(default=False, db_default=False)
    requester_handle = models.CharField(max_length=200, blank=True)
    requester_name = models.CharField(max_length=200, blank=True)
    requester_url = models.URLField(max_length=1000, blank=True)
    reply_draft = models.TextField(blank=True)
    # Set by a triage rule: the role of our handle that should answer ("status" for availability
    # reports); the reply plan uses it when the channel has such a handle.
    reply_from_role = models.CharField(max_length=16, blank=True)
    # The requester's weight (their person's largest audience: followers, karma or reputation,
    # people.models.Identity.audience) as the ingest knew it, refreshed while the ticket waits when a
    # lookup learns more. Denormalised so Play's deadline order can break ties on it from its own index
    # (ticket_waiting_deadline_idx) without a join: docs/desk.md, "Play's order".
    requester_audience = models.PositiveBigIntegerField(null=True, blank=True)
    # The requester's level in the contributor journey (the order of their person's people.Level), kept the same
    # way: the rules' "requester level at least" and Play's ties (before the audience) read it from here.
    requester_level = models.PositiveSmallIntegerField(null=True, blank=True)

    requested_at = models.DateTimeField(help_text="Platform time of the first inbound message.")
    first_reply_at = models.DateTimeField(null=True, blank=True)
    first_reply_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    # The same span counted only inside the coverage schedule (mentions.CoverageSchedule).
    first_reply_business_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    # The first-reply clock (mentions.services.sla): due time of the target that applies,
    # which target that is, and whether it was missed (kept after the ticket is answered).
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_target = models.CharField(max_length=16, choices=SlaTarget.choices, blank=True)
    sla_breached = models.BooleanField(default=False)
    # A follow-up arrived on this assigned ticket and nobody has acted since (the "updated"
    # marker): when it first arrived. Cleared by any action on the ticket; a ticket left
    # updated too long returns to the queue (mentions.services.followups).
    followup_at = models.DateTimeField(null=True, blank=True)
    # Snoozed (mentions.services.snooze): out of the queue's views and Play until `snoozed_until`, or until the
    # requester answers; the beat wakes it back to its owner. The first-reply clock keeps running meanwhile.
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snoozed_until_reply = models.BooleanField(default=False, db_default=False)
    snoozed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snooze_remind_slack = models.BooleanField(default=False, db_default=False)
    # The next-reply clock (mentions.services.next_reply): a follow-up after our reply waits until this time
    # for our next reply; null when nothing waits. Each wait is a ReplyWait row (the KPI's figures).
    next_reply_due_at = models.DateTimeField(null=True, blank=True)
    # Set when this ticket was merged into another: its page redirects there
    # (mentions.services.merge).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from", db_index=False
    )

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            # Play mode: the oldest unassigned ticket in any status a view may serve, held-back noise last
            # (mentions.models.play_order).
            models.Index(
                *index_keys(PLAY_OLDEST),
                name="ticket_waiting_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"]),
            ),
            models.Index(
                fields=["channel", "requested_at"],
                name="ticket_channel_waiting_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"]),
            ),
            models.Index(
                *index_keys(PLAY_OLDEST),
                name="ticket_waiting_high_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"], high_priority=True),
            ),
            # Play on a deadline-first view.
            models.Index(
                *index_keys(PLAY_DEADLINE),
                name="ticket_waiting_deadline_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"]),
            ),
            # The judgement's runs: the tickets not yet judged, live ones first, newest first
            # (mentions.judgement.run); small, since a live ticket leaves it within seconds of its ingest.
            models.Index(fields=["imported", "-id"], name="ticket_unjudged_idx", condition=Q(judged_at__isnull=True)),
            # "My tickets": the updated ones first, and the sweep that returns them to the queue.
            models.Index(
                fields=["assignee", "followup_at"],
                name="ticket_followup_idx",
                condition=Q(followup_at__isnull=False),
            ),
            # Order by time left: waiting tickets still without a first reply, by due time.
            models.Index(
                fields=["sla_due_at", "id"],
                name="ticket_sla_due_idx",
                condition=Q(status__in=["new", "open"], first_reply_at__isnull=True),
            ),
            # The breach sweep: running clocks not yet flagged (breached ones drop out).
            models.Index(
                fields=["sla_due_at"],
                name="ticket_sla_unbreached_idx",
                condition=Q(status__in=["new", "open"], first_reply_at__isnull=True, sla_breached=False),
            ),
            # Is this ticket one Play can serve? Probed per ticket of a story for the queue's stories block
            # (stories.answering.page_reads.queue_stories): a few pages, read index-only, however large the table grows.
            models.Index(
                fields=["id"],
                name="ticket_waiting_id_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open"]),
            ),
            # The wake sweep and the "Snoozed" list: the few snoozed tickets, by when they come back.
            models.Index(
                fields=["snoozed_until", "id"],
                name="ticket_snoozed_idx",
                condition=Q(snoozed_until__isnull=False) | Q(snoozed_until_reply=True),
            ),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            # "My tickets" on the queue page: a user's unsolved tickets, a few hundred among the tens of
            # thousands they solved (with only the index above, 280 ms at 1M tickets: all of them read and sorted).
            models.Index(
                fields=["assignee", "requested_at"], name="ticket_assignee_open_idx", condition=~Q(status="solved")
            ),
            # Date-range reports.
            models.Index(fields=["requested_at"], name="ticket_requested_idx"),
            models.Index(fields=["channel", "requested_at"], name="ticket_channel_requested_idx"),
            models.Index(fields=["first_reply_at"], name="ticket_first_reply_idx"),
            models.Index(fields=["solved_at"], name="ticket_solved_idx"),
            # The KPI page's live part: unreplied open tickets past their target (metrics.first_reply).
            models.Index(
                fields=["requested_at"],
                name="ticket_unreplied_idx",
                include=["channel", "high_priority", "id"],  # index-only counts per channel
                condition=Q(first_reply_at__isnull=True) & ~Q(status="solved"),
            ),
        ]
        permissions = [
            ("work_queue", "Can work the queue (play, reply, macros)"),
            ("manage_all_tickets", "Can act on tickets assigned to someone else"),
            ("view_dashboards", "Can view KPI dashboards"),
            ("draft_replies", "Can open a ticket and submit a reply for an advocate's approval"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject[:60]}"

    def get_absolute_url(self) -> str:
        return ticket_path(self.pk)

    def get_desk_url(self) -> str:
        """The ticket's address as browsers reach the desk (links in Slack and suggested replies)."""
        return f"{settings.DESK_BASE_URL}{self.get_absolute_url()}"

    @property
    def judgement_unsure(self) -> bool:
        """The desk judged it below DESK_JUDGEMENT_UNSURE_BELOW: shown as "Unsure", served as needing a response."""
        from django.conf import settings

        return (
            self.judged_by == "desk"
            and self.judgement_confidence is not None
            and self.judgement_confidence < settings.DESK_JUDGEMENT_UNSURE_BELOW
        )

    @property
    def judgement_sure_said(self) -> str:
        """How sure the desk is, in words, for the chip (mentions.models.judgement.sure_said): "92 % sure", or for
        an unsure one "46 % sure it does not need a response"; "" for an advocate's word."""
        return sure_said(self.judged_by, self.judgement_confidence, self.judgement_reason, unsure=self.judgement_unsure)

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING_STATUSES

    @property
    def is_snoozed(self) -> bool:
        return self.snoozed_until is not None or self.snoozed_until_reply

    def priority_set(self, priority: str) -> bool:
        """Set the priority and what follows from it (in memory; the caller saves). True if changed."""
        if priority == self.priority:
            return False
        self.priority = priority
        self.high_priority = priority in self.HIGH_PRIORITIES
        return True
