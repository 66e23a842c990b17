from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import get_script_prefix, get_urlconf, reverse

from mentions.rules import RuleCompileError, keywords_pattern, lines, regex_compile


class Tag(models.Model):
    name = models.SlugField(max_length=64, unique=True, allow_unicode=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


_PK_MARK = 9_081_726_354
_TICKET_URLS: dict[tuple[object, str], str] = {}


class Ticket(models.Model):
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
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    requester_handle = models.CharField(max_length=200, blank=True)
    requester_name = models.CharField(max_length=200, blank=True)
    requester_url = models.URLField(max_length=1000, blank=True)
    reply_draft = models.TextField(blank=True)
    # Set by a triage rule: the role of our handle that should answer ("status" for availability
    # reports); the reply plan uses it when the channel has such a handle.
    reply_from_role = models.CharField(max_length=16, blank=True)

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
    # Set when this ticket was merged into another: its page redirects there
    # (mentions.services.merge).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            # Play mode: the oldest unassigned ticket in any status a view may serve.
            models.Index(
                fields=["requested_at", "id"],
                name="ticket_waiting_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"]),
            ),
            models.Index(
                fields=["channel", "requested_at"],
                name="ticket_channel_waiting_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"]),
            ),
            models.Index(
                fields=["requested_at", "id"],
                name="ticket_waiting_high_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"], high_priority=True),
            ),
            # Play on a deadline-first view: the same expression as selectors.deadline_order.
            models.Index(
                Case(
                    When(priority="urgent", then=Value(0)),
                    When(first_reply_at__isnull=True, then=Value(1)),
                    default=Value(2),
                ),
                "sla_due_at",
                "requested_at",
                "id",
                name="ticket_waiting_deadline_idx",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending"]),
            ),
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
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject[:60]}"

    def get_absolute_url(self) -> str:
        # A page lists up to 50 tickets with two links each: reverse() for every one of them was 7 ms of
        # the queue page. The address is reversed once per URLconf and script prefix, then filled in.
        key = (get_urlconf(), get_script_prefix())
        template = _TICKET_URLS.get(key)
        if template is None:
            template = _TICKET_URLS[key] = reverse("mentions:ticket", args=[_PK_MARK]).replace(str(_PK_MARK), "{}")
        return template.format(self.pk)

    def get_desk_url(self) -> str:
        """The ticket's address as browsers reach the desk (links in Slack and suggested replies)."""
        return f"{settings.DESK_BASE_URL}{self.get_absolute_url()}"

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING_STATUSES

    @property
    def sla_running(self) -> bool:
        """The first-reply clock runs while the ticket waits (new/open) without a first reply."""
        return self.sla_due_at is not None and self.first_reply_at is None and self.is_waiting

    def priority_set(self, priority: str) -> bool:
        """Set the priority and what follows from it (in memory; the caller saves). True if changed."""
        if priority == self.priority:
            return False
        self.priority = priority
        self.high_priority = priority in self.HIGH_PRIORITIES
        return True


