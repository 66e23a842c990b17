"""Which tickets the Community page counts, and what a term of a subject is: one rule, used by every figure.

**A mention** is a ticket's first mention: one per ticket, on the day of the ticket's `requested_at` (UTC), in the
ticket's channel. Left out:

- a ticket merged into another (`merged_into` set): it is a duplicate of the ticket it went into, which counts;
- a ticket that began as a private message (a `Message` of kind PRIVATE at or before the ticket's `requested_at`):
  a conversation in private is not something the community said in public.

Our own replies, notes and follow-ups are messages, never tickets, so they are never counted. The ticket's
judgement, intent and sentiment are its current ones (an advocate's correction replaces the desk's); a ticket not
judged yet counts with "" for each (shown as "Not judged").

The rollup is rebuilt for a day whenever a ticket of that day changes a column the rule reads (requested_at,
channel, judgement, intent, sentiment, merged_into: metrics.rollups' ticket triggers). A private message added
later with a platform time before its ticket's first mention would not mark the day; the ingest never makes one
(a private item only ever joins an existing ticket, intake.pipeline.thread).

**A term** is a word of the ticket's subject (the post's title, else its text's first line): the subject with
ASCII letters lowered, cut at every character that is not a-z or 0-9; a word of 4 to 32 characters, not only
digits and not a common English word (STOPWORDS). Each ticket counts once per term. PostgreSQL and Python cut the
same way (`translate` and `regexp_split_to_table` there, `str.translate` and `re.split` here).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from mentions.models import Message, Ticket
from metrics.community.rollup import CUT, LOWER, PRIVATE, STOPWORDS, TERM_MAX, TERM_MIN
from metrics.periods import day_bounds
from metrics.product_scope import tickets_narrowed


def subject_terms(subject: str) -> set[str]:
    """The terms of a subject, as TERMS_SQL cuts them."""
    return {
        word
        for word in CUT.split(subject.translate(LOWER))
        if TERM_MIN <= len(word) <= TERM_MAX and not word.isdigit() and word not in STOPWORDS
    }


def counted_tickets() -> QuerySet[Ticket]:
    """Every ticket the rule counts (all time)."""
    private_first = Message.objects.filter(
        ticket_id=OuterRef("pk"), kind=PRIVATE, platform_created_at__lte=OuterRef("requested_at")
    )
    return Ticket.objects.filter(merged_into__isnull=True).exclude(Exists(private_first))


def counted_requested(*, start: date, end: date, channel_id: int | None = None) -> QuerySet[Ticket]:
    """The counted tickets requested in [start, end] (UTC days), of one channel when given, of the read's product
    when narrowed (metrics.product_scope)."""
    since, until = day_bounds(start, end)
    qs = tickets_narrowed(counted_tickets()).filter(requested_at__gte=since, requested_at__lt=until)
    return qs if channel_id is None else qs.filter(channel_id=channel_id)
