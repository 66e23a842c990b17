"""What this desk's own history says each mention was (issue 56): the labels the desk's model learns from.

- an advocate's correction (`judged_by="advocate"`): the judgement they set, weighed most;
- a ticket the team replied to (`first_reply_at`): needs a response;
- a ticket solved without a reply: noise when the desk had judged it noise and nobody reopened it, worth knowing
  otherwise (an advocate read it and moved on).
Merged tickets, tickets still open and tickets without a stored meaning vector teach nothing. Newest first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from mentions.models import JudgedBy, Judgement, Ticket, TicketMeaning

WEIGHT_CORRECTED = 5.0
WEIGHT_HISTORY = 2.0
WEIGHT_SHIPPED = 1.0


@dataclass(frozen=True)
class Label:
    ticket_id: int
    judgement: str
    weight: float
    how: str  # "corrected", "answered", "solved" (without a reply)


def desk_labels(*, limit: int, embedding_model: str, where: Q | None = None) -> list[Label]:
    """Up to `limit` labelled tickets, newest first; `where`: of one product (judgement.product.JudgedProducts.scope),
    so a product learns from its own tickets only."""
    with_vector = TicketMeaning.objects.filter(model=embedding_model).values("ticket_id")
    rows = (
        Ticket.objects.filter(where or Q(), merged_into__isnull=True, pk__in=with_vector)
        .filter(
            Q(judged_by=JudgedBy.ADVOCATE)
            | Q(first_reply_at__isnull=False)
            | Q(status=Ticket.Status.SOLVED, first_reply_at__isnull=True)
        )
        .exclude(judged_by=JudgedBy.ADVOCATE, judgement="")
        .order_by("-id")
        .values_list("pk", "judged_by", "judgement", "first_reply_at", "status")[:limit]
    )
    labels = []
    for pk, judged_by, judgement, replied_at, status in rows:
        if judged_by == JudgedBy.ADVOCATE:
            labels.append(Label(pk, judgement, WEIGHT_CORRECTED, "corrected"))
        elif replied_at is not None:
            labels.append(Label(pk, Judgement.NEEDS_RESPONSE, WEIGHT_HISTORY, "answered"))
        elif status == Ticket.Status.SOLVED:
            said = Judgement.NOISE if judgement == Judgement.NOISE else Judgement.WORTH_KNOWING
            labels.append(Label(pk, said, WEIGHT_HISTORY, "solved"))
    return labels
