"""Suggestions computed once, in the worker, and stored on the ticket: the ticket page and the API read these rows
(one query) and never search while a person waits.

When they are computed (docs/answers.md, "Stored suggestions"):
- a ticket arrives: intake's after-ingest hook queues `answers.suggest` on the meaning queue (the worker that
  stores the ticket's meaning vector), which reads or makes the vector and stores the suggestions;
- a ticket shown with nothing stored yet (an old ticket, a worker that was down): the panel says it is looking and
  queues the same task, once a minute at most per ticket;
- the index changed materially: its generation is bumped and beat's `answers.suggestions_refresh` computes again,
  newest first and a batch a run, the open tickets whose rows are of an older generation.

"Materially": MATERIAL_SHARE of the answers (at least MATERIAL_MIN) added since the last bump. An answer that
leaves (its reply deleted on the platform, a person erased, merged or spam) takes its stored rows with it at once,
and only the tickets that had it are computed again (their marker set to generation 0), not every ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from advocacy.enqueue import task_enqueue_on_commit
from advocacy.prepared import Prepared
from answers.fit.label import fit_label
from answers.models import Answer, StoredSuggestion, SuggestionFeedback, SuggestionsState, Term
from answers.suggestions.earlier import EarlierAnswer
from mentions.models import Message, Ticket

if TYPE_CHECKING:
    from answers.suggestions.ranking import Suggestion

log = logging.getLogger(__name__)

SUGGEST_TASK = "answers.suggest"
MATERIAL_SHARE = 0.02  # of the answers indexed: this many new ones can change what fits a ticket
MATERIAL_MIN = 50  # ...and at least this many (a small desk's every few answers are no material change)
REFRESH_BATCH = 200  # tickets a refresh run computes (~0.1 s each on the meaning process at 1M tickets)
REFRESH_DAYS = 14  # open tickets older than this are computed when shown, not by the refresh
QUEUED_SECONDS = 60  # a ticket shown with nothing stored is queued at most this often
OPEN = (Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING)


@dataclass
class Shown(EarlierAnswer):
    """A stored suggestion as the panel and the API show it (the attributes of
    answers.suggestions.ranking.Suggestion)."""

    answer: Answer
    rank: int
    score: float
    fit: float | None
    why: list[str]

    @property
    def fit_label(self) -> str:
        """How sure the desk is, in words ("likely fits", "may fit"); none for a row stored without P(fit)."""
        return "" if self.fit is None else fit_label(self.fit)


def generation_current() -> int:
    state = SuggestionsState.objects.filter(pk=1).values_list("generation", flat=True).first()
    return state or 1


def generation_added(added: int) -> bool:
    """After an index run added `added` answers: bump the generation when the answers added since the last bump
    are a material share of the index. Returns whether it was bumped."""
    if added <= 0:
        return False
    with transaction.atomic():
        state, _ = SuggestionsState.objects.select_for_update().get_or_create(pk=1)
        state.added_since += added
        # The answers' count as the stems' counts keep it (the empty term's row): no count(*) of the index.
        total = Term.objects.filter(term="").values_list("df", flat=True).first() or 0
        bumped = state.added_since >= max(MATERIAL_MIN, MATERIAL_SHARE * total)
        if bumped:
            state.generation += 1
            state.added_since = 0
            state.bumped_at = timezone.now()
        state.save()
    if bumped:
        log.info("answers: %d answers added, the stored suggestions' generation is now %d", added, state.generation)
    return bumped


def suggestion_row(
    ticket_id: int, suggestion: Suggestion, rank: int, generation: int, now: datetime
) -> StoredSuggestion:
    """The stored row of one computed suggestion: the one place that reads its ranking's fields."""
    fit = suggestion.fit
    return StoredSuggestion(
        ticket_id=ticket_id,
        answer_id=suggestion.ticket_id,
        rank=rank,
        score=float(suggestion.score),
        fit=None if fit is None else float(fit),
        features={str(k): float(v) for k, v in suggestion.features.items()},
        why=list(suggestion.why),
        generation=generation,
        computed_at=now,
    )


def _marker(ticket_id: int, generation: int, now: datetime) -> StoredSuggestion:
    return StoredSuggestion(ticket_id=ticket_id, rank=0, generation=generation, computed_at=now)


def suggestions_store(ticket_ids: Iterable[int], *, vectors: bool = True, force: bool = False) -> int:
    """Compute and store the suggestions of these tickets (their rows replaced); tickets already stored at the
    current generation are left as they are unless `force`, so the task is idempotent. `vectors`: read or make
    the tickets' meaning vectors first (the meaning process; the bench measures the suggestions alone). Returns
    how many tickets were computed."""
    from answers.suggestions.ranking import ticket_ranked  # numpy and the ranking, in the worker only

    ticket_ids = list(ticket_ids)
    generation = generation_current()
    current = StoredSuggestion.objects.filter(rank=0, generation__gte=generation, ticket_id__in=ticket_ids)
    done = set() if force else set(current.values_list("ticket_id", flat=True))
    tickets = list(Ticket.objects.filter(pk__in=[i for i in ticket_ids if i not in done]).order_by("-pk"))
    if not tickets:
        return 0
    if vectors:
        from mentions.meaning import ticket_vectors

        ticket_vectors([t.pk for t in tickets])
    for ticket in tickets:
        _store(ticket.pk, *ticket_ranked(ticket), generation)
    return len(tickets)


