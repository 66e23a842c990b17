"""The coarse quantizer of the meaning list: which answers' vectors a question reads.

The meaning list (answers.suggestions.hybrid) ranks answers by the cosine of their vector and the question's over the
whole index, not only over the answers the words found (a question asked again in other words shares none of them).
Reading every vector is fine for a small desk (4,000 answers are 3 MB of float16) but not at 800,000 (600 MB a
question). So, once the index holds CELL_MIN answers with a vector, k-means (scikit-learn, in a child process:
answers.fit.cells) learns about √n centroids from a sample of the vectors; they are stored (MeaningCell) and each
answer keeps its nearest one (`Answer.cell`, indexed). A question reads the answers of its PROBE nearest cells: at
800,000 answers ~900 cells of ~900, so ~7,000 vectors, a few milliseconds of numpy. An answer near a cell's border
may be in a cell not probed: the usual inverted-file trade of a little recall for a bounded read; the words' two
lists still find it.

Below CELL_MIN there is one cell (no centroids, every `cell` null): all the answers are read. The cells are learnt
again once the answers with a vector have doubled since (cells_refresh, after each meaning fill, in the worker's
meaning process); answers filled in between join their nearest existing cell.
"""

from __future__ import annotations

import math

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction

from advocacy.embeddings import from_bytes, model_name
from answers.models import Answer, MeaningCell

CELL_MIN = 4_000  # answers with a vector below which one cell is read whole (~3 MB of float16)
CELLS_MAX = 1_024
PROBE = 8  # cells a question reads: ~7,000 answers at 800,000 with ~900 cells
SAMPLE = 50_000  # vectors k-means learns from: enough for 1,000 centroids, 75 MB of float32 at most
ASSIGN_BATCH = 5_000
CACHE_KEY = "answers:cells:{model}"
CACHE_SECONDS = 600


def cells_forget(model: str | None = None) -> None:
    """Drop the centroids this process and its peers keep in the cache: they are read again from the database."""
    cache.delete(CACHE_KEY.format(model=model or model_name()))


def cells_for(n: int) -> int:
    return max(2, min(CELLS_MAX, round(math.sqrt(n))))


def centroids(model: str | None = None) -> np.ndarray | None:
    """The current model's centroids (rows, by cell number), or None when there is one cell."""
    model = model or model_name()
    key = CACHE_KEY.format(model=model)
    kept = cache.get(key)
    if kept is None:
        rows = list(MeaningCell.objects.filter(model=model).order_by("number").values_list("centroid", flat=True))
        kept = (len(rows), b"".join(bytes(r) for r in rows))
        cache.set(key, kept, CACHE_SECONDS)
    count, blob = kept
    if not count:
        return None
    return np.frombuffer(blob, dtype=np.float32).reshape(count, -1)


def nearest_cells(vector: np.ndarray, probe: int | None = None) -> list[int] | None:
    """The numbers of the cells nearest the question's vector; None: one cell, read every answer."""
    found = centroids()
    if found is None:
        return None
    likeness = found @ vector.astype(np.float32)
    return [int(n) for n in np.argsort(-likeness)[: probe or PROBE]]


def cell_of(matrix: np.ndarray, found: np.ndarray | None) -> list[int | None]:
    """Each row's nearest cell (None when there are no cells)."""
    if found is None or not len(matrix):
        return [None] * len(matrix)
    return [int(n) for n in np.argmax(matrix.astype(np.float32) @ found.T, axis=1)]


def cells_refresh(*, force: bool = False) -> int:
    """Learn the cells again when the answers with a vector have doubled since they were learnt (or there are
    none and there are CELL_MIN answers), or forget them below CELL_MIN. How many cells there are now."""
    model = model_name()
    with_vector = Answer.objects.filter(meaning__isnull=False, meaning_model=model)
    n = with_vector.count()
    learnt = sum(MeaningCell.objects.filter(model=model).values_list("size", flat=True))
    if n < CELL_MIN:
        if learnt or MeaningCell.objects.filter(model=model).exists():
            MeaningCell.objects.filter(model=model).delete()
            Answer.objects.filter(cell__isnull=False).update(cell=None)
            cache.delete(CACHE_KEY.format(model=model))
        return 0
    if not force and learnt and n < 2 * learnt:
        return MeaningCell.objects.filter(model=model).count()
    return cells_learn(n)


def cells_learn(n: int) -> int:
    """k-means over a sample of the vectors, then every answer's cell. Seeded: the same answers, the same cells."""
    from answers.fit.cells import kmeans_apart  # scikit-learn in a child process, not in the meaning process

    model = model_name()
    sample_ids = list(
        Answer.objects.filter(meaning__isnull=False, meaning_model=model)
        .order_by("?")
        .values_list("ticket_id", flat=True)[:SAMPLE]
    )
    matrix = _vectors(sample_ids)
    k = cells_for(n)
    found = kmeans_apart(matrix, k).astype(np.float32)
    found /= np.clip(np.linalg.norm(found, axis=1, keepdims=True), 1e-12, None)  # cosine, as the vectors
    sizes = np.bincount(cell_of_array(matrix, found), minlength=k) * (n / len(matrix))
    with transaction.atomic():
        MeaningCell.objects.filter(model=model).delete()
        MeaningCell.objects.bulk_create(
            MeaningCell(model=model, number=i, centroid=found[i].tobytes(), size=round(sizes[i])) for i in range(k)
        )
    cache.delete(CACHE_KEY.format(model=model))
    _assign_all(model, found)
    answers_vacuum()
    return k


def cell_of_array(matrix: np.ndarray, found: np.ndarray) -> np.ndarray:
    return np.argmax(matrix @ found.T, axis=1)


def _vectors(ids: list[int]) -> np.ndarray:
    rows = Answer.objects.filter(pk__in=ids).values_list("meaning", flat=True)
    return np.stack([from_bytes(m).astype(np.float32) for m in rows if m is not None])


def _assign_all(model: str, found: np.ndarray) -> None:
    """Every answer with a vector of the model gets its nearest cell, in batches by ticket id."""
    last = 0
    while True:
        rows = list(
            Answer.objects.filter(meaning__isnull=False, meaning_model=model, ticket_id__gt=last)
            .order_by("ticket_id")
            .values_list("ticket_id", "meaning")[:ASSIGN_BATCH]
        )
        if not rows:
            return
        matrix = np.stack([from_bytes(m or b"").astype(np.float32) for _, m in rows])
        cells_set([pk for pk, _ in rows], [int(c) for c in cell_of_array(matrix, found)])
        last = rows[-1][0]


def answers_vacuum() -> bool:
    """Vacuum the answers' table now (True when done). Learning the cells writes every answer's row again, and the
    meaning list's `cell IS NULL` arm reads the dead versions (after a first learn over 794,398 answers: a lossy
    bitmap over the whole 2.9 GB table, 1.9 s of a ticket's 2.4 s; bench/README.md); autovacuum comes to a table
    this size late. Not inside a transaction (VACUUM cannot be; tests) nor on SQLite."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) answers_answer")
    return True


def cells_set(ids: list[int], cells: list[int | None]) -> None:
    if connection.vendor == "postgresql":  # one statement a batch, not one CASE per row
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE answers_answer a SET cell = c.cell FROM unnest(%s::int[], %s::int[]) AS c(id, cell) "
                "WHERE a.ticket_id = c.id",
                [ids, cells],
            )
        return
    rows = [Answer(ticket_id=pk, cell=cell) for pk, cell in zip(ids, cells, strict=True)]
    Answer.objects.bulk_update(rows, ["cell"], batch_size=500)
