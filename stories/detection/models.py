"""What the team's corrections of stories teach the detector (stories.detection.whole): one row per merge or
move-out."""

from __future__ import annotations

from django.db import models


class StoryFeedback(models.Model):
    """An advocate merged two stories or moved a ticket out of one: how near in meaning they were then."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Stories merged"
        MOVE_OUT = "move_out", "Ticket moved out"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The two stories' centroids' cosine (a merge) or the ticket's to its story's (a move-out), the usual meaning
    # taken away; None when one had no vectors (nothing to learn from it).
    cosine = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "story feedback"

    def __str__(self) -> str:
        return f"{self.kind} at {self.cosine}"
