"""The worker's side of one answer to many (`stories.answer_send`): each queued draft of a story goes through the
desk's reply path, one ticket at a time, and its outcome is written on its StoryReply for the page to show.

A post goes through `ticket_send_reply` under the draft's own key, outside any transaction of ours (the platform
is asked with no lock held): a second run of the task, or two at once, asks with the same key and gets the first
one's outcome, so the platform is asked once per ticket. A ticket marked replied (a link given) is marked with
its draft's row locked, so that happens once too. First replies, history, status and assignment are those
services' own.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from mentions.models import Ticket
from mentions.services.actions import ticket_mark_replied
from stories.answering.drafted_send import drafted_finish, drafted_reply_send
from stories.models import StoryReply


def story_replies_send(*, story_id: int, user_id: int) -> dict[str, int]:
    """Send every queued draft of the story as the advocate who pressed Send. Returns {outcome: tickets}."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    ids = list(
        StoryReply.objects.filter(story_id=story_id, status__in=StoryReply.IN_FLIGHT)
        .order_by("ticket__requested_at", "pk")
        .values_list("pk", flat=True)
    )
    outcomes: Counter[str] = Counter()
    for pk in ids:
        outcomes[_one(pk, user)] += 1
    return dict(outcomes)


def _finish(pk: int, status: str, *, link: str = "", error: str = "") -> str:
    drafted_finish(StoryReply, pk, status, link=link, error=error)
    return status


def _words(exc: ValidationError) -> str:
    return " ".join(exc.messages) or "The reply was refused."


def _one(pk: int, user: Any) -> str:
    with transaction.atomic():
        row = StoryReply.objects.select_for_update().filter(pk=pk, status__in=StoryReply.IN_FLIGHT).first()
        if row is None:
            return "gone"  # done by another run, or moved out of the story
        if user is None:
            return _finish(pk, StoryReply.Status.FAILED, error="The advocate who sent it cannot sign in any more.")
        if not row.handle:
            return _mark(row, user)
        row.status = StoryReply.Status.SENDING
        row.save(update_fields=["status", "updated_at"])
    outcome = drafted_reply_send(row, user, what=f"stories: the reply of story reply {pk}")
    return _finish(pk, outcome.status, link=outcome.link, error=outcome.error)


def _mark(row: StoryReply, user: Any) -> str:
    """A reply the advocate made on the platform, given by its link: marked replied, in the row's transaction."""
    try:
        ticket_mark_replied(ticket=Ticket(pk=row.ticket_id), user=user, body=row.body, link=row.link)
    except PermissionDenied as exc:
        return _finish(row.pk, StoryReply.Status.SKIPPED, error=str(exc) or "You cannot act on this ticket.")
    except ValidationError as exc:
        return _finish(row.pk, StoryReply.Status.FAILED, error=_words(exc))
    return _finish(row.pk, StoryReply.Status.MARKED, link=row.link)
