"""A ticket's messages (inbound mentions, our replies, notes) and the sends of our replies, with their images.
Apart from mentions.models.tickets, which holds the ticket itself."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.model_bases import Stamped
from mentions.models.tickets import Ticket


class Message(Stamped):
    class Kind(models.TextChoices):
        INBOUND = "inbound", "Inbound mention"
        OUR_REPLY = "our_reply", "Our reply"
        NOTE = "note", "Internal note"
        # Sent privately to a mention's author from the desk (services.direct_messages): ours, but not a reply in
        # the public thread, so never the first reply nor what the thread shows.
        DIRECT = "direct", "Our direct message"
        # The person's answer in a conversation the desk moved to direct messages (intake.services.direct_replies),
        # or any item the platform delivered privately that joins a ticket: shown as private on the ticket, never
        # read by the public surfaces (answers index, stories), which read the inbound and our replies only.
        PRIVATE = "private", "Private message"

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
    # Images, videos and files the item carries: [{"kind", "url", "preview_url", "alt"}] (channels.clean.media_clean),
    # shown as links on the ticket: the advocate's browser asks the platform for nothing until one is opened.
    media = models.JSONField(default=list, blank=True)
    # Edited or deleted on the platform (or our post deleted by us), liked or reposted from the desk
    # (services.platform_actions).
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    liked_at = models.DateTimeField(null=True, blank=True)
    reposted_at = models.DateTimeField(null=True, blank=True)
    # When the desk first read it as the answer the asker accepted (IncomingMention.accepted_answer).
    accepted_at = models.DateTimeField(null=True, blank=True)

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


class ReplySend(Stamped):
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

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], name="replysend_sending_idx", condition=Q(status="sending")),
        ]

    def __str__(self) -> str:
        return f"Reply to #{self.ticket_id} as {self.sender} ({self.get_status_display()})"


class ReplyImage(models.Model):
    """An image a send carries, kept with its `ReplySend` in the database until the platform has it: the bytes
    checked and stripped of their metadata (mentions.services.reply_images), so a send that is asked again after
    an unknown outcome finds them, on whichever worker runs it (docs/decisions.md, "Reply images in the
    database"). Emptied once the send is sent or refused; what it was (type, size, hash, alt) stays."""

    send = models.ForeignKey(ReplySend, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    data = models.BinaryField(help_text="The stripped image; emptied once the send is finished.")
    content_type = models.CharField(max_length=32)
    alt = models.TextField(help_text="The advocate's description of the image (alt text).")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["send", "position"]
        constraints = [models.UniqueConstraint(fields=["send", "position"], name="replyimage_unique_position")]

    def __str__(self) -> str:
        return f"Image {self.position + 1} of send {self.send_id} ({self.content_type}, {self.size} bytes)"
