"""Keeping the suggestions' index: one Answer row per ticket we answered in public, and the stems' counts.

A ticket is indexed once it has a first reply and a public reply of ours with text (a ticket closed without
a public reply has nothing to suggest), unless it was merged into another or tagged spam. What the row holds:
answers.index.rows.

`answers_index` reads only tickets answered since the newest indexed answer (less a day, for replies seen
late), by batches: their messages in one query, the rows in one INSERT, the stems' counts in one upsert.
`answers_index(everything=True)` walks every ticket (the backfill, answers.index.bulk: ranges of ticket ids,
optionally in worker processes). `answers_prune` drops rows whose ticket was merged or marked spam since.

A reply we deleted from the platform (from the desk, or seen gone by a poll: `Message.deleted_at`) is never
offered again: the suggestions leave out an answer whose ticket had a reply of ours deleted after the answer was
indexed (`reply_gone`), and `answers_deleted_forget`, run with each index run, builds such an answer again from
the replies left or drops it when none is left.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from answers.index.bulk import answers_backfill
from answers.index.rows import (
    KINDS,
    MESSAGE_FIELDS,
    SPAM_TAG,
    TICKET_FIELDS,
    TicketRow,
    answer_row,
    answer_words,
    count,
    grouped,
    pending_flush,
    reply_gone,
    rows_insert,
    terms_count_add,
)
from answers.models import Answer, StoredSuggestion
from mentions.models import Message, Ticket, TicketEvent

log = logging.getLogger(__name__)

__all__ = [
    "SPAM_TAG",
    "answer_words",
    "answers_deleted_forget",
    "answers_index",
    "answers_prune",
    "terms_count_add",
]

BATCH = 500
LOOKBACK = timedelta(days=1)


def _eligible() -> Q:
    ours = Message.objects.filter(
        ticket_id=OuterRef("pk"), kind=Message.Kind.OUR_REPLY, deleted_at__isnull=True
    ).exclude(body="")
    spam = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag__name=SPAM_TAG)
    return Q(first_reply_at__isnull=False, merged_into__isnull=True) & Q(Exists(ours)) & ~Q(Exists(spam))


def answers_index(*, everything: bool = False, batch: int = BATCH, workers: int = 1) -> int:
    """Index the answered tickets not indexed yet; returns how many were added. `workers` > 1 runs the
    backfill (`everything`) in that many processes (outside a transaction only: they cannot see its rows)."""
    if everything:
        return answers_backfill(workers=workers)
    added, after = 0, 0
    since = Answer.objects.aggregate(m=Max("answered_at"))["m"]
    while True:
        qs = Ticket.objects.filter(_eligible(), pk__gt=after).exclude(Exists(Answer.objects.filter(pk=OuterRef("pk"))))
        if since is not None:
            qs = qs.filter(first_reply_at__gte=since - LOOKBACK)
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            if added:
                pending_flush()
            return added
        added += len(rows_insert(_rows(ids)))
        after = ids[-1]


def answers_deleted_forget() -> int:
    """Answers whose ticket had a reply of ours deleted since they were indexed: built again from the replies of
    ours left (keeping what advocates taught them: uses, other wordings) or dropped when none is left; the stems'
    counts move with them. Returns how many were looked at."""
    # Found through the deletions' history events of the last LOOKBACK (their kind and time are indexed), not by
    # asking every answer: at 800,000 answers that would be a scan of the index each minute. One missed for longer
    # (no worker for a day) is still never offered: the suggestions and Insert ask `reply_gone` themselves.
    deleted = TicketEvent.objects.filter(
        kind__in=[TicketEvent.Kind.MESSAGE_DELETED, TicketEvent.Kind.REPLY_DELETED],
        created_at__gte=timezone.now() - LOOKBACK,
    ).values("ticket_id")
    with transaction.atomic():
        stale = list(
            Answer.objects.filter(reply_gone(), ticket_id__in=deleted).select_for_update(of=("self",)).order_by("pk")
        )
        if not stale:
            return 0
        ids = [a.pk for a in stale]
        StoredSuggestion.objects.offering_drop(ids)  # the tickets that were offered them are computed again
        taught = {a.pk: (a.uses, a.asked_terms) for a in stale}
        fresh = _rows(ids)
        for row in fresh:
            row.uses, row.asked_terms = taught[row.ticket_id]
        Answer.objects.filter(pk__in=ids).delete()
        count(stale, -1)
        Answer.objects.bulk_create(fresh)
        count(fresh, +1)
    log.info("answers: %d answers had a reply deleted, %d built again from the replies left", len(ids), len(fresh))
    return len(ids)


def _rows(ids: list[int]) -> list[Answer]:
    tickets = Ticket.objects.filter(pk__in=ids).order_by("pk").values_list(*TICKET_FIELDS)
    messages = grouped(
        Message.objects.filter(ticket_id__in=ids, kind__in=KINDS)
        .order_by("ticket_id", "platform_created_at", "pk")
        .values_list(*MESSAGE_FIELDS)
    )
    rows = (answer_row(TicketRow(*t), messages.get(t[0], [])) for t in tickets)
    return [row for row in rows if row is not None]


def answers_prune() -> int:
    """Drop the answers whose ticket was merged into another or tagged spam after it was indexed."""
    spam = Ticket.tags.through.objects.filter(ticket_id=OuterRef("ticket_id"), tag__name=SPAM_TAG)
    with transaction.atomic():
        gone = list(Answer.objects.filter(Q(ticket__merged_into__isnull=False) | Q(Exists(spam))).select_for_update())
        if gone:
            StoredSuggestion.objects.offering_drop([a.pk for a in gone])
            Answer.objects.filter(pk__in=[a.pk for a in gone]).delete()
            count(gone, -1)
    return len(gone)
