"""The meaning of each indexed answer (its question and our reply), filled behind the index by the worker.

The index (answers.index.follow) stays words only and fast; this fills `Answer.meaning` newest first in batches, in the
worker's meaning process (advocacy.embeddings), so a history of answers gains its vectors over the hours after an
import while the words already serve. A web process only reads the stored vectors (answers.suggestions.ranking)."""

from __future__ import annotations

from django.db.models import Q

from advocacy import embeddings
from answers.models import Answer
from answers.suggestions.cells import cell_of, centroids

BATCH = 256
TEXT_CHARS = 1500  # the model reads 128 tokens: the question first, then as much of our reply as fits


def answer_text(title: str, question: str, reply: str) -> str:
    head = f"{title}\n{question}" if title and title not in question else question
    return f"{head}\n{reply}"[:TEXT_CHARS]


def answers_meaning_fill(*, batch: int = BATCH, limit: int | None = None) -> int:
    """Give answers without a vector of the current model one, newest first; how many were filled."""
    model = embeddings.model_name()
    filled = 0
    while limit is None or filled < limit:
        rows = list(
            Answer.objects.filter(Q(meaning__isnull=True) | ~Q(meaning_model=model))
            .order_by("-answered_at", "-ticket_id")
            .only("ticket_id", "title", "question", "reply")[: batch if limit is None else min(batch, limit - filled)]
        )
        if not rows:
            break
        matrix = embeddings.embed([answer_text(a.title, a.question, a.reply) for a in rows])
        # Each joins its nearest cell of the meaning list (answers.suggestions.cells), if the index is large enough for
        # cells.
        cells = cell_of(matrix, centroids(model))
        for n, answer in enumerate(rows):
            answer.meaning = embeddings.to_bytes(matrix[n])
            answer.meaning_model = model
            answer.cell = cells[n]
        Answer.objects.bulk_update(rows, ["meaning", "meaning_model", "cell"])
        filled += len(rows)
    return filled
