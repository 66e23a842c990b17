"""How advocates work the queue: views, macros and saved searches."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from advocacy.model_bases import Stamped
from advocacy.model_fields import product_link
from mentions.models.tickets import Tag, Ticket


class View(Stamped):
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
    judgements = models.JSONField(
        default=list,
        blank=True,
        help_text='The desk\'s judgements it serves, e.g. ["needs_response", ""] ("" = not judged yet, so nothing '
        "waits hidden until the worker judges it); none means any.",
    )
    # Narrowed to one product (issue 71, docs/products.md): a filter like its channels, so Play's claim, the queue's
    # counts and the forecast read it through view_filters. Empty: every product. The desk's first product holds the
    # tickets without a product too (mentions.products.DeskProducts.tickets_q).
    product = product_link(
        "Only this product's tickets (shown when the desk has more than one product). Empty: every product."
    )
    order = models.CharField(max_length=16, choices=Order.choices, default=Order.OLDEST)
    allow_skip = models.BooleanField(
        default=False, help_text="Let advocates skip a served ticket, with a reason that is recorded."
    )
    serve_stories_together = models.BooleanField(
        "Serve a story's tickets together",
        default=False,
        help_text="When Play serves a ticket that is part of a story (the same topic on several platforms), the "
        "story's other waiting tickets in this view are held for the same advocate, and Play serves them next.",
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

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def noise_only(self) -> bool:
        """A view of noise alone (a fresh desk's "Noise", mentions 0056): nothing in it is owed a reply, so it has
        no first-reply forecast, and its page offers solving in bulk first."""
        return list(self.judgements or ()) == ["noise"]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from mentions.models.judgement import Judgement

        valid = {s.value for s in Ticket.WAITING_STATUSES} | {Ticket.Status.PENDING.value}
        if not isinstance(self.statuses, list) or not set(self.statuses) <= valid:
            raise ValidationError({"statuses": f"A list drawn from {sorted(valid)}; solved tickets are never served."})
        judged = {"", *Judgement.values}
        if not isinstance(self.judgements, list) or not set(self.judgements) <= judged:
            raise ValidationError({"judgements": f"A list drawn from {sorted(judged)}."})

    @property
    def waiting_statuses(self) -> list[str]:
        return list(self.statuses) or [s.value for s in Ticket.WAITING_STATUSES]


class Macro(Stamped):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

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


class MacroAction(Stamped):
    class Kind(models.TextChoices):
        SET_STATUS = "set_status", "Set status"
        ADD_TAGS = "add_tags", "Add tags (space separated)"
        REMOVE_TAGS = "remove_tags", "Remove tags (space separated)"
        ADD_NOTE = "add_note", "Add internal note (template)"
        PREFILL_REPLY = "prefill_reply", "Prefill reply text (template)"
        SAVED_REPLY = "saved_reply", "Prefill a saved reply (its title)"
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


class SavedSearch(Stamped):
    """A user's named ticket-list search: the list's query string (q and filters, no page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    query = models.CharField(
        max_length=2000, blank=True, help_text="The ticket list's parameters, e.g. q=registry&status=open."
    )
    position = models.PositiveIntegerField(default=0)

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