class Message(models.Model):
    class Kind(models.TextChoices):
        INBOUND = "inbound", "Inbound mention"
        OUR_REPLY = "our_reply", "Our reply"
        NOTE = "note", "Internal note"

    # Both covered by composite indexes below. A single-column channel index would also
    # mislead the planner into using it for the duplicate lookup on a one-channel table.
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="messages", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Platform ids. Notes and replies recorded in the desk have no external id.
    external_id = models.CharField(max_length=200, null=True, blank=True)
    parent_external_id = models.CharField(max_length=200, blank=True)
    thread_external_id = models.CharField(max_length=200, blank=True)
    author_handle = models.CharField(max_length=200, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_url = models.URLField(max_length=1000, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    permalink = models.URLField(max_length=1000, blank=True)
    platform_created_at = models.DateTimeField()
    raw = models.JSONField(default=dict, blank=True)
    # Handles the message addresses (IncomingMention.mentioned): pages, services and rules read
    # this, never `raw`, which is the platform's payload kept for reference.
    mentioned = models.JSONField(default=list, blank=True)
    # Set when the platform reports the item edited or deleted; the ticket keeps it.
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["platform_created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                name="message_unique_external_id",
                condition=Q(external_id__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["ticket", "platform_created_at"], name="message_ticket_time_idx"),
            models.Index(fields=["channel", "platform_created_at"], name="message_channel_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.external_id or self.pk}"


class ReplySend(models.Model):
    """One press of "Send reply": its key is stored, in its own transaction, before the platform is
    asked, so a retry or a double click with the same key never posts twice. Its status says what
    became of it: sent (with our reply's message), refused (the platform said no; nothing posted),
    or unknown (no answer came back: it may be on the platform, so it is never sent again by itself)."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        REFUSED = "refused", "Refused by the platform"
        UNKNOWN = "unknown", "Outcome unknown"

    key = models.CharField(max_length=64, unique=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reply_sends")
    account = models.ForeignKey(
        "channels.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="reply_sends"
    )
    sender = models.CharField(max_length=200, help_text="The account or address it was sent as.")
    in_reply_to = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    style = models.CharField(max_length=16, blank=True, help_text="Where the platform offers more than one: answer.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENDING)
    error = models.TextField(blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], name="replysend_sending_idx", condition=Q(status="sending")),
        ]

    def __str__(self) -> str:
        return f"Reply to #{self.ticket_id} as {self.sender} ({self.get_status_display()})"


class TicketEvent(models.Model):
    """The audit trail: who did what to which ticket, when. Metrics read from here."""

    class Kind(models.TextChoices):
        CREATED = "created", "Ticket created"
        MESSAGE = "message", "Follow-up received"
        OUR_REPLY_SEEN = "our_reply_seen", "Our reply seen on the platform"
        ASSIGNED = "assigned", "Assigned"
        UNASSIGNED = "unassigned", "Unassigned"
        SKIPPED = "skipped", "Skipped in play mode"
        STATUS = "status", "Status changed"
        TAG_ADDED = "tag_added", "Tag added"
        TAG_REMOVED = "tag_removed", "Tag removed"
        NOTE = "note", "Internal note"
        REPLIED = "replied", "Marked replied"
        MACRO = "macro", "Macro applied"
        REPLY_PREFILLED = "reply_prefilled", "Reply prefilled"
        REPLY_SENT = "reply_sent", "Reply sent from the desk"
        REPLY_FAILED = "reply_failed", "Reply failed"
        MESSAGE_EDITED = "message_edited", "Message edited on the platform"
        MESSAGE_DELETED = "message_deleted", "Message deleted on the platform"
        SLA_BREACHED = "sla_breached", "First-reply target breached"
        RULE_APPLIED = "rule_applied", "Triage rule applied"
        RETURNED = "returned", "Returned to the queue"
        PRIORITY = "priority", "Priority changed"
        MERGED = "merged", "Ticket merged into this one"
        MERGED_INTO = "merged_into", "Merged into another ticket"
        FRONT_PAGE = "front_page", "Reached the Hacker News front page"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_time_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_time_idx"),
            models.Index(fields=["ticket", "kind", "actor"], name="event_ticket_kind_actor_idx"),
        ]
        constraints = [
            # A ticket misses its target once: never two breach events, whoever notices first.
            models.UniqueConstraint(fields=["ticket"], condition=Q(kind="sla_breached"), name="event_one_sla_breach"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"


class View(models.Model):
    """A saved queue: filters, and the order Play serves it in."""

    class Order(models.TextChoices):
        OLDEST = "oldest", "Oldest first (the handbook's default)"
        DEADLINE = "deadline", "Deadline first: urgent, then least time left to the first-reply target"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    channels = models.ManyToManyField("channels.Channel", blank=True, help_text="None selected means every channel.")
    statuses = models.JSONField(default=list, blank=True, help_text='Waiting statuses, default ["new", "open"].')
    tags = models.ManyToManyField(Tag, blank=True, help_text="Tickets with any of these tags; none means any.")
    high_priority_only = models.BooleanField(
        default=False, help_text="Only tickets of high or urgent priority (a rule, an advocate or the channel set it)."
    )
    order = models.CharField(max_length=16, choices=Order.choices, default=Order.OLDEST)
    allow_skip = models.BooleanField(
        default=False, help_text="Let advocates skip a served ticket, with a reason that is recorded."
    )
    solve_on_expert_reply = models.BooleanField(
        default=True,
        help_text="When an expert we reached out to answers on the platform, solve the ticket "
        "(for tickets this view covers).",
    )
    # Copies of the channels/tags selections, kept by mentions.signals, so a Play press
    # builds its query without two extra round trips.
    channel_ids = models.JSONField(default=list, blank=True, editable=False)
    tag_ids = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        valid = {s.value for s in Ticket.WAITING_STATUSES} | {Ticket.Status.PENDING.value}
        if not isinstance(self.statuses, list) or not set(self.statuses) <= valid:
            raise ValidationError({"statuses": f"A list drawn from {sorted(valid)}; solved tickets are never served."})

    @property
    def waiting_statuses(self) -> list[str]:
        return list(self.statuses) or [s.value for s in Ticket.WAITING_STATUSES]


class Macro(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def asks_for_link(self) -> bool:
        return any(a.kind == MacroAction.Kind.ASK_LINK for a in self.actions.all())

    @property
    def offers_answer_link(self) -> bool:
        return any(a.kind == MacroAction.Kind.ANSWER_LINK for a in self.actions.all())


class MacroAction(models.Model):
    class Kind(models.TextChoices):
        SET_STATUS = "set_status", "Set status"
        ADD_TAGS = "add_tags", "Add tags (space separated)"
        REMOVE_TAGS = "remove_tags", "Remove tags (space separated)"
        ADD_NOTE = "add_note", "Add internal note (template)"
        PREFILL_REPLY = "prefill_reply", "Prefill reply text (template)"
        ASSIGN_TO_ME = "assign_to_me", "Assign to me"
        ASK_LINK = "ask_link", "Ask for a link (available as {link})"
        # "Expert responded" with the expert's public answer: that answer is the mention's first reply.
        ANSWER_LINK = "answer_link", "Optional link of a public answer: it counts as the first reply"

    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    value = models.TextField(
        blank=True,
        help_text="Status name, tag names, or a template using {ticket_id}, {ticket_url}, {requester}, "
        "{channel}, {permalink}, {link}, {user}.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value[:40]}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.SET_STATUS and self.value not in Ticket.Status.values:
            raise ValidationError({"value": f"Status must be one of {', '.join(Ticket.Status.values)}."})
        if self.kind in (self.Kind.ADD_TAGS, self.Kind.REMOVE_TAGS) and not self.value.split():
            raise ValidationError({"value": "Give at least one tag."})


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


class Rule(models.Model):
    """Routing knowledge applied as mentions arrive: conditions on a new ticket's first
    mention, then actions. Rules run in `position` order inside ingestion (mentions.rules)."""

    class Link(models.TextChoices):
        EITHER = "", "Either"
        PRESENT = "present", "Has a link"
        ABSENT = "absent", "Has no link"

    class ReplyFrom(models.TextChoices):
        DEFAULT = "", "The usual respond-from rule"
        MAIN = "main", "The main handle"
        STATUS = "status", "The status handle"

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(
        default=False, help_text="New rules start switched off: try them against recent tickets first."
    )
    stop_processing = models.BooleanField(default=False, help_text="When this rule matches, later rules are skipped.")

    # Conditions: every one that is filled in must hold.
    channel_kinds = models.JSONField(default=list, blank=True, help_text="Channel kinds; none means any.")
    channels = models.ManyToManyField(
        "channels.Channel", blank=True, related_name="+", help_text="Specific channels; none means any."
    )
    text_keywords = models.TextField(
        blank=True,
        help_text="One word or phrase per line; the mention (title and text) must contain one of them as whole "
        "words, any case. * stands for any letters (spam*). #hashtags and @handles match as written.",
    )
    text_regex = models.TextField(
        blank=True, help_text="A regular expression the text must match (any case), e.g. \\b50[234]\\b."
    )
    text_excludes = models.TextField(
        blank=True, help_text="One word or phrase per line (same matching): the mention must contain none of them."
    )
    authors = models.TextField(blank=True, help_text="Author handles, one per line; the author must be one of them.")
    handles_mentioned = models.TextField(
        blank=True, help_text="Our handles, one per line (e.g. GitLabStatus); the mention must @-mention one of them."
    )
    link = models.CharField(max_length=8, choices=Link.choices, blank=True)

    # Actions.
    add_tags = models.CharField(max_length=300, blank=True, help_text="Tag names, space separated.")
    set_priority = models.CharField(max_length=16, choices=Ticket.Priority.choices, blank=True)
    macro = models.ForeignKey(
        Macro,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Its actions run as the rule (set status, tags, note, prefill reply).",
    )
    reply_template = models.TextField(
        blank=True,
        help_text="Suggested reply, prefilled when the ticket has none yet. Placeholders: {requester}, "
        "{channel}, {permalink}, {ticket_id}, {ticket_url}.",
    )
    reply_from = models.CharField(max_length=16, choices=ReplyFrom.choices, blank=True)
    notify_slack = models.CharField(max_length=80, blank=True, help_text="Slack channel to tell, e.g. #abuse.")
    close_without_reply = models.BooleanField(
        default=False, help_text="Solve the ticket without a reply (not acknowledged); the history names this rule."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Checked on every save, not only in admin: a rule that cannot compile must never
        # reach ingestion.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_unicode_slug

        from channels.models import Channel, slack_destination_clean

        errors: dict[str, str] = {}
        if not isinstance(self.channel_kinds, list) or not set(self.channel_kinds) <= set(Channel.Kind.values):
            errors["channel_kinds"] = f"A list drawn from {', '.join(Channel.Kind.values)}."
        for field in ("text_keywords", "text_excludes"):
            try:
                keywords_pattern(lines(getattr(self, field)))
            except RuleCompileError as exc:
                errors[field] = str(exc)
        try:
            regex_compile(self.text_regex)
        except RuleCompileError as exc:
            errors["text_regex"] = str(exc)
        tag_max = Tag._meta.get_field("name").max_length
        for name in self.add_tags.split():
            try:
                validate_unicode_slug(name)
            except ValidationError:
                errors["add_tags"] = f"{name!r} is not a tag name: letters, digits, - and _ only."
            if len(name) > tag_max:
                errors["add_tags"] = f"{name[:20]!r}… is too long for a tag: at most {tag_max} characters."
        try:
            self.notify_slack = slack_destination_clean(self.notify_slack)
        except ValidationError as exc:
            errors["notify_slack"] = exc.messages[0]
        if self.macro_id:
            needs_person = self.macro.actions.filter(
                kind__in=[MacroAction.Kind.ASK_LINK, MacroAction.Kind.ANSWER_LINK, MacroAction.Kind.ASSIGN_TO_ME]
            ).exists()
            if needs_person:
                errors["macro"] = f"“{self.macro}” asks for a link or assigns to a person: a rule cannot run it."
        if self.close_without_reply and self.reply_template.strip():
            errors["reply_template"] = "A rule that closes without reply cannot also suggest a reply."
        if not self.has_action:
            errors["add_tags"] = errors.get("add_tags") or "Give the rule at least one action."
        if errors:
            raise ValidationError(errors)

    @property
    def has_action(self) -> bool:
        return bool(
            self.add_tags.split()
            or self.set_priority
            or self.macro_id
            or self.reply_template.strip()
            or self.reply_from
            or self.notify_slack.strip()
            or self.close_without_reply
        )


class SavedSearch(models.Model):
    """A user's named ticket-list search: the list's query string (q and filters, no page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    query = models.CharField(
        max_length=2000, blank=True, help_text="The ticket list's parameters, e.g. q=registry&status=open."
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "saved searches"
        constraints = [
            # Also the index of "this user's saved searches".
            models.UniqueConstraint(fields=["user", "name"], name="savedsearch_user_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse("mentions:tickets")
        return f"{url}?{self.query}" if self.query else url


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


# The clocks' settings live in their own module; importing them here registers them with the app.
from mentions.clock_models import CoverageSchedule, DutySettings, Holiday, ReleaseRota, Target  # noqa: E402, F401