def _store(ticket_id: int, suggestions: list[Suggestion], unshown: Suggestion | None, generation: int) -> None:
    now = timezone.now()
    rows = [_marker(ticket_id, generation, now)]
    with transaction.atomic():
        # The answers are locked until the rows are in: one deleted meanwhile (or whose reply was) is not stored.
        ids = [s.ticket_id for s in suggestions] + ([unshown.ticket_id] if unshown else [])
        alive = set(
            Answer.objects.filter(pk__in=ids)
            .exclude(_gone("ticket_id", "indexed_at"))
            .select_for_update()
            .values_list("pk", flat=True)
        )
        shown = [s for s in suggestions if s.ticket_id in alive]
        rows += [suggestion_row(ticket_id, s, rank, generation, now) for rank, s in enumerate(shown, start=1)]
        if unshown is not None and unshown.ticket_id in alive:  # nothing shown: the likeliest kept, unshown
            hidden = suggestion_row(ticket_id, unshown, 1, generation, now)
            hidden.shown = False
            rows.append(hidden)
        StoredSuggestion.objects.filter(ticket_id=ticket_id).delete()
        StoredSuggestion.objects.bulk_create(rows)


def _gone(ticket: str, indexed_at: str) -> Exists:
    """A reply of ours on the answer's ticket deleted from the platform after the answer was indexed (as
    answers.index.rows.reply_gone, from any model pointing at the answer)."""
    return Exists(
        Message.objects.filter(
            ticket_id=OuterRef(ticket), kind=Message.Kind.OUR_REPLY, deleted_at__gte=OuterRef(indexed_at)
        )
    )


def stale_ids(*, limit: int = REFRESH_BATCH) -> list[int]:
    """The open tickets of the last REFRESH_DAYS whose stored suggestions are older than the generation, or that
    have none, newest first."""
    generation = generation_current()
    fresh = StoredSuggestion.objects.filter(ticket_id=OuterRef("pk"), rank=0, generation__gte=generation)
    since = timezone.now() - timedelta(days=REFRESH_DAYS)
    rows = Ticket.objects.filter(status__in=OPEN, created_at__gte=since, merged_into__isnull=True)
    return list(rows.exclude(Exists(fresh)).order_by("-pk").values_list("pk", flat=True)[:limit])


def suggestions_refresh(*, limit: int = REFRESH_BATCH) -> int:
    """Beat's run: the stale open tickets computed again, a batch a run (idempotent)."""
    ids = stale_ids(limit=limit)
    return suggestions_store(ids) if ids else 0


def _stored_rows(ticket_id: int) -> QuerySet[StoredSuggestion]:
    dismissed = SuggestionFeedback.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        answer_ticket_id=OuterRef("answer_id"),
        outcome=SuggestionFeedback.Outcome.DISMISSED,
    )
    return (
        StoredSuggestion.objects.filter(ticket_id=ticket_id, shown=True)
        .annotate(gone=_gone("answer_id", "answer__indexed_at"), dismissed=Exists(dismissed))
        .select_related("answer", "answer__answered_by")
        .order_by("rank")
    )


# Compiled once per process (advocacy.prepared): every ticket page reads it, and compiling it (two subqueries, two
# joins) cost more than running it.
_STORED_ROWS = Prepared(_stored_rows, int)


def stored_read(ticket: Ticket) -> list[Shown] | None:
    """The ticket's stored suggestions, best first, in one query with the answers' fields the panel shows;
    None when none were computed yet. Leaves out those dismissed on this ticket and an answer whose reply was
    deleted since it was stored (those rows are dropped here too)."""
    rows: list[Any] = _STORED_ROWS.all(ticket.pk)  # with their annotations, `gone` and `dismissed`
    if not rows:
        return None
    gone = [r.pk for r in rows if r.gone]
    if gone:
        StoredSuggestion.objects.filter(pk__in=gone).delete()
    return [
        Shown(answer=r.answer, rank=r.rank, score=r.score, fit=r.fit, why=list(r.why))
        for r in rows
        if r.answer is not None and not r.gone and not r.dismissed
    ]


def suggest_queue(ticket_id: int) -> bool:
    """Queue the ticket's computation for the worker (a ticket shown with nothing stored), once a minute at most."""
    if not cache.add(f"answers:suggest-queued:{ticket_id}", 1, QUEUED_SECONDS):
        return False
    task_enqueue_on_commit(SUGGEST_TASK, [ticket_id])
    return True


def stored_drop_replies_gone(*, ticket_ids: list[int]) -> int:
    """A reply of ours deleted on these tickets: the stored rows offering their answers dropped at once."""
    gone = Answer.objects.filter(pk__in=list(ticket_ids)).filter(_gone("ticket_id", "indexed_at"))
    return StoredSuggestion.objects.offering_drop(gone.values_list("pk", flat=True))


def suggestions_after_ingest(*, ticket_ids: list[int], now: datetime | None, coverage: object) -> dict[str, int]:
    """intake's after-ingest hook (in the worker, on the meaning queue): the page's tickets' suggestions are
    computed in a task of their own, queued behind the judgement that stores their meaning vectors."""
    if ticket_ids:
        task_enqueue_on_commit(SUGGEST_TASK, list(ticket_ids))
    return {"suggestions_queued": len(ticket_ids)}


def suggestions_after_move(*, ticket_id: int) -> None:
    """mentions' product-moved hook (issue 71): the ticket's answers were ranked with its old product's first, so
    they are computed again (its marker at generation 0, for the refresh should the task be lost)."""
    StoredSuggestion.objects.filter(ticket_id=ticket_id, rank=0).update(generation=0)
    task_enqueue_on_commit(SUGGEST_TASK, [ticket_id])


def stored_state(ticket: Ticket) -> dict[str, Any]:
    """The panel's context: the stored suggestions, or "looking" (queued) when none are stored yet."""
    shown = stored_read(ticket)
    if shown is None:
        suggest_queue(ticket.pk)
        return {"suggestions": [], "suggestions_looking": True}
    return {"suggestions": shown, "suggestions_looking": False}
