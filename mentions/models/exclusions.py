"""Exclusion terms the desk learned (issue 68, item 4): the words the product's name comes with in its other senses
("victor hugo" for a desk about Hugo, the static site generator), found in the mentions the team labelled noise and
almost never in those it answered (mentions/judgement/senses.py), one row per channel and term.

Recomputed daily by `mentions.exclusions_suggest`, which updates the counts and never a person's decision. Nothing
is applied until someone accepts a term in admin; then the desk judges a new mention of that channel holding it as
noise, and it still becomes a ticket (the Noise view holds it)."""

from django.conf import settings
from django.db import models


class ExclusionSuggestion(models.Model):
    class State(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    # One word or two, lowercased (senses.terms_held): matched as whole words, whatever their case.
    term = models.CharField(max_length=100)
    noise_count = models.PositiveIntegerField(default=0, help_text="Past mentions labelled noise that hold it.")
    would_exclude = models.PositiveIntegerField(default=0, help_text="Past mentions of the channel that hold it.")
    answered = models.PositiveIntegerField(default=0, help_text="Of those, how many the team answered.")
    state = models.CharField(max_length=9, choices=State.choices, default=State.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(help_text="When the counts were last computed.")

    class Meta:
        verbose_name = "suggested exclusion"
        verbose_name_plural = "suggested exclusions"
        ordering = ["channel_id", "-noise_count", "term"]
        constraints = [models.UniqueConstraint(fields=["channel", "term"], name="exclusionsuggestion_channel_term")]

    def __str__(self) -> str:
        return self.term
