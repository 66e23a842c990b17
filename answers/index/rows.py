"""What an answered ticket becomes in the suggestions' index, shared by the indexer that follows new answers
(answers.index.follow) and the backfill that walks a whole history (answers.index.bulk): the same rows from the same
tickets, whichever path wrote them.

Tickets and messages are read as plain tuples (values_list), not model instances: at 800,000 answers building
a Ticket and three Messages per answer cost more than the stems. Rows go in with one INSERT … SELECT FROM
unnest(arrays) … ON CONFLICT DO NOTHING RETURNING per batch on PostgreSQL: a ticket another run indexed first is
skipped, and only the rows this statement inserted are counted in the stems' counts, so two runs (or two
backfill workers) never count an answer twice and need no lock between them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from answers.models import Answer, Term
from answers.terms import first_link, text_terms
from mentions.models import Message
from people.erasing import ERASED

TEXT_CHARS = 4000  # kept per question and reply: enough for the panel and the words that matter
SPAM_TAG = "spam"
TOTAL = ""  # Term row counting the answers
TICKET_FIELDS = ("pk", "subject", "first_reply_at", "channel__kind")
MESSAGE_FIELDS = (
    "ticket_id",
    "kind",
    "title",
    "body",
    "permalink",
    "author_user_id",
    "platform_created_at",
    "deleted_at",
)
KINDS = (Message.Kind.INBOUND, Message.Kind.OUR_REPLY)
# The inserted columns, in the order of the unnest() arrays (indexed_at is now(), uses 0, asked_terms empty).
_COLUMNS = (
    ("ticket_id", "bigint"),
    ("platform", "text"),
    ("title", "text"),
    ("question", "text"),
    ("reply", "text"),
    ("reply_permalink", "text"),
    ("link", "text"),
    ("answered_by_id", "integer"),
    ("answered_at", "timestamptz"),
    ("title_terms", "text"),
    ("question_terms", "text"),
    ("reply_terms", "text"),
)


class TicketRow(NamedTuple):
    pk: int
    subject: str
    first_reply_at: datetime | None
    platform: str


class MessageRow(NamedTuple):
    ticket_id: int
    kind: str
    title: str
    body: str
    permalink: str
    author_user_id: int | None
    created_at: datetime
    deleted_at: datetime | None = None


def reply_offerable(body: str) -> bool:
    """Whether a reply's text is worth offering again: something left besides the marks of an erasure."""
    return bool(body.replace(ERASED, "").strip(" \n\t.,;:!?-"))


def grouped(messages: Iterable[Sequence]) -> dict[int, list[MessageRow]]:
    """Messages (in MESSAGE_FIELDS order, each ticket's in time order) by ticket."""
    out: dict[int, list[MessageRow]] = {}
    for m in messages:
        row = MessageRow(*m)
        out.setdefault(row.ticket_id, []).append(row)
    return out


def answer_row(ticket: TicketRow, messages: list[MessageRow]) -> Answer | None:
    """Which reply: our first, unless a later reply of ours gave a link and the first did not. The question is
    the ticket's subject or thread title and its first mention. None when we never replied in public with text,
    or every such reply was deleted from the platform since (its link is dead: never offered again) or erased."""
    ours = [
        m for m in messages if m.kind == Message.Kind.OUR_REPLY and m.deleted_at is None and reply_offerable(m.body)
    ]
    if not ours:
        return None
    reply = ours[0] if first_link(ours[0].body) else next((m for m in ours if first_link(m.body)), ours[0])
    asked = next((m for m in messages if m.kind == Message.Kind.INBOUND), None)
    title = (ticket.subject or (asked.title if asked else ""))[:300]
    question = (asked.body if asked else "")[:TEXT_CHARS]
    body = reply.body[:TEXT_CHARS]
    return Answer(
        ticket_id=ticket.pk,
        platform=ticket.platform,
        title=title,
        question=question,
        reply=body,
        reply_permalink=reply.permalink,
        link=first_link(body)[:1000],
        answered_by_id=reply.author_user_id,
        answered_at=ticket.first_reply_at or reply.created_at,
        title_terms=" ".join(text_terms(title)),
        question_terms=" ".join(text_terms(question)),
        reply_terms=" ".join(text_terms(body)),
    )


