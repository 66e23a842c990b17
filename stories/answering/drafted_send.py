"""One drafted reply sent through the desk's reply path, its outcome in words: what a story's answers and an
issue's follow-ups both do for each of their rows (stories.answering.sending, stories.issues.sending), which keep
the outcome on their own rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mentions.models import Ticket
from mentions.services.replies import ticket_send_reply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "skipped" (the advocate may not act on the ticket) or "failed"
    link: str = ""
    error: str = ""


def drafted_reply_send(row: Any, user: Any, *, what: str) -> Outcome:
    """Post the row's drafted `body` from its `handle` on its ticket's thread and solve it; its `send_key` makes a
    second run answer with the first one's outcome, never a second post. `what` names the row in the log."""
    try:
        message = ticket_send_reply(
            ticket=Ticket(pk=row.ticket_id),
            user=user,
            body=row.body,
            handle=row.handle,
            key=row.send_key,
            status=Ticket.Status.SOLVED,
        )
    except PermissionDenied as exc:
        return Outcome("skipped", error=str(exc) or "You cannot act on this ticket.")
    except ValidationError as exc:  # refused by the platform or the desk, or the outcome unknown: in words
        return Outcome("failed", error=" ".join(exc.messages) or "The reply was refused.")
    except Exception:
        logger.exception("%s failed unexpectedly", what)
        return Outcome("failed", error="The desk failed while sending: check the platform.")
    return Outcome("sent", link=message.permalink)


def drafted_finish(model: Any, pk: int, status: str, *, link: str = "", error: str = "") -> bool:
    """Write an outcome on a drafted row (a StoryReply, an IssueFollowUp) unless another run wrote it first (they
    write the same one: the key's); True when this run did. `model`: either's class (each has IN_FLIGHT)."""
    now = timezone.now()
    in_flight = model.objects.filter(pk=pk, status__in=model.IN_FLIGHT)
    return bool(in_flight.update(status=status, link=link[:1000], error=error[:500], sent_at=now, updated_at=now))
