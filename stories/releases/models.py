"""Release day prepared (issue 46): where the desk learns of a release post (`ReleaseSource`: the blog's RSS or Atom
feed, and/or a Slack channel where the team posts the post's link) and what it prepares for it (`ReleasePlan`: one
per post, found once, opened as a story the day before the release). The work is stories.releases'."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from advocacy.model_bases import Stamped
from advocacy.model_fields import product_link
from stories.incidents.models import PolledFeed

DEFAULT_PATTERN = r"\brelease[ds]?\b|\b\d+\.\d+(?:\.\d+)?\b"
DEFAULT_ANSWER = "Thanks for trying {title}! What changed, and how to upgrade, is all in the release post: {link}"
_SLACK_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,20}")


class ReleaseSource(PolledFeed):
    """Where release posts are announced: a feed polled like the status feeds, and/or a Slack channel (by id) whose
    messages carrying a link announce the post. Admins keep one, or one per product."""

    name = models.CharField(max_length=120)
    feed_url = models.URLField(
        max_length=1000, blank=True, help_text="The blog's RSS or Atom feed, e.g. https://about.gitlab.com/releases.xml"
    )
    slack_channel = models.CharField(
        max_length=40,
        blank=True,
        help_text="The Slack channel's id (C0123ABCD) where a message with the post's link announces it.",
    )
    title_pattern = models.CharField(
        max_length=300,
        default=DEFAULT_PATTERN,
        help_text="A feed entry is a release post when its title or link matches this regular expression "
        "(case ignored); default: the word release or a version number such as 16.6.",
    )
    # The product whose releases it announces (issue 71); empty: the desk's. Asked only with several products.
    product = product_link(
        "The product whose release posts these are; empty: the desk's. Its plans and stories take it."
    )
    answer_template = models.TextField(
        default=DEFAULT_ANSWER,
        help_text="The answer each plan starts with: {title} the post's title, {link} its address. "
        "Each plan's answer is edited and approved on the plan.",
    )

    def clean(self) -> None:
        errors = {}
        if not self.feed_url and not self.slack_channel:
            errors["feed_url"] = "Give the blog's feed, a Slack channel, or both."
        if self.slack_channel and not _SLACK_CHANNEL_ID.fullmatch(self.slack_channel.strip()):
            errors["slack_channel"] = "Give the channel's id (C0123ABCD: in Slack, the channel's details, at the end)."
        try:
            re.compile(self.title_pattern or "")
        except re.error as exc:
            errors["title_pattern"] = f"Not a regular expression: {exc}."
        unknown = set(re.findall(r"{(\w*)}", self.answer_template or "")) - {"title", "link"}
        if unknown:
            errors["answer_template"] = f"Only {{title}} and {{link}} are filled in (not {{{sorted(unknown)[0]}}})."
        if errors:
            raise ValidationError(errors)


class ReleasePlan(Stamped):
    """One release post (unique by its normalised address) and what is ready for its day: three features, the answer
    (used only once approved), the story opened the day before `release_date`."""

    class Via(models.TextChoices):
        FEED = "feed", "The blog's feed"
        SLACK = "slack", "A Slack message"
        ADMIN = "admin", "Added in admin"

    source = models.ForeignKey(ReleaseSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans")
    product = product_link(
        "The product released (its source's when found there); empty: the desk's. Its story takes it."
    )
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.ADMIN)
    url = models.URLField(max_length=1000, help_text="The release post.")
    url_key = models.CharField(max_length=300, unique=True, editable=False, help_text="The address normalised.")
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=40, blank=True, help_text="The version it announces (from the title).")
    published_at = models.DateTimeField(null=True, blank=True, help_text="As the feed dates the post.")
    release_date = models.DateField(help_text="The story opens the day before (the desk's time zone).")
    feature_1 = models.CharField(max_length=200, blank=True)
    feature_2 = models.CharField(max_length=200, blank=True)
    feature_3 = models.CharField(max_length=200, blank=True)
    answer = models.TextField(blank=True, help_text="The story's answer, once approved. Editing it asks again.")
    answer_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    answer_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="release_plans", editable=False
    )
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-release_date", "-pk"]
        indexes = [models.Index(fields=["release_date"], name="releaseplan_date_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def features(self) -> list[str]:
        return [f for f in (self.feature_1, self.feature_2, self.feature_3) if f]

    @property
    def approved(self) -> bool:
        return bool(self.answer.strip()) and self.answer_approved_at is not None
