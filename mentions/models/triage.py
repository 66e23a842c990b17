"""Triage rules."""

from django.db import models

from advocacy.model_bases import Stamped
from advocacy.model_fields import max_length
from mentions.models.judgement import Intent, Judgement, Sentiment
from mentions.models.tickets import Tag, Ticket
from mentions.models.work import Macro, MacroAction
from mentions.rules import RuleCompileError, keywords_pattern, lines, regex_compile


class Rule(Stamped):
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
    # The ticket's product (issue 71; an empty one is the desk's first): asked in admin only with several products.
    products = models.ManyToManyField(
        "mentions.ProductProfile", blank=True, related_name="+", help_text="The ticket's product; none means any."
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
    author_tags = models.TextField(
        blank=True,
        help_text="Tags of people, one per line (spam, core contributor): the author's person must carry one of "
        "them. Known as the mention arrives; the dry run against stored tickets reads them too.",
    )
    # What the desk judged of the mention (mentions.models.judgement). The judgement comes after the ingest's
    # commit, so a rule with one of these runs when the worker has judged the ticket
    # (mentions.services.judgement_rules), never at intake.
    judgements = models.JSONField(default=list, blank=True, help_text="Judgements; none means any.")
    intents = models.JSONField(default=list, blank=True, help_text="Intents; none means any.")
    sentiments = models.JSONField(default=list, blank=True, help_text="Sentiments; none means any.")

    author_audience_min = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        verbose_name="author audience at least",
        help_text="The author's person must reach at least this many (their largest audience on any platform: "
        "followers on X, karma on Hacker News or Reddit, reputation on Stack Overflow). An author whose "
        "audience is not known yet does not match.",
    )

    requester_level_min = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        verbose_name="requester level at least",
        help_text="The author's person must be at this level of the contributor journey or above, by the level's "
        "order (People > Levels: 0 Newcomer, 1 Participant, 2 Contributor, 3 Champion as seeded). Someone with no "
        "level yet does not match.",
    )

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

        from channels.adapters.registry import PLATFORMS
        from channels.models import slack_destination_clean

        errors: dict[str, str] = {}
        if not isinstance(self.channel_kinds, list) or not set(self.channel_kinds) <= set(PLATFORMS):
            errors["channel_kinds"] = f"A list drawn from {', '.join(PLATFORMS)}."
        for name, choices in (("judgements", Judgement), ("intents", Intent), ("sentiments", Sentiment)):
            value = getattr(self, name)
            if not isinstance(value, list) or not set(value) <= set(choices.values):
                errors[name] = f"A list drawn from {', '.join(choices.values)}."
        for field in ("text_keywords", "text_excludes"):
            try:
                keywords_pattern(lines(getattr(self, field)))
            except RuleCompileError as exc:
                errors[field] = str(exc)
        try:
            regex_compile(self.text_regex)
        except RuleCompileError as exc:
            errors["text_regex"] = str(exc)
        tag_max = max_length(Tag, "name")
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
        if self.macro is not None:
            needs_person = self.macro.actions.filter(
                kind__in=[MacroAction.Kind.ASK_LINK, MacroAction.Kind.ANSWER_LINK, MacroAction.Kind.ASSIGN_TO_ME]
            ).exists()
            if needs_person:
                errors["macro"] = f"“{self.macro}” asks for a link or assigns to a person: a rule cannot run it."
        if self.on_judgement and self.notify_slack:
            # Such a rule runs in the worker after the judgement, where the ingest's Slack notices are not sent.
            errors["notify_slack"] = "A rule on the desk's judgement cannot tell Slack: tag the ticket instead."
        if self.close_without_reply and self.reply_template.strip():
            errors["reply_template"] = "A rule that closes without reply cannot also suggest a reply."
        if not self.has_action:
            errors["add_tags"] = errors.get("add_tags") or "Give the rule at least one action."
        if errors:
            raise ValidationError(errors)

    @property
    def on_judgement(self) -> bool:
        """Whether the rule waits for the desk's judgement (it then runs in the worker, not at intake)."""
        return bool(self.judgements or self.intents or self.sentiments)

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
