"""Play's order (which waiting ticket an advocate gets next), defined once: the claim's ORDER BY
(mentions.selectors.view_order) and the partial index it walks (Ticket.Meta.indexes) are both built from these
tuples, so the claim takes the index's first unlocked row instead of sorting the view, and the two cannot drift
apart (until issue 59 they were written twice, kept equal by query-plan tests alone). This module imports no
model: the model that defines the indexes imports it.

Both orders start with the same key, HELD_BACK_KEY: a ticket held back as sure noise (judged noise by an advocate,
or by the desk at least NOISE_HELD_AT sure) comes after every other ticket of the view (issue 68). Such tickets wait
in the Noise view to be solved in bulk; nothing else hides them (search and the ticket list find them, rules solve
them as before).

Oldest first: the longest wait first among what is not held back as sure noise, then the held-back noise the same
way: the requested time, then the id (ticket_waiting_idx, ticket_waiting_high_idx).

Deadline first (ticket_waiting_deadline_idx): after the held-back key, urgent tickets, then those whose first-reply
or next-reply clock runs, then the rest (follow-ups on answered tickets with no clock); by the due time (the next
reply's when that clock runs, else the first reply's: both kinds sort together by it); at the same due time the
desk's judgement (needs a response, not judged yet: it may need one, worth knowing, noise), then the requester at
the higher level of the contributor journey, then the one with the larger audience; then oldest first. The
judgement's rank orders only this order: on an oldest-first view it would change which ticket waits longest, which
is that order's promise (the held-back key is not a rank: it sets aside what the desk is sure needs nothing). Every
key is a column of the ticket itself (judgement, judged_by, judgement_confidence, requester_level,
requester_audience are kept there), never a join, since an index holds one table's columns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, OrderBy, Q, Value, When
from django.db.models.functions import Coalesce

from mentions.models.judgement import JudgedBy, Judgement

# How sure the desk must be that a mention is noise to serve it after everything else (issue 68's line). Held back,
# a mention waits until nothing else in its view does, so only noise the desk is this sure of is set aside: being
# wrong there answers late someone who needed an answer. Noise between DESK_JUDGEMENT_UNSURE_BELOW (0.6) and this
# line keeps its place in the order; an advocate's word is always held back. A constant, not a setting: the partial
# indexes hold it, so changing it is a migration (makemigrations writes it), never a restart that leaves the claim
# without its index.
NOISE_HELD_AT = 0.9

# Held back as sure noise: the ticket's own columns, so the index can hold it. A confidence the desk did not measure
# (NULL, judged before it did) is not sure: NULL >= 0.9 is not true.
HELD_BACK = Q(judgement=Judgement.NOISE) & (Q(judged_by=JudgedBy.ADVOCATE) | Q(judgement_confidence__gte=NOISE_HELD_AT))
HELD_BACK_KEY = Case(When(HELD_BACK, then=Value(1)), default=Value(0))


def held_back(judgement: str, judged_by: str, confidence: float | None) -> bool:
    """HELD_BACK of a ticket in memory (the claim's floor, the pages' wording)."""
    if judgement != Judgement.NOISE:
        return False
    return judged_by == JudgedBy.ADVOCATE or (confidence is not None and confidence >= NOISE_HELD_AT)


PLAY_OLDEST: tuple[Any, ...] = (HELD_BACK_KEY, F("requested_at"), F("id"))

PLAY_DEADLINE: tuple[Any, ...] = (
    HELD_BACK_KEY,
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
