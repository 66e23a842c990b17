"""What the judgement learns from advocates' corrections (the correction itself: mentions.services.judgement): a
corrected ticket's meaning vector joins the examples the next mentions are compared with
(mentions.judgement.examples), in every worker from its next batch on. A ticket corrected before the desk judged
it gets its vector from the next judgement run (`corrections_unembedded`)."""

from __future__ import annotations

from advocacy.versioned import version_bump
from mentions.models import JudgedBy, Ticket, TicketMeaning
from mentions.services.judgement import CORRECTIONS_VERSION_KEY

# One key for the correction (mentions.services.judgement, which bumps it) and the examples that read it.
CORRECTIONS_VERSION = CORRECTIONS_VERSION_KEY


def judgement_corrected() -> None:
    """The advocates' corrections changed: every worker reads them again (now, and once this transaction
    commits)."""
    version_bump(CORRECTIONS_VERSION)


def corrections_unembedded(limit: int = 200) -> list[int]:
    """Corrected tickets whose meaning was never computed (corrected before the desk judged them)."""
    has_vector = TicketMeaning.objects.values("ticket_id")
    return list(
        Ticket.objects.filter(judged_by=JudgedBy.ADVOCATE)
        .exclude(pk__in=has_vector)
        .order_by("-id")
        .values_list("pk", flat=True)[:limit]
    )
