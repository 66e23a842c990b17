"""Answers the team reuses: saved replies, a library apart from macros (a macro sets status and tags; a saved
reply is text an advocate inserts into the draft and edits before sending)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from advocacy.model_bases import Stamped


class SavedReply(Stamped):
    title = models.CharField(max_length=120, unique=True)
    body = models.TextField(
        help_text="The reply. Placeholders: {requester} (their name, else handle), {handle} (@handle on X, the "
        "handle elsewhere), {link} (a link the advocate gives when inserting it)."
    )
    keywords = models.CharField(max_length=300, blank=True, help_text="Words to find it by, besides its title.")
    is_active = models.BooleanField(default=True)
    uses = models.PositiveIntegerField(default=0, help_text="Times inserted into a reply.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "saved replies"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from answers.saved_replies import placeholders_check

        placeholders_check(self.body)


class Answer(models.Model):
    """An answered ticket as the suggestions read it: the question (title and first mention), our public reply,
    and both as word stems (answers.terms) so PostgreSQL and SQLite match the same words. Kept by
    answers.index.follow from tickets with a public reply of ours; merged tickets and spam are left out where the
    suggestions read it (answers.suggestions.ranking), since either can happen after indexing."""

    ticket = models.OneToOneField("mentions.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="answer")
    platform = models.CharField(max_length=64, help_text="The channel kind the question came from.")
    title = models.CharField(max_length=300, blank=True)
    question = models.TextField(blank=True)
    reply = models.TextField()
    reply_permalink = models.URLField(max_length=1000, blank=True)
    link = models.URLField(max_length=1000, blank=True, help_text="The first link our reply gave.")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField()
    title_terms = models.TextField(blank=True)
    question_terms = models.TextField(blank=True)
    reply_terms = models.TextField(blank=True)
    asked_terms = models.TextField(
        blank=True, help_text="Stems of later questions this answer was used for: other words for the same question."
    )
    uses = models.PositiveIntegerField(default=0, help_text="Times an advocate used it as a suggestion.")
    indexed_at = models.DateTimeField(auto_now=True)
    # The meaning of the question and our reply (advocacy.embeddings, float16), filled behind the index by the
    # worker (answers.suggestions.meaning): a question asked again in other words is found by it
    # (answers.suggestions.ranking).
    meaning = models.BinaryField(null=True, blank=True, editable=False)
    meaning_model = models.CharField(max_length=80, blank=True, db_default="", editable=False)
    # The coarse cell of that meaning (answers.suggestions.cells: the nearest MeaningCell's number), so the meaning list
    # reads the answers of the few cells nearest a question instead of every vector. Null: one cell, all of them.
    cell = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["answered_at"], name="answer_answered_idx"),
            models.Index(fields=["cell"], name="answer_cell_idx"),
        ]

    def __str__(self) -> str:
        return f"Answer on #{self.ticket_id}"


class MeaningCell(models.Model):
    """A centroid of the answers' meaning vectors (k-means, answers.suggestions.cells), one of a few hundred per model
    once the index holds thousands of answers: an answer's `cell` is its nearest one."""

    model = models.CharField(max_length=80)
    number = models.PositiveIntegerField()
    centroid = models.BinaryField()  # float32, L2-normalised
    size = models.PositiveIntegerField(default=0, help_text="Answers in this cell when the cells were learnt.")
    learnt_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "number"], name="meaning_cell_unique")]

    def __str__(self) -> str:
        return f"{self.model} cell {self.number}"


class Term(models.Model):
    """How many answers hold a stem (document frequency), for weighting rare words above common ones. The row
    with the empty term counts the answers. Kept up to date as answers are indexed and removed."""

    term = models.CharField(max_length=100, primary_key=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}: {self.df}"


class Synonyms(models.Model):
    """Words and phrases that mean the same to the people who ask ("sign in, log in, login"; "purge, clean up,
    delete"). A question holding one is also matched on the others, at half weight. Seeded with general
    software-support vocabulary; a team adds its product's own ("MR, merge request")."""

    words = models.TextField(
        help_text="Comma-separated words or phrases that mean the same, e.g. sign in, log in, login."
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "synonyms"
        verbose_name_plural = "synonyms"

    def __str__(self) -> str:
        return self.words[:80]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        phrases = [p.strip() for p in self.words.split(",") if p.strip()]
        if len(phrases) < 2:
            raise ValidationError({"words": "Give at least two words or phrases, separated by commas."})


# The knowledge sources live in their own module (each under 400 lines); imported here so Django finds them.
from answers.fit_models import FitWeights  # noqa: E402
from answers.knowledge_models import DocPage, KnowledgeSource  # noqa: E402
from answers.stored_models import StoredSuggestion, SuggestionFeedback, SuggestionsState  # noqa: E402

__all__ = [
    "Answer",
    "DocPage",
    "FitWeights",
    "KnowledgeSource",
    "MeaningCell",
    "SavedReply",
    "StoredSuggestion",
    "SuggestionFeedback",
    "SuggestionsState",
    "Synonyms",
    "Term",
]
