"""The first pass of the suggestions: the few hundred answers worth ranking, out of all of them.

PostgreSQL: the answers holding any of the question's rarer stems (the `words` GIN index of migration 0003),
ordered by how much of the question's weight they hold. Common stems are left to the second pass: a stem found in
a third of the answers would make the first pass read a third of the table and tells little about which is
right. Titles alike in spelling are not searched here: a trigram search over 800,000 titles took 0.5-5.5 s for a
title of common words (bench/README.md, Answers); pg_trgm's similarity ranks the candidates' titles instead.

SQLite (the embedded default, a small desk): the newest answers holding any of the rarer stems, by LIKE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from answers.index import SPAM_TAG
from answers.models import Answer
from mentions.models import Ticket

LIMIT = 200
# Answers the rarer stems may match together before a common one is left out: reading and ordering 10,000 rows
# costs ~40 ms at 800,000 answers (bench/suggestions.py), 40,000 cost ~250 ms.
MATCH_BUDGET = 10_000
ALL_OF = 3  # when even the rarest stem is too common: answers holding all of the rarest three
FIELDS = (
    "ticket_id",
    "platform",
    "title",
    "reply",
    "reply_permalink",
    "link",
    "answered_by",
    "answered_at",
    "title_terms",
    "question_terms",
    "asked_terms",
    "reply_terms",
    "uses",
)


@dataclass(frozen=True)
class Weighted:
    term: str
    df: int
    idf: float  # already lowered for a synonym's stem (answers.suggestions.SYNONYM_WEIGHT)
    synonym: bool = False


def first_pass(terms: Sequence[Weighted], title: str, exclude: Sequence[int]) -> tuple[list[Answer], dict[int, float]]:
    """Candidate answers (merged tickets and spam left out) and, on PostgreSQL, each one's title likeness."""
    rare, joiner = _rarer(terms)
    ids = _pg_ids(rare, joiner, exclude) if connection.vendor == "postgresql" else _sqlite_ids(rare, exclude)
    if not ids:
        return [], {}
    spam = Ticket.tags.through.objects.filter(ticket_id=OuterRef("ticket_id"), tag__name=SPAM_TAG)
    rows = list(
        Answer.objects.filter(pk__in=ids, ticket__merged_into__isnull=True)
        .exclude(Exists(spam))
        .select_related("answered_by")
        .only(*FIELDS, "answered_by__first_name", "answered_by__last_name", "answered_by__username")
    )
    return rows, (_title_likeness([r.pk for r in rows], title) if title and connection.vendor == "postgresql" else {})


def _rarer(terms: Sequence[Weighted]) -> tuple[list[Weighted], str]:
    """The stems the first pass looks for and how: any of the rarest stems whose matches add up to at most
    MATCH_BUDGET answers ("|"), or, when even the rarest is more common than that, all of the rarest ALL_OF
    ("&": the index intersects them, and few answers hold three common words of one question)."""
    ordered = sorted((w for w in terms if not w.synonym), key=lambda w: w.df) or sorted(terms, key=lambda w: w.df)
    if ordered and ordered[0].df > MATCH_BUDGET:
        return ordered[:ALL_OF], "&"
    out: list[Weighted] = []
    total = 0
    for w in sorted(terms, key=lambda w: w.df):
        if out and total + w.df > MATCH_BUDGET:
            break
        out.append(w)
        total += w.df
    return out, "|"


def _pg_ids(rare: Sequence[Weighted], joiner: str, exclude: Sequence[int]) -> list[int]:
    if not rare:
        return []
    # Each stem is a bound parameter: `to_tsquery('simple', quote_literal(…))` keeps a stem that holds tsquery
    # syntax (a "!" or ":") from being read as an operator.
    one = "to_tsquery('simple', quote_literal(%s))"
    weight = " + ".join(f"(words @@ {one})::int * %s" for _ in rare)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ticket_id FROM answers_answer WHERE words @@ ({f' {joiner}{joiner} '.join(one for _ in rare)}) "  # noqa: S608
            f"AND NOT (ticket_id = ANY(%s)) ORDER BY {weight} DESC, answered_at DESC LIMIT %s",
            [*(w.term for w in rare), list(exclude), *(p for w in rare for p in (w.term, w.idf)), LIMIT],
        )
        return [row[0] for row in cursor.fetchall()]


def _title_likeness(ids: list[int], title: str) -> dict[int, float]:
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ticket_id, similarity(lower(title), lower(%s)) FROM answers_answer WHERE ticket_id = ANY(%s)",
            [title, ids],
        )
        return {pk: float(sim) for pk, sim in cursor.fetchall()}


def _sqlite_ids(rare: Sequence[Weighted], exclude: Sequence[int]) -> list[int]:
    if not rare:
        return []
    match = Q()
    for w in rare:
        for field in ("title_terms", "question_terms", "asked_terms", "reply_terms"):
            match |= Q(**{f"{field}__contains": w.term})
    qs = Answer.objects.filter(match).exclude(pk__in=exclude).order_by("-answered_at")
    return list(qs.values_list("pk", flat=True)[: LIMIT * 5])
