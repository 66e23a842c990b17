"""The versions of the "nothing fits" weights this desk learned from its own use (answers.fit_learning): each kept,
one active, with how it predicted the desk's newest labels beside the version it replaced."""

from __future__ import annotations

from django.core.cache import cache
from django.db import models

FIT_WEIGHTS_CACHE = "answers:fit-weights"


class FitWeights(models.Model):
    class Outcome(models.TextChoices):
        ACTIVE = "active", "Active: decides what the panel shows"
        KEPT = "kept", "Kept: replaced by a newer version"
        REFUSED = "refused", "Not used: predicted the newest labels no better"

    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    weights = models.JSONField(help_text="The logistic model's intercept and weights, by feature (answers.fit.label).")
    labels = models.PositiveIntegerField(help_text="Suggestions inserted, dismissed or ignored it learned from.")
    labels_fit = models.PositiveIntegerField(help_text="Of those, inserted.")
    scored_on = models.PositiveIntegerField(help_text="The newest labels it was judged on, not trained on.")
    loss_before = models.FloatField(help_text="Log loss of the version active then (or the cold start) on them.")
    loss_after = models.FloatField(help_text="This version's log loss on them.")
    accuracy_before = models.FloatField()
    accuracy_after = models.FloatField()
    cpu_seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "fit weights version"
        verbose_name_plural = "fit weights versions"
        constraints = [
            models.UniqueConstraint(
                fields=["outcome"], condition=models.Q(outcome="active"), name="fitweights_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"fit weights v{self.pk} ({self.outcome})"


def active_fit_weights() -> dict[str, float] | None:
    """The active learnt weights, or None (the cold start: answers.fit.label.COLD_WEIGHTS); cached until a new version
    is adopted (answers.fit.use)."""
    found = cache.get(FIT_WEIGHTS_CACHE)
    if found is None:
        row = FitWeights.objects.filter(outcome=FitWeights.Outcome.ACTIVE).values_list("weights", flat=True).first()
        found = {"weights": row}
        cache.set(FIT_WEIGHTS_CACHE, found, 3600)
    return found["weights"]
