import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from advocacy.model_bases import Stamped


class ApiToken(models.Model):
    """A personal access token. Only its SHA-256 is stored: the token is shown once, when it is made.
    Tokens are random (256 bits), so a fast hash is enough: nothing can be guessed from it offline."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What it is for, e.g. “BI warehouse sync”.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="apitoken_user_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="apitoken_expires_later")
        ]
        verbose_name = "API token"  # not Django's "Api token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class WebhookSubscription(Stamped):
    """An outgoing webhook: the ticket events an admin wants POSTed to a URL, signed with the Standard
    Webhooks scheme (api.webhook_signing). Its deliveries go out one at a time in event order; one that
    keeps failing holds back the ones after it (nothing is skipped) and, after
    DESK_WEBHOOK_PAUSE_AFTER_HOURS, pauses the subscription and alerts the admins (api.webhook_delivery)."""

    class Event(models.TextChoices):
        CREATED = "created", "Ticket created"
        REPLIED = "replied", "First or later reply"
        SOLVED = "solved", "Ticket solved"
        BREACHED = "breached", "First-reply target breached"

    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500, help_text="Where the events are POSTed (https in production).")
    events = models.JSONField(default=list, help_text="Which ticket events to send.")
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(
        default=True, help_text="Off: nothing is queued or sent; on again: from where it stopped."
    )
    # Where in the change feed (mentions.change_feed) this subscription has read to: it starts at the
    # feed's end when made, so history is not replayed.
    position = models.CharField(max_length=50, default="0.0", editable=False)
    # Since when every attempt has failed (None while deliveries succeed), how many, and the last reason.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    last_failure = models.CharField(max_length=120, blank=True, editable=False)
    # Set once failing_since is DESK_WEBHOOK_PAUSE_AFTER_HOURS old (admins are e-mailed then); cleared by
    # the first success or an admin's "Resume now". While paused the oldest delivery is tried hourly.
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_reason = models.CharField(max_length=120, blank=True, editable=False)
    # At most one worker sends for a subscription at a time (order is kept): it holds this lease. A field,
    # not a row lock, so no transaction stays open through an HTTP exchange (the change feed waits on
    # open transactions) and it works on SQLite too.
    lease_token = models.CharField(max_length=36, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    # When a delivery task was last queued for it, so each beat tick does not queue another.
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    @property
    def secret(self) -> str:
        from channels.secrets import credentials_decrypt

        return credentials_decrypt(self.secret_encrypted).get("secret", "")

    @secret.setter
    def secret(self, value: str) -> None:
        from channels.secrets import credentials_encrypt

        self.secret_encrypted = credentials_encrypt({"secret": value})


class WebhookDelivery(models.Model):
    """One event for one subscription: made once (unique), posted until the receiver accepts it (2xx),
    however long that takes; never posted again once accepted. Receivers dedupe on webhook-id (the
    same `message_id` on every attempt), should an answer be lost after they accepted it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        # Only when an admin gives up on a delivery (or from before deliveries were retried forever):
        # "Send again" makes it pending.
        FAILED = "failed", "Given up"

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_id = models.BigIntegerField()
    ticket_id = models.BigIntegerField()
    event = models.CharField(max_length=16, choices=WebhookSubscription.Event.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Pending: not to be tried before. Sending: when the attempt began (a stale one is reclaimed).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhookdelivery_once_per_event")
        ]
        indexes = [
            # A subscription's oldest undelivered delivery (the next to send) is one index probe.
            models.Index(
                fields=["subscription", "id"],
                name="webhookdelivery_waiting_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} #{self.ticket_id} → {self.subscription.name} ({self.status})"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.message_id.hex}"
