"""The audit trail of a ticket (its history): kept apart from the ticket's own models so each module stays short."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from mentions.models.tickets import Ticket


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
        ANSWER_USED = "answer_used", "An earlier answer used"
        JUDGEMENT = "judgement", "Judgement corrected"
        LIKED = "liked", "Liked on the platform"
        REPLY_DELETED = "reply_deleted", "Our post deleted from the platform"
        REPOSTED = "reposted", "Reposted on the platform"
        DIRECT_MESSAGE = "direct_message", "Direct message sent from the desk"
        ISSUE = "issue", "Issue linked or followed"
        SNOOZED = "snoozed", "Snoozed"
        WOKE = "woke", "Came back from snooze"
        NEXT_REPLY_BREACHED = "next_reply_breached", "Next-reply target breached"
        HANDED_OVER = "handed_over", "Handed over to watch"
        HANDED_BACK = "handed_back", "Handed back after the watch"
        REPLY_SUBMITTED = "reply_submitted", "Reply submitted for approval"
        REPLY_APPROVED = "reply_approved", "Reply approved"
        REPLY_REJECTED = "reply_rejected", "Reply rejected"
        REPLY_WITHDRAWN = "reply_withdrawn", "Reply for approval withdrawn"
        COMMUNITY_ANSWERED = "community_answered", "Answered by the community"
        PRODUCT = "product", "Moved to another product"
        REJUDGED = "rejudged", "Judged again for its new product"

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
