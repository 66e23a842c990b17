"""The backfill: every answered ticket of a history indexed (`manage.py answers_index --all`), ~800,000 answers
in minutes rather than the incremental indexer's half hour.

What makes it fast (bench/README.md, Answers): tickets are walked by ranges of ids (no "not indexed yet"
anti-join re-planned for every batch), a range's tickets and messages come in two queries as tuples, its rows go
in with one INSERT from arrays and its stems' counts in one upsert (answers.index.rows), and ranges run in
`workers` processes at once: building the rows (the Snowball stems, in Python) is most of the work and one
process uses one core. Each range is its own transaction, so an interrupted backfill keeps what it did and the
next run (or the minute's incremental run) carries on; a row another run inserted first is skipped, not counted.
"""

from __future__ import annotations

import multiprocessing

from django.db import connection, connections
from django.db.models import Exists, Max, Min, OuterRef

from answers.index.rows import (
    KINDS,
    MESSAGE_FIELDS,
    SPAM_TAG,
    TICKET_FIELDS,
    TicketRow,
    answer_row,
    grouped,
    pending_flush,
    rows_insert,
)
from mentions.models import Message, Ticket

RANGE = 5000  # ticket ids a transaction covers: ~4,000 answers, ~20 MB of text; fewer ranges, fewer count updates


def answers_backfill(*, workers: int = 1, span: int = RANGE) -> int:
    """Index every answered ticket not indexed yet; returns how many were added."""
    bounds = Ticket.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    ranges = [(low, low + span) for low in range(bounds["low"], bounds["high"] + 1, span)]
    if workers <= 1 or connection.in_atomic_block or connection.vendor != "postgresql":
        added = sum(range_index(r) for r in ranges)
    else:
        # Forked workers must not share this process's connection: each opens its own.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            added = sum(pool.imap_unordered(range_index, ranges))
    if added:
        pending_flush()
    return added


def range_index(bounds: tuple[int, int]) -> int:
    """Index the answered tickets with ids in [low, high) not indexed yet."""
    low, high = bounds
    spam = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag__name=SPAM_TAG)
    tickets = list(
        Ticket.objects.filter(
            pk__gte=low, pk__lt=high, first_reply_at__isnull=False, merged_into__isnull=True, answer__isnull=True
        )
        .exclude(Exists(spam))
        .order_by("pk")
        .values_list(*TICKET_FIELDS)
    )
    if not tickets:
        return 0
    messages = grouped(
        Message.objects.filter(ticket_id__gte=tickets[0][0], ticket_id__lte=tickets[-1][0], kind__in=KINDS)
        .order_by("ticket_id", "platform_created_at", "pk")
        .values_list(*MESSAGE_FIELDS)
    )
    rows = (answer_row(TicketRow(*t), messages.get(t[0], [])) for t in tickets)
    return len(rows_insert([row for row in rows if row is not None]))
