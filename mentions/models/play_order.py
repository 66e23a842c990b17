"""Play's order (which waiting ticket an advocate gets next), defined once: the claim's ORDER BY
(mentions.selectors.view_order) and the partial index it walks (Ticket.Meta.indexes) are both built from these
tuples, so the claim takes the index's first unlocked row instead of sorting the view, and the two cannot drift
apart (until issue 59 they were written twice, kept equal by query-plan tests alone). This module imports no
model: the model that defines the indexes imports it.

Oldest first: the requested time, then the id (ticket_waiting_idx, ticket_waiting_high_idx).

Deadline first (ticket_waiting_deadline_idx): urgent tickets, then those whose first-reply or next-reply clock runs,
then the rest (follow-ups on answered tickets with no clock); by the due time (the next reply's when that clock
runs, else the first reply's: both kinds sort together by it); at the same due time the desk's judgement (needs a
response, not judged yet: it may need one, worth knowing, noise), then the requester at the higher level of the
contributor journey, then the one with the larger audience; then oldest first. The judgement orders only this
order: on an oldest-first view it would change which ticket waits longest, which is that order's promise. Every
key is a column of the ticket itself (judgement, requester_level, requester_audience are kept there by the
ingest), never a join, since an index holds one table's columns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, OrderBy, Q, Value, When
from django.db.models.functions import Coalesce

from mentions.models.judgement import Judgement

PLAY_OLDEST: tuple[str, ...] = ("requested_at", "id")

PLAY_DEADLINE: tuple[Any, ...] = (
    Case(
        When(priority="urgent", then=Value(0)),  # Ticket.Priority.URGENT, spelt out: its model imports this module
        When(Q(first_reply_at__isnull=True) | Q(next_reply_due_at__isnull=False), then=Value(1)),
        default=Value(2),
    ),
    # A ticket whose due time is not computed yet comes after those that have one: PostgreSQL's ascending index
    # order, which SQLite's ORDER BY would reverse without NULLS LAST.
    Coalesce("next_reply_due_at", "sla_due_at").asc(nulls_last=True),
    Case(
        When(judgement=Judgement.NEEDS_RESPONSE, then=Value(0)),
        When(judgement="", then=Value(1)),
        When(judgement=Judgement.WORTH_KNOWING, then=Value(2)),
        default=Value(3),
    ),
    # An unknown level or audience counts as none: COALESCE rather than NULLS LAST, which SQLite (the embedded
    # default) refuses in an index.
    Coalesce(F("requester_level"), Value(0)).desc(),
    Coalesce(F("requester_audience"), Value(0)).desc(),
    F("requested_at"),
    F("id"),
)


def index_keys(order: tuple[Any, ...]) -> tuple[Any, ...]:
    """`order` as an index's key expressions. An ascending key with NULLS LAST is the bare expression: that is how a
    PostgreSQL B-tree stores an ascending key, and SQLite refuses NULLS LAST in an index."""
    return tuple(
        key.expression if isinstance(key, OrderBy) and not key.descending and key.nulls_last else key for key in order
    )
