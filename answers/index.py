"""Keeping the suggestions' index: one Answer row per ticket we answered in public, and the stems' counts.

A ticket is indexed once it has a first reply and a public reply of ours with text (a ticket closed without
a public reply has nothing to suggest), unless it was merged into another or tagged spam. Which reply: our
first, unless a later reply of ours gave a link and the first did not ("Looking into it" then "Fixed in
https://…"). The question is the ticket's subject or thread title and its first mention.

Work goes by batches of tickets in one transaction: their messages in one query, the rows in one INSERT, the
stems' counts in one upsert. A lock keeps two runs from indexing (and counting) the same ticket twice.
`answers_index` reads only tickets answered since the newest indexed answer (less a day, for replies seen
late); `answers_index(everything=True)` walks them all (the backfill). `answers_prune` drops rows whose ticket
was merged or marked spam since.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q

from answers.models import Answer, Term
from answers.terms import first_link, text_terms
from mentions.models import Message, Ticket

log = logging.getLogger(__name__)

BATCH = 500
LOOKBACK = timedelta(days=1)
TEXT_CHARS = 4000  # kept per question and reply: enough for the panel and the words that matter
SPAM_TAG = "spam"
_LOCK_KEY = 0x616E_7377  # "answ": PostgreSQL advisory lock of the indexer
_TOTAL = ""  # Term row counting the answers


def _eligible() -> Q:
    ours = Message.objects.filter(ticket_id=OuterRef("pk"), kind=Message.Kind.OUR_REPLY).exclude(body="")
    spam = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag__name=SPAM_TAG)
    return Q(first_reply_at__isnull=False, merged_into__isnull=True) & Q(Exists(ours)) & ~Q(Exists(spam))


def answers_index(*, everything: bool = False, batch: int = BATCH) -> int:
    """Index the answered tickets not indexed yet; returns how many were added."""
    added, after = 0, 0
    since = None if everything else Answer.objects.aggregate(m=Max("answered_at"))["m"]
    while True:
        qs = Ticket.objects.filter(_eligible(), pk__gt=after).exclude(Exists(Answer.objects.filter(pk=OuterRef("pk"))))
        if since is not None:
            qs = qs.filter(first_reply_at__gte=since - LOOKBACK)
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return added
        added += _index_batch(ids)
        after = ids[-1]


def _index_batch(ids: list[int]) -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        done = set(Answer.objects.filter(pk__in=ids).values_list("pk", flat=True))
        rows = [row for row in _rows([i for i in ids if i not in done]) if row is not None]
        Answer.objects.bulk_create(rows)
        _count(rows, +1)
    return len(rows)


def _rows(ids: list[int]) -> Iterable[Answer | None]:
    tickets = (
        Ticket.objects.filter(pk__in=ids)
        .select_related("channel")
        .only("pk", "subject", "first_reply_at", "channel__kind")
    )
    messages: dict[int | None, list[Message]] = {}  # ticket_id is nullable; these rows all have one
    fields = ("ticket_id", "kind", "title", "body", "permalink", "author_user_id", "platform_created_at")
    kinds = (Message.Kind.INBOUND, Message.Kind.OUR_REPLY)
    for m in (
        Message.objects.filter(ticket_id__in=ids, kind__in=kinds).only(*fields).order_by("platform_created_at", "pk")
    ):
        messages.setdefault(m.ticket_id, []).append(m)
    for ticket in tickets:
        yield _row(ticket, messages.get(ticket.pk, []))


def _row(ticket: Ticket, messages: list[Message]) -> Answer | None:
    ours = [m for m in messages if m.kind == Message.Kind.OUR_REPLY and m.body.strip()]
    if not ours:
        return None
    reply = ours[0] if first_link(ours[0].body) else next((m for m in ours if first_link(m.body)), ours[0])
    asked = next((m for m in messages if m.kind == Message.Kind.INBOUND), None)
    title = (ticket.subject or (asked.title if asked else ""))[:300]
    question = (asked.body if asked else "")[:TEXT_CHARS]
    body = reply.body[:TEXT_CHARS]
    return Answer(
        ticket=ticket,
        platform=ticket.channel.kind,
        title=title,
        question=question,
        reply=body,
        reply_permalink=reply.permalink,
        link=first_link(body)[:1000],
        answered_by_id=reply.author_user_id,
        answered_at=ticket.first_reply_at or reply.platform_created_at,
        title_terms=" ".join(text_terms(title)),
        question_terms=" ".join(text_terms(question)),
        reply_terms=" ".join(text_terms(body)),
    )


def answer_words(answer: Answer) -> set[str]:
    """The distinct stems an answer holds (what Term counts)."""
    text = " ".join((answer.title_terms, answer.question_terms, answer.asked_terms, answer.reply_terms))
    return set(text.split())


def _count(rows: list[Answer], sign: int) -> None:
    """Add (or take) each row's distinct stems to their counts, and the rows to the total, in one statement."""
    if not rows:
        return
    counts: Counter[str] = Counter({_TOTAL: len(rows)})
    for row in rows:
        counts.update(answer_words(row))
    terms_count_add(counts, sign)


def terms_count_add(counts: Counter[str], sign: int = 1) -> None:
    table = Term._meta.db_table
    with connection.cursor() as cursor:
        if sign > 0:
            # An upsert (PostgreSQL, and SQLite 3.24+) that moves a count only by its change: two writers never
            # lose each other's additions.
            cursor.executemany(
                f"INSERT INTO {table} (term, df) VALUES (%s, %s) "  # noqa: S608 - the table name is ours
                f"ON CONFLICT (term) DO UPDATE SET df = {table}.df + excluded.df",
                [(term[:100], n) for term, n in counts.items()],
            )
        else:
            least = "GREATEST" if connection.vendor == "postgresql" else "MAX"
            cursor.executemany(
                f"UPDATE {table} SET df = {least}(df - %s, 0) WHERE term = %s",  # noqa: S608 - ours
                [(n, term[:100]) for term, n in counts.items()],
            )


def answers_prune() -> int:
    """Drop the answers whose ticket was merged into another or tagged spam after it was indexed."""
    spam = Ticket.tags.through.objects.filter(ticket_id=OuterRef("ticket_id"), tag__name=SPAM_TAG)
    with transaction.atomic():
        gone = list(Answer.objects.filter(Q(ticket__merged_into__isnull=False) | Q(Exists(spam))).select_for_update())
        if gone:
            Answer.objects.filter(pk__in=[a.pk for a in gone]).delete()
            _count(gone, -1)
    return len(gone)