def rows_insert(rows: list[Answer]) -> list[Answer]:
    """Insert the rows not indexed yet and count their stems, in one transaction; returns those inserted."""
    if not rows:
        return []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                names = ", ".join(name for name, _ in _COLUMNS)
                arrays = ", ".join(f"%s::{kind}[]" for _, kind in _COLUMNS)
                cursor.execute(
                    f"INSERT INTO answers_answer ({names}, asked_terms, uses, indexed_at) "  # noqa: S608 - ours
                    f"SELECT *, '', 0, now() FROM unnest({arrays}) "
                    "ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id",
                    [[getattr(row, name) for row in rows] for name, _ in _COLUMNS],
                )
                inserted = {pk for (pk,) in cursor.fetchall()}
            rows = [row for row in rows if row.ticket_id in inserted]
        else:  # SQLite, the embedded default: one writer at a time
            done = set(Answer.objects.filter(pk__in=[r.ticket_id for r in rows]).values_list("pk", flat=True))
            rows = [row for row in rows if row.ticket_id not in done]
            Answer.objects.bulk_create(rows)
        count(rows, +1)
    return rows


def pending_flush() -> None:
    """Move the GIN index's pending list (where inserts go first, fastupdate) into the index proper. Every
    search reads the whole pending list, up to 4 MB: after a run of inserts that was 10-20 ms of PostgreSQL per
    stem the first pass looks up, 0.1-0.3 ms once flushed (bench/README.md, Answers). Autovacuum flushes it too,
    but only when it next visits the table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('answer_words_idx'::regclass)")


def answer_words(answer: Answer) -> set[str]:
    """The distinct stems an answer holds (what Term counts)."""
    text = " ".join((answer.title_terms, answer.question_terms, answer.asked_terms, answer.reply_terms))
    return set(text.split())


def count(rows: list[Answer], sign: int) -> None:
    """Add (or take) each row's distinct stems to their counts, and the rows to the total, in one statement."""
    if not rows:
        return
    counts: Counter[str] = Counter({TOTAL: len(rows)})
    for row in rows:
        counts.update(answer_words(row))
    terms_count_add(counts, sign)


def terms_count_add(counts: Counter[str], sign: int = 1) -> None:
    table = Term._meta.db_table
    kept: Counter[str] = Counter()
    for term, n in counts.items():
        kept[term[:100]] += n
    with connection.cursor() as cursor:
        if sign > 0 and connection.vendor == "postgresql":
            # One upsert that moves each count only by its change (two writers never lose each other's additions),
            # the stems in one order so that two backfill workers lock the rows they share in the same order.
            terms = sorted(kept)
            cursor.execute(
                f"INSERT INTO {table} (term, df) SELECT * FROM unnest(%s::text[], %s::integer[]) "  # noqa: S608
                f"ON CONFLICT (term) DO UPDATE SET df = {table}.df + excluded.df",
                [terms, [kept[t] for t in terms]],
            )
        elif sign > 0:  # SQLite 3.24+ has the same upsert, one row a statement
            cursor.executemany(
                f"INSERT INTO {table} (term, df) VALUES (%s, %s) "  # noqa: S608 - the table name is ours
                f"ON CONFLICT (term) DO UPDATE SET df = {table}.df + excluded.df",
                sorted(kept.items()),
            )
        else:
            least = "GREATEST" if connection.vendor == "postgresql" else "MAX"
            cursor.executemany(
                f"UPDATE {table} SET df = {least}(df - %s, 0) WHERE term = %s",  # noqa: S608 - ours
                [(n, term) for term, n in sorted(kept.items())],
            )


def reply_gone() -> Exists:
    """An answer whose ticket had a reply of ours deleted from the platform after the answer was indexed: the
    reply it offers may be that one, with its dead link."""
    return Exists(
        Message.objects.filter(
            ticket_id=OuterRef("ticket_id"), kind=Message.Kind.OUR_REPLY, deleted_at__gte=OuterRef("indexed_at")
        )
    )
