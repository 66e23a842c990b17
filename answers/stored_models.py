"""The suggestions computed once in the worker and stored on the ticket (answers.suggestions.stored), the index
generation they were computed at, and what advocates did with them (answers.suggestions.feedback). The ticket page and
the API read these rows; they never search at view time."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.model_bases import Stamped


class StoredSuggestionQuerySet(models.QuerySet):
    def offering_drop(self, answer_ids: Iterable[int]) -> int:
        """The stored rows offering these answers dropped now, and the tickets that had them computed again by the
        next refresh (their marker set to generation 0). Returns the rows dropped. A method of the rows, so that the
        index and the erasure, which remove answers, drop them without importing the suggestions that compute them."""
        ids = list(answer_ids)
        if not ids:
            return 0
        rows = self.filter(answer_id__in=ids)
        tickets = list(rows.values_list("ticket_id", flat=True).distinct())
        dropped, _ = rows.delete()
        if tickets:
            self.filter(ticket_id__in=tickets, rank=0).update(generation=0)
        return dropped


class StoredSuggestion(models.Model):
    """One suggested earlier answer for a ticket, in rank order from 1. Every computed ticket also has a row of
    rank 0 with no answer: "computed, at this generation", so a ticket nothing fits (no suggestion rows) is told
    apart from one not computed yet (no rows at all)."""

    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="+")
    # The earlier answer offered; CASCADE: an answer pruned (merged, spam) or dropped (its reply deleted or
    # erased) takes its stored rows with it.
    answer = models.ForeignKey("answers.Answer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField(default=0.0)
    fit = models.FloatField(null=True, blank=True)
    features = models.JSONField(default=dict, blank=True)
    why = models.JSONField(default=list, blank=True)
    generation = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()
    # False: the likeliest answer when none reached the threshold, never shown; kept so that a reply written from
    # scratch labels it "does not fit" for the learning (answers.fit.use), which otherwise learns only from what
    # was shown and so only ever that more should be.
    shown = models.BooleanField(default=True)

    objects = StoredSuggestionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "rank"], name="stored_suggestion_rank")]
        indexes = [
            models.Index(fields=["answer"], name="stored_suggestion_answer"),
            # The refresh asks for the computed markers older than the generation.
            models.Index(fields=["generation"], condition=Q(rank=0), name="stored_suggestion_marker"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.rank}: {self.answer_id or '-'}"


class SuggestionsState(models.Model):
    """One row (pk 1): the index generation, bumped when the index changed materially (answers.suggestions.stored), and
    the answers added since the last bump."""

    generation = models.PositiveIntegerField(default=1)
    added_since = models.PositiveIntegerField(default=0)
    bumped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"generation {self.generation}"


class SuggestionFeedback(Stamped):
    """What became of one suggestion on one ticket, for learning when nothing fits: inserted (Insert reply or
    link), dismissed ("Doesn't fit") or ignored (a reply of ours was sent while it was the top one shown and
    none was inserted), with the suggestion's rank, score and features as they were."""

    class Outcome(models.TextChoices):
        INSERTED = "inserted", "Inserted"
        DISMISSED = "dismissed", "Dismissed"
        IGNORED = "ignored", "Ignored"

    ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="+")
    # The earlier ticket whose answer was suggested (an id: the answer itself may leave the index later).
    answer_ticket = models.ForeignKey("mentions.Ticket", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    fit = models.FloatField(null=True, blank=True)
    features = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "suggestion feedback"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "answer_ticket"], name="suggestion_feedback_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} → #{self.answer_ticket_id}: {self.outcome}"
