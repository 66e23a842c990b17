"""The contributor journey's tables (people.journey). Imported by people.models, so they are the app's models."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActivityKind(models.TextChoices):
    ASKED = "asked", "Asked"
    ANSWERED = "answered", "Answered others"
    MERGED = "merged", "Merged a contribution"
    TALK = "talk", "Gave a talk"
    MEETUP = "meetup", "Organised a meetup"
    BLOG_POST = "blog_post", "Wrote a blog post"
    OTHER = "other", "Other contribution"


class ActivityWeight(models.Model):
    """How many points an activity of a kind is worth. Changing one recounts everyone (people.journey.recompute)."""

    kind = models.CharField(max_length=16, choices=ActivityKind.choices, unique=True)
    points = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-points", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.points}"


class Level(models.Model):
    """A step of the journey: a person is at the highest level whose threshold their points reach. `order` is
    the level's rank, which tickets keep (Ticket.requester_level) for the rules and Play's order."""

    name = models.CharField(max_length=60, unique=True)
    threshold = models.PositiveIntegerField(unique=True, help_text="Points from which a person is at this level.")
    order = models.PositiveSmallIntegerField(
        unique=True, help_text='Rank, lowest first (0, 1, 2...): rules\' "requester level at least" compare it.'
    )
    gift_item = models.CharField(
        max_length=200, blank=True, help_text="Suggested gift for someone reaching this level (e.g. T-shirt)."
    )
    discount_batch = models.ForeignKey(
        "people.DiscountBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Batch the recognition's one-click code is taken from.",
    )

    class Meta:
        ordering = ["threshold"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        # Ranks follow thresholds, or "level at least" would disagree with the points.
        if self.threshold is None or self.order is None:
            return
        others = Level.objects.exclude(pk=self.pk)
        if (
            others.filter(threshold__lt=self.threshold, order__gt=self.order).exists()
            or others.filter(threshold__gt=self.threshold, order__lt=self.order).exists()
        ):
            raise ValidationError("Levels with more points must have a higher order.")


class Activity(models.Model):
    """One thing the desk saw a person do. `source` names where it came from ("ticket:<id>" for a ticket they
    opened, "contribution:<id>" for a contribution), unique, so re-ingesting or re-running never counts twice."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    at = models.DateTimeField()
    link = models.CharField(max_length=1000, blank=True)
    source = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["person", "-at"], name="activity_person_idx")]

    def __str__(self) -> str:
        return f"{self.kind} by person {self.person_id}"


class Recognition(models.Model):
    """A person moved up to `to_level`: for a manager to thank (a gift, a code) or dismiss. Once per person and
    level reached (the constraint: two ingests crossing the same threshold make one)."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        GIFT_SENT = "gift_sent", "Gift sent"
        CODE_SENT = "code_sent", "Code sent"
        DISMISSED = "dismissed", "Dismissed"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="recognitions")
    from_level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="recognitions")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "to_level"], name="recognition_once_uniq")]
        indexes = [models.Index(fields=["-created_at"], name="recognition_open_idx", condition=models.Q(state="open"))]

    def __str__(self) -> str:
        return f"person {self.person_id} reached level {self.to_level_id}"
