"""An advocate's correction of a judgement: stored on the ticket (`judged_by="advocate"`, never overwritten by
the desk afterwards), recorded in its history, and taught: the ticket's meaning vector joins the examples the
next mentions are compared with (mentions.judgement.examples), in every worker from its next batch on.

No embedding here (this runs in a web process): the corrected ticket's vector was stored when the desk judged
it; one corrected before that gets its vector from the next judgement run (`corrections_embed`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advocacy.versioned import version_bump
from mentions.models import Intent, JudgedBy, Judgement, Ticket, TicketEvent, TicketMeaning
from mentions.services.events import ensure_can_act, event_record
from mentions.services.versions import ticket_lock

CORRECTIONS_VERSION = "judgement:corrections:version"
REASON_CHARS = 200


def judgement_corrected() -> None:
    """The advocates' corrections changed: every worker reads them again (now, and once this transaction
    commits)."""
    version_bump(CORRECTIONS_VERSION)


def ticket_judgement_correct(
    *,
    ticket: Ticket | int,
    user: Any,
    judgement: str,
    intent: str = "",
    reason: str = "",
    seen_version: int | None = None,
) -> bool:
    """Set the ticket's judgement (and intent) as the advocate says. True if anything changed."""
    if judgement not in Judgement.values:
        raise ValidationError(f"Unknown judgement {judgement!r}.")
    if intent and intent not in Intent.values:
        raise ValidationError(f"Unknown intent {intent!r}.")
    with transaction.atomic():
        locked = ticket_lock(ticket, seen_version=seen_version, related=())
        ensure_can_act(ticket=locked, user=user)
        intent = intent or (locked.intent if judgement != Judgement.NOISE else Intent.OTHER) or Intent.OTHER
        said = (reason or "Corrected by an advocate").strip()[:REASON_CHARS]
        if locked.judged_by == JudgedBy.ADVOCATE and (locked.judgement, locked.intent) == (judgement, intent):
            return False
        before = {"judgement": locked.judgement, "intent": locked.intent, "by": locked.judged_by}
        locked.judgement, locked.intent, locked.judgement_reason = judgement, intent, said
        locked.judged_by, locked.judged_at = JudgedBy.ADVOCATE, timezone.now()
        locked.save(update_fields=["judgement", "intent", "judgement_reason", "judged_by", "judged_at", "updated_at"])
        event_record(
            ticket=locked,
            kind=TicketEvent.Kind.JUDGEMENT,
            actor=user,
            **{"from": before, "to": {"judgement": judgement, "intent": intent}},
        )
        judgement_corrected()
    return True


def corrections_unembedded(limit: int = 200) -> list[int]:
    """Corrected tickets whose meaning was never computed (corrected before the desk judged them)."""
    has_vector = TicketMeaning.objects.values("ticket_id")
    return list(
        Ticket.objects.filter(judged_by=JudgedBy.ADVOCATE)
        .exclude(pk__in=has_vector)
        .order_by("-id")
        .values_list("pk", flat=True)[:limit]
    )
