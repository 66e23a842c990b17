"""The first pass of the suggestions: the few hundred answers worth ranking, out of all of them.

PostgreSQL: the answers holding any of the question's rarer stems (the `words` GIN index of answers' initial migration),
ordered by how much of the question's weight they hold, and their rows with their titles' likeness, in one
query. Common stems are left to the second pass: a stem found in a third of the answers would make the first pass
read a third of the table and tells little about which is right. Titles alike in spelling are not searched here: a
trigram search over 800,000 titles took 0.5-5.5 s for a title of common words (bench/README.md, Answers);
pg_trgm's similarity ranks the candidates' titles instead.

The weight is summed over one index scan per stem (UNION ALL, then GROUP BY): GIN answers a one-stem match
exactly, so PostgreSQL reads only the matched rows' ids and dates, never their `words`. Weighing each row with a
`words @@ stem` per stem instead read (and de-TOASTed) every matched row's tsvector once per stem: 100+ ms of
PostgreSQL CPU a panel at 100,000 answers (bench/suggestions.py).

SQLite (the embedded default, a small desk): the newest answers holding any of the rarer stems, by LIKE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from answers.index.rows import SPAM_TAG, reply_gone
from answers.models import Answer
from mentions.models import Ticket

LIMIT = 50  # ranked in Python (answers.suggestions.ranking), of which 5 are shown: each costs ~0.1 ms there
# Answers the rarer stems may match together before a common one is left out: each match is a heap page read
# by the per-stem scans (the table is ~1 GB at 800,000 answers, far more than shared_buffers) and a row grouped,
# ~3-5 us of PostgreSQL: 10,000 cost 25-100 ms a panel (bench/suggestions.py). The rarest stem is looked up
# whatever its count, up to ALL_OF_ABOVE: at 1,000,000 tickets a question's rarest stem is in 1,500-3,000
# answers, and asking for all of the rarest three instead found nothing for most questions.
MATCH_BUDGET = 3_000
ALL_OF_ABOVE = 10_000  # the rarest stem in more answers than this: the answers holding all of the rarest three
ALL_OF = 3  # when even the rarest stem is too common: answers holding all of the rarest three
FIELDS = (
    "ticket_id",
    "meaning",
    "meaning_model",
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
    idf: float  # already lowered for a synonym's stem (answers.suggestions.ranking.SYNONYM_WEIGHT)
    synonym: bool = False
    evidence: bool = True  # False: the product's own word or an everyday one (answers.suggestions.ranking)


def first_pass(terms: Sequence[Weighted], title: str, exclude: Sequence[int]) -> tuple[list[Answer], dict[int, float]]:
    """Candidate answers (merged tickets, spam and answers whose reply was deleted left out) and, on PostgreSQL,
    each one's title likeness."""
    rare, joiner = _rarer(terms)
    if not rare:
        return [], {}
    qs = offerable()
    if connection.vendor != "postgresql":
        return list(qs.filter(pk__in=_sqlite_ids(rare, exclude))), {}
    sql, params = _pg_ids(rare, joiner, exclude)
    return _rows(qs.filter(pk__in=RawSQL(sql, params)), title)  # noqa: S611 - every value in it is a bound parameter


def offerable() -> QuerySet[Answer]:
    """The answers that may be suggested: merged tickets, spam and answers whose reply was deleted left out."""
    spam = Ticket.tags.through.objects.filter(ticket_id=OuterRef("ticket_id"), tag__name=SPAM_TAG)
    return (
        Answer.objects.filter(ticket__merged_into__isnull=True)
        .exclude(Exists(spam))
        .exclude(reply_gone())  # deleted from the platform: gone from the index at its next run
        .select_related("answered_by")
        .only(*FIELDS, "answered_by__first_name", "answered_by__last_name", "answered_by__username")
    )


