"""The two lists the suggestions fuse with their BM25F ranking (answers.suggestions.ranking), and the fusion.

- **plain**: the evaluation's naive baseline query (every word of the question OR-ed in PostgreSQL's 'english'
  configuration, ranked by ts_rank_cd over title, question and reply), served by the `plain` column's GIN index
  (the initial migration). On a set written by another hand it found more repeats than the BM25F pass did (Render: 40
  of 47 in the top 3 against 27), so the desk keeps it as one opinion instead of pretending to beat it alone. On
  the embedded SQLite default: the words' candidates ranked by how many of the question's stems they hold.
- **meaning**: the answers nearest the question's vector over the whole index (its cells: answers.suggestions.cells),
which
  finds a question asked again in other words, sharing no rare word with the first asking.

Reciprocal rank fusion (Cormack et al. 2009) adds 1 / (RRF_K + rank) over the lists that hold an answer: it needs
no common scale between a cosine, a BM25F score and ts_rank_cd, and an answer two lists agree on rises.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Q

from answers.suggestions.candidates import Weighted, offerable

if TYPE_CHECKING:
    import numpy as np

LIST_DEPTH = 20  # answers each list contributes to the fusion
RRF_K = 60  # the constant of the original paper: the top ranks of a list weigh about alike
# Answers the plain query's words may match together before only the rarer words' answers are ranked (plain_among):
# ts_rank_cd reads each matched row's tsvector, ~5-15 us a row.
PLAIN_BUDGET = 5_000


def plain_among(terms: Sequence[Weighted], words: dict[str, str]) -> str | None:
    """The rarer of the question's words (as many as match PLAIN_BUDGET answers together, the rarest always) when one
    of its words is in more than PLAIN_BUDGET answers: the plain query then ranks only the answers holding one of
    these (still by all the words). None: every answer any word matches is ranked, as the naive query does (a desk
    of fewer answers than that, or a question of rare words). At 1,000,000 tickets an
    OR of every word ("gitlab", "registry") matched most of the index and ranking it took 10-15 s a question."""
    own = sorted((w for w in terms if not w.synonym), key=lambda w: w.df)
    if not own or own[-1].df <= PLAIN_BUDGET:  # no word is common enough to cost: the naive query exactly
        return None
    kept: list[str] = []
    total = 0
    for w in own:
        if kept and total + w.df > PLAIN_BUDGET:
            break
        kept.append(words.get(w.term, w.term))
        total += w.df
    return " ".join(kept)


def plain_list(text: str, exclude: Sequence[int], *, depth: int = LIST_DEPTH, among: str | None = None) -> list[int]:
    """The answers the plain full-text query ranks first (PostgreSQL), best first; with `among` (plain_among), only
    the answers holding one of those words are ranked. Twice the depth: a few may be answers the desk no longer
    offers (merged, spam, reply deleted), left out where their rows are read (answers.suggestions.candidates.rows_for)
    rather than by another query here."""
    if connection.vendor != "postgresql" or not text.strip():
        return []
    words = "replace(plainto_tsquery('english', %s)::text, '&', '|')::tsquery"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.ticket_id FROM answers_answer a, (SELECT {words} AS q, {words} AS m) w "  # noqa: S608
            "WHERE a.plain @@ w.m AND NOT (a.ticket_id = ANY(%s)) "
            "ORDER BY ts_rank_cd(a.plain, w.q) DESC, a.ticket_id LIMIT %s",
            [text, among if among else text, list(exclude), 2 * depth],
        )
        return [row[0] for row in cursor.fetchall()]


def counted_list(held: dict[int, int], *, depth: int = LIST_DEPTH) -> list[int]:
    """SQLite's plain list: the candidates holding most of the question's stems, newest first among equals."""
    return [pk for pk, _ in sorted(held.items(), key=lambda kv: (-kv[1], -kv[0]))][:depth]


def meaning_list(
    vector: np.ndarray | None, exclude: Sequence[int], *, depth: int = LIST_DEPTH
) -> list[tuple[int, float]]:
    """The answers nearest the question in meaning (cosine), best first, from the cells nearest it."""
    if vector is None:
        return []
    import numpy as np

    from advocacy.embeddings import model_name
    from answers.suggestions.cells import nearest_cells

    qs = offerable().filter(meaning__isnull=False, meaning_model=model_name()).exclude(pk__in=list(exclude))
    cells = nearest_cells(vector)
    if cells is not None:  # answers filled since the cells were learnt and not yet placed count as near
        qs = qs.filter(Q(cell__in=cells) | Q(cell__isnull=True))
    rows = list(qs.values_list("ticket_id", "meaning"))
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(bytes(m or b"") for _, m in rows), dtype=np.float16).reshape(len(rows), -1)
    likeness = matrix.astype(np.float32) @ vector.astype(np.float32)
    best = np.argsort(-likeness)[:depth]
    return [(rows[i][0], float(likeness[i])) for i in best]


def fused(lists: Sequence[Sequence[int]]) -> dict[int, float]:
    """Reciprocal rank fusion of ranked id lists."""
    out: dict[int, float] = {}
    for ranked in lists:
        for rank, pk in enumerate(ranked, start=1):
            out[pk] = out.get(pk, 0.0) + 1.0 / (RRF_K + rank)
    return out
