"""What advocates did with the suggestions, for learning when nothing fits (answers.SuggestionFeedback): one outcome
per (ticket, suggested answer), with the suggestion's rank, score and features as stored when it was shown.

- inserted: Insert reply or Insert link (answers.services.answer_use);
- dismissed: the suggestion's "Doesn't fit" button (answers.views.answer_dismissed); it leaves the panel;
- ignored: a reply of ours was sent on the ticket while suggestions were stored for it and none was inserted: the
  top one shown is recorded (mentions' reply-sent hook, registered in answers.apps).

An advocate's own act wins: inserted or dismissed replace what was recorded before; ignored never replaces either.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from answers.models import StoredSuggestion, SuggestionFeedback

Outcome = SuggestionFeedback.Outcome


def _snapshot(ticket_id: int, answer_ticket_id: int) -> dict[str, Any]:
    row = (
        StoredSuggestion.objects.filter(ticket_id=ticket_id, answer_id=answer_ticket_id)
        .values("rank", "score", "fit", "features")
        .first()
    )
    return dict(row) if row else {"rank": None, "score": None, "fit": None, "features": {}}


def feedback_record(*, ticket_id: int, answer_ticket_id: int, outcome: str, user: Any = None) -> SuggestionFeedback:
    """Record (or replace) the outcome of the suggestion of `answer_ticket_id` on `ticket_id`."""
    values = {**_snapshot(ticket_id, answer_ticket_id), "outcome": outcome, "user": user}
    with transaction.atomic():
        row, _ = SuggestionFeedback.objects.update_or_create(
            ticket_id=ticket_id, answer_ticket_id=answer_ticket_id, defaults=values
        )
    return row


def feedback_reply_sent(*, ticket_id: int, user: Any = None) -> bool:
    """A reply of ours was sent on the ticket: when suggestions were stored for it and none was inserted, the top
    one still shown (not dismissed) is recorded ignored; when none was shown, the likeliest answer kept unshown is
    (the reply was written without it: it did not fit, as far as the desk can tell). Returns whether one was."""
    # One inserted: the suggestions served. One already recorded ignored: a later reply of ours in the same thread
    # says nothing new about the suggestions shown beside the first (the next one down was never the top shown).
    if SuggestionFeedback.objects.filter(ticket_id=ticket_id, outcome__in=[Outcome.INSERTED, Outcome.IGNORED]).exists():
        return False
    decided = SuggestionFeedback.objects.filter(ticket_id=ticket_id).values_list("answer_ticket_id", flat=True)
    top = (
        StoredSuggestion.objects.filter(ticket_id=ticket_id, answer__isnull=False)
        .exclude(answer_id__in=decided)
        .order_by("rank")
        .values("answer_id", "rank", "score", "fit", "features")
        .first()
    )
    if top is None:
        return False
    snapshot = {k: top[k] for k in ("rank", "score", "fit", "features")}
    _, made = SuggestionFeedback.objects.get_or_create(
        ticket_id=ticket_id,
        answer_ticket_id=top["answer_id"],
        defaults={**snapshot, "outcome": Outcome.IGNORED, "user": user},
    )
    return made
