"""Share of voice (issue 70): the competitors a desk names, where each is searched, and what the searches found.

A competitor is listened for by the channels that search everyone's words (a platform declaring
`Platform.competitor_search`): each poll of such a channel searches one competitor's terms, in turn, through the
adapter's own search (intake.services.competitors). What is found is never a ticket: one row per item, counted and
judged (its sentiment), without its text. The author's handle is kept only so that erasing a person removes the
rows they wrote (people.privacy)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from advocacy.model_fields import product_link
from channels.adapters.base import ConfigError
from channels.adapters.registry import kind_choices
from channels.adapters.values import keyword_list

# A competitor's terms searched per poll at most: each term is one search request on most platforms, and the
# channel's poll interval counts them (channels.freshness).
TERMS_MAX = 3
# The sentiments a found item is judged (the desk's own: mentions.models.judgement.Sentiment's values).
SENTIMENTS = (("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative"))


def competitor_terms_clean(value: Any) -> list[str]:
    """The search terms as stored: a list of distinct, non-empty strings, at most TERMS_MAX."""
    try:
        return keyword_list(value, key="terms", what="search terms", example='["acme ci"]', max_length=100,
                            max_count=TERMS_MAX, required=True)  # fmt: skip
    except ConfigError as exc:
        raise ValidationError(str(exc)) from None


class Competitor(models.Model):
    """A competitor the desk measures its share of voice against, by the words people call it."""

    name = models.CharField(max_length=100, help_text="How pages and the API name it, e.g. Acme CI.")
    terms = models.JSONField(
        default=list,
        help_text=(
            f'Search terms, each searched on its own, at most {TERMS_MAX}: e.g. ["acme ci", "acmeci"]. Searched only '
            "by channels that search everyone's words (Hacker News, Reddit, Bluesky, Mastodon); streams, webhooks, "
            "mailboxes and forums of our own are not searched for competitors."
        ),
    )
    enabled = models.BooleanField(default=True, help_text="Off: no longer searched; what was found stays counted.")
    # Whose competitor (issue 71): searched by that product's channels only. Asked only with several products.
    product = product_link(
        "The product it competes with: searched by that product's channels only. Empty: the desk's, "
        "searched by every channel."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="competitor_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.name.strip().casefold() == "us":
            raise ValidationError({"name": '"us" is how the share of voice names the desk itself: choose another.'})
        try:
            self.terms = competitor_terms_clean(self.terms)
        except ValidationError as exc:
            raise ValidationError({"terms": exc.messages}) from None


class CompetitorSearch(models.Model):
    """One competitor searched on one channel: the adapter's cursor for that search (as a channel's own cursor,
    kept apart so the channel's is never touched) and when it last ran, which chooses whose turn is next."""

    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="competitor_searches")
    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="searches")
    cursor = models.JSONField(default=dict, blank=True)
    searched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "competitor"], name="competitorsearch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} on {self.channel_id}"


class CompetitorMention(models.Model):
    """One item a competitor search found: counted once per platform item (whichever channel or poll found it
    again), judged, without its text. Rows are written once and never changed, so there is no updated_at. Share of
    voice reads their counts per day from a rollup that triggers keep as rows are inserted and deleted (on
    PostgreSQL: metrics.competitor_rollup), whatever inserts or deletes them."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="mentions")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="competitor_mentions")
    kind = models.CharField(max_length=32, choices=kind_choices)
    external_id = models.CharField(max_length=200)
    posted_at = models.DateTimeField()
    sentiment = models.CharField(max_length=8, choices=SENTIMENTS)
    # The author's handle as the platform gave it: read only by erasure, which deletes the rows of an erased person.
    author = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competitor", "kind", "external_id"], name="competitormention_unique"),
        ]
        indexes = [models.Index(fields=["posted_at", "competitor"], name="competitormention_posted_idx")]

    def __str__(self) -> str:
        return f"{self.competitor_id} {self.kind}:{self.external_id}"