def rows_for(ids: Sequence[int], title: str) -> tuple[list[Answer], dict[int, float]]:
    """The offerable answers among `ids` (found by the other lists, answers.suggestions.hybrid), with their title
    likeness."""
    if not ids:
        return [], {}
    qs = offerable().filter(pk__in=list(ids))
    if connection.vendor != "postgresql" or not title:
        return list(qs), {}
    # By primary key: no scan to keep serial, so no transaction of its own (one statement).
    likeness = RawSQL("similarity(lower(answers_answer.title), lower(%s))", [title], output_field=FloatField())
    annotated = list(qs.annotate(alike=likeness))
    return list(annotated), {row.pk: float(row.alike) for row in annotated}


def _rows(qs: QuerySet[Answer], title: str) -> tuple[list[Answer], dict[int, float]]:
    if not title:
        with transaction.atomic():
            _serial()
            return list(qs), {}
    likeness = RawSQL("similarity(lower(answers_answer.title), lower(%s))", [title], output_field=FloatField())
    with transaction.atomic():
        _serial()
        annotated = list(qs.annotate(alike=likeness))
    rows: list[Answer] = list(annotated)
    return rows, {row.pk: float(row.alike) for row in annotated}


def _serial() -> None:
    """No parallel workers for this transaction's query: the planner reckons the per-stem scans worth two, but
    starting them cost 30-40 ms (more on a busy machine) to share a 10 ms scan (bench/README.md, Answers)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def _rarer(terms: Sequence[Weighted]) -> tuple[list[Weighted], str]:
    """The stems the first pass looks for and how: any of the rarest stems whose matches add up to at most
    MATCH_BUDGET answers (the rarest always) ("|"), or, when even the rarest is in more than ALL_OF_ABOVE, all of
    the rarest ALL_OF
    ("&": the index intersects them, and few answers hold three common words of one question)."""
    ordered = sorted((w for w in terms if not w.synonym), key=lambda w: w.df) or sorted(terms, key=lambda w: w.df)
    if ordered and ordered[0].df > ALL_OF_ABOVE:
        return ordered[:ALL_OF], "&"
    out: list[Weighted] = []
    total = 0
    for w in sorted(terms, key=lambda w: w.df):
        if out and total + w.df > MATCH_BUDGET:
            break
        out.append(w)
        total += w.df
    return out, "|"


def _pg_ids(rare: Sequence[Weighted], joiner: str, exclude: Sequence[int]) -> tuple[str, list]:
    """The first pass's ids as a subquery: the LIMIT answers holding most of the rarer stems' weight."""
    # Each stem is a bound parameter: `to_tsquery('simple', quote_literal(…))` keeps a stem that holds tsquery
    # syntax (a "!" or ":") from being read as an operator.
    one = "to_tsquery('simple', quote_literal(%s))"
    scan = "SELECT ticket_id, answered_at, %s::float AS w FROM answers_answer WHERE words @@ "
    if joiner == "&":  # one scan, the index intersects them; three common stems may still match many: capped
        branches = [f"({scan}({' && '.join(one for _ in rare)}) LIMIT %s)"]
        params: list = [1.0, *(w.term for w in rare), max(ALL_OF_ABOVE, LIMIT)]
    else:
        branches = [scan + one for _ in rare]
        params = [p for w in rare for p in (w.idf, w.term)]
    sql = (
        f"SELECT ticket_id FROM ({' UNION ALL '.join(branches)}) AS matched "  # noqa: S608 - no user text in it
        "WHERE NOT (ticket_id = ANY(%s)) GROUP BY ticket_id, answered_at "
        "ORDER BY sum(w) DESC, answered_at DESC LIMIT %s"
    )
    return sql, [*params, list(exclude), LIMIT]


def _sqlite_ids(rare: Sequence[Weighted], exclude: Sequence[int]) -> list[int]:
    if not rare:
        return []
    match = Q()
    for w in rare:
        for field in ("title_terms", "question_terms", "asked_terms", "reply_terms"):
            match |= Q(**{f"{field}__contains": w.term})
    qs = Answer.objects.filter(match).exclude(pk__in=exclude).order_by("-answered_at")
    return list(qs.values_list("pk", flat=True)[: LIMIT * 10])
