import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from advocacy.model_fields import product_link
from channels.adapters.registry import kind_choices

# A Slack channel: "#name" (lower-case letters, digits, "-", "_", at most 80) or a channel id.
_SLACK_NAME = re.compile(r"#[a-z0-9][a-z0-9_-]{0,79}")
_SLACK_ID = re.compile(r"[CG][A-Z0-9]{8,20}")


def slack_destination_clean(value: str) -> str:
    """Normalise and check a Slack destination; raises ValidationError with an example."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.startswith("#"):
        value = value.lower()
    if not (_SLACK_NAME.fullmatch(value) or _SLACK_ID.fullmatch(value)):
        raise ValidationError(
            f"{value[:80]!r} is not a Slack channel: write it as #name (lower-case letters, digits, - and _), "
            "e.g. #hn-mentions, or give the channel id, e.g. C024BE91L."
        )
    return value


class Channel(models.Model):
    class Health(models.TextChoices):
        OK = "ok", "OK"
        BACKING_OFF = "backing_off", "Backing off after errors"
        FAILING = "failing", "Failing: needs an admin"

    # The registry's kinds, asked when needed: migrations keep the reference, so a new platform needs none.
    kind = models.CharField(max_length=32, choices=kind_choices)
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    enabled = models.BooleanField(default=True)
    high_priority = models.BooleanField(
        default=False, help_text="Tickets from this channel count towards the high-priority target."
    )
    poll_interval_seconds = models.PositiveIntegerField(
        "poll interval (seconds)",
        null=True,
        blank=True,
        help_text="Seconds between polls. Empty: automatic, the shortest the platform's request budget allows for "
        "this configuration, counting the other channels that share the budget. A shorter value than the budget "
        "allows is raised to it.",
    )
    config = models.JSONField(default=dict, blank=True, help_text="Per-kind settings, validated on save.")
    # The product its mentions are about unless one names another of the desk's (issue 71, docs/products.md). A
    # reference by name only: channels imports nothing of mentions, which owns the products and the tickets.
    product = product_link(
        "The product this channel's mentions are about, unless a mention names another of the desk's "
        "products. Empty: the desk's first product.",
        related_name="channels",
    )
    our_accounts = models.JSONField(
        default=list,
        blank=True,
        help_text="Our own usernames/handles on this platform (Stack Exchange: numeric user ids): their "
        "messages are our replies, never tickets.",
    )
    slack_channel = models.CharField(
        max_length=80,
        blank=True,
        help_text="Slack destination that receives each new ticket of this channel, batched (e.g. #hn-mentions). "
        "Empty: none.",
    )
    # Tokens and keys, encrypted (channels.secrets). Admin shows which are set, never values.
    credentials_encrypted = models.TextField(blank=True, editable=False)
    # What the platform last told us about our allowance (quota left, rate-limit reset...).
    platform_status = models.JSONField(default=dict, blank=True, editable=False)
    # Our own metering, e.g. {"month": "2026-11", "reads": 1234, "polls": 56} for X's budget.
    usage = models.JSONField(default=dict, blank=True, editable=False)

    # Poll state. The cursor is written by the ingest service in the same transaction as
    # the mentions it covers, so it never runs ahead of what is stored.
    cursor = models.JSONField(default=dict, blank=True)
    health = models.CharField(max_length=16, choices=Health.choices, default=Health.OK)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=36, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["enabled", "next_poll_at"], name="channel_due_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Validated on every save, not only in forms: a bad config stored by a script
        # would otherwise surface as a failing poll hours later.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from channels.adapters import ConfigError, get_adapter

        try:
            adapter = get_adapter(self.kind)
            self.config = adapter.validate_config(self.config or {})
        except ConfigError as exc:
            raise ValidationError({"config": str(exc)}) from exc
        if not isinstance(self.our_accounts, list) or not all(
            isinstance(a, str) and a.strip() for a in self.our_accounts
        ):
            raise ValidationError({"our_accounts": 'A JSON list of usernames, e.g. ["gitlab", "gitlabstatus"].'})
        accounts = [a.strip() for a in self.our_accounts]
        # The handles a channel polls for (X) are ours by definition.
        for handle in adapter.own_accounts(self.config) or []:
            if handle.casefold() not in {a.lstrip("@").casefold() for a in accounts}:
                accounts.append(handle)
        self.our_accounts = accounts
        try:
            self.slack_channel = slack_destination_clean(self.slack_channel)
        except ValidationError as exc:
            raise ValidationError({"slack_channel": exc.messages}) from exc

    @property
    def credentials(self) -> dict:
        from channels.secrets import credentials_decrypt

        return credentials_decrypt(self.credentials_encrypted)

    @credentials.setter
    def credentials(self, values: dict) -> None:
        from channels.secrets import credentials_encrypt

        self.credentials_encrypted = credentials_encrypt(values)

    def is_our_account(self, handle: str | None) -> bool:
        if not handle:
            return False
        return handle.strip().lstrip("@").casefold() in {a.lstrip("@").casefold() for a in self.our_accounts}

    def mark_config_changed(self) -> None:
        """An admin fixed the channel: clear the failure state so it is polled again now."""
        self.health = self.Health.OK
        self.consecutive_failures = 0
        self.next_poll_at = timezone.now()


class Account(models.Model):
    """One of our accounts on a channel's platform that the desk may post replies from.

    Connected through the platform's own authorisation flow, started from admin
    (channels.accounts): the tokens are kept encrypted in `tokens_encrypted`, refreshed before they
    expire and on a 401, and never shown back or logged. An account that replies outside the desk
    (the handbook's Tweetdeck handle) is never chosen to send: the advocate gets a link to the
    post and "mark replied" instead."""

    class ReplyMode(models.TextChoices):
        DESK = "desk", "Reply from the desk"
        OUTSIDE = "outside", "Reply outside the desk"

    class Status(models.TextChoices):
        NOT_CONNECTED = "not_connected", "Not connected"
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="accounts")
    username = models.CharField(
        max_length=100,
        help_text="The account's name on the platform, without @ (X handle, Reddit or Disqus username, Stack "
        "Exchange display name, forum username). Filled in from the platform when it is connected.",
    )
    platform_user_id = models.CharField(max_length=100, blank=True, editable=False)
    reply_mode = models.CharField(max_length=8, choices=ReplyMode.choices, default=ReplyMode.DESK)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the advocate's 'Send as' list; the first one that can post is the default."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_CONNECTED, editable=False)
    # {"access_token", "refresh_token", "scope", ...} as Fernet ciphertext (channels.secrets).
    tokens_encrypted = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    scopes = models.CharField(max_length=300, blank=True, editable=False)
    connected_at = models.DateTimeField(null=True, blank=True, editable=False)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "position", "id"]
        constraints = [
            models.UniqueConstraint(Lower("username"), "channel", name="account_unique_username"),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.channel})"

    @property
    def can_post(self) -> bool:
        return self.reply_mode == self.ReplyMode.DESK and self.status == self.Status.CONNECTED

    @property
    def tokens(self) -> dict:
        from channels.secrets import credentials_decrypt

        return credentials_decrypt(self.tokens_encrypted)

    @tokens.setter
    def tokens(self, values: dict) -> None:
        from channels.secrets import credentials_encrypt

        self.tokens_encrypted = credentials_encrypt(values)


class DeadLetter(models.Model):
    """An item of a channel that could not be parsed or stored, kept with its raw payload and the
    error instead of stalling the channel (the rest of its page is stored and the cursor moves).
    An admin retries it once the cause is fixed, or discards it."""

    class Stage(models.TextChoices):
        PARSE = "parse", "Parse"
        STORE = "store", "Store"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RETRIED = "retried", "Stored on retry"
        DISCARDED = "discarded", "Discarded"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="dead_letters")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    external_id = models.CharField(max_length=200, blank=True)
    # sha256 of the stored payload: the same broken item seen by a later poll (the cursor did
    # not move, or the platform served it again) is one row, counted, not a new one.
    fingerprint = models.CharField(max_length=64)
    error = models.TextField()
    # ASCII-escaped JSON text rather than jsonb: whatever the item holds (NUL, lone surrogates,
    # nesting) this column can store it, so keeping the evidence can never fail in turn.
    payload = models.TextField(help_text="The item as the platform sent it (JSON).")
    mention = models.TextField(blank=True, help_text="The parsed mention that could not be stored (JSON).")
    times_seen = models.PositiveIntegerField(default=1)
    attempts = models.PositiveIntegerField(default=0, help_text="Retries from admin.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "stage", "fingerprint"], name="deadletter_unique_item"),
        ]
        indexes = [models.Index(fields=["channel", "status"], name="deadletter_channel_status_idx")]

    def __str__(self) -> str:
        return f"{self.channel.slug}: {self.external_id or 'item without id'} ({self.get_stage_display()})"


class DemoSent(models.Model):
    """What our account sent on the demo's network that the platform answers later (channels.demo.kept): a direct
    message, which the person answers at the desk's next read of the conversation, and an issue, which the demo's
    tracker moves one step along at each of the desk's reads. Written and read by the demo's replays only
    (DESK_DEMO_REPLAY): a desk that reaches the real platforms keeps nothing here. Everything else our account
    sends on the demo is answered as done and kept nowhere (channels.demo.replay_kit)."""

    class What(models.TextChoices):
        DM = "dm", "Direct message"
        ISSUE = "issue", "Issue"

    kind = models.CharField(max_length=32, choices=kind_choices)
    what = models.CharField(max_length=8, choices=What.choices)
    # A direct message: its conversation as the platform names it (X's "<id>-<id>", a Bluesky convo, a Discord DM
    # channel, a Mastodon status, a Reddit recipient); an issue: its key ("DESK-101", "ENG-101").
    key = models.CharField(max_length=200)
    sent_id = models.CharField(max_length=200)  # the id the platform gave what was sent
    sent_at = models.DateTimeField()
    # What the platform's later answer needs: the person written to and our words; the issue's title and project.
    data = models.JSONField(default=dict)
    reads = models.PositiveIntegerField(default=0)  # the desk's reads of an issue since it was filed
    # A direct message: when the person answered it; an issue: when it was done.
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "what", "key", "sent_id"], name="demosent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.get_what_display().lower()} {self.key}"


# Share of voice's models (issue 70), in their own module; imported here, where Django finds an app's models.
from channels.competitors import Competitor as Competitor  # noqa: E402
from channels.competitors import CompetitorMention as CompetitorMention  # noqa: E402
from channels.competitors import CompetitorSearch as CompetitorSearch  # noqa: E402
