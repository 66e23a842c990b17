"""The desk's learned judgement (issue 56): each version of the model that says whether a mention needs a
response, trained by `mentions.judgement_learn` on this desk's own labelled tickets beside the shipped examples
(mentions/judgement/learning.py). Every version is kept; one is active. A new version becomes active only when
it beats the active one on the desk's newest labelled tickets that neither trained on, and its figures there are
what admin and the KPI page show ("precision on your last 200 labelled mentions").

Per product (issue 71): a version is one product's, learned from its tickets; one version is active per product.
Empty is the desk's first product, as for a channel or a ticket, so the versions from before products are its."""

from django.db import models

from advocacy.model_fields import product_link


class JudgementModel(models.Model):
    class Outcome(models.TextChoices):
        ACTIVE = "active", "Active: judges new mentions"
        KEPT = "kept", "Kept: replaced by a newer version"
        REFUSED = "refused", "Not used: did no better than the active version"

    created_at = models.DateTimeField(auto_now_add=True)
    # Deleted with its product: a version learned from a product's tickets judges no other (its tickets go to the
    # first product, whose own versions judge them).
    product = product_link(
        "The product it learned and judges; empty: the desk's first product.", on_delete=models.CASCADE
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    # The weights (numpy arrays in one .npz) and what they were trained on; the features' layout version, so a
    # model made for another layout is never read.
    weights = models.BinaryField()
    features_version = models.PositiveSmallIntegerField()
    embedding_model = models.CharField(max_length=80)
    labels_desk = models.PositiveIntegerField(help_text="This desk's labelled tickets it learned from.")
    labels_corrected = models.PositiveIntegerField(help_text="Of those, corrected by an advocate.")
    labels_shipped = models.PositiveIntegerField(help_text="The shipped examples it learned from beside them.")
    # Scored on the desk's newest labelled tickets it did not train on (the same ones for the active version).
    scored_on = models.PositiveIntegerField(default=0)
    needs_response_precision = models.FloatField(null=True, blank=True)
    needs_response_recall = models.FloatField(null=True, blank=True)
    noise_precision = models.FloatField(null=True, blank=True)
    noise_recall = models.FloatField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    compared_with = models.JSONField(
        default=dict, blank=True, help_text="The active version's figures on the same tickets, when there was one."
    )
    cpu_seconds = models.FloatField(default=0.0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            # One active version per product: the first product's (empty) and each other's. Two partial constraints,
            # not one with NULLS NOT DISTINCT, which SQLite (make run) lacks.
            models.UniqueConstraint(
                fields=["outcome"],
                condition=models.Q(outcome="active", product__isnull=True),
                name="judgementmodel_one_active",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(outcome="active", product__isnull=False),
                name="judgementmodel_one_active_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"judgement model v{self.pk} ({self.outcome})"
