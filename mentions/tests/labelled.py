"""Tickets labelled as the desk's history labels them (mentions.judgement.labels: answered, solved without a reply,
corrected), after the desk judged them as the worker's task stores judgements: the ground truth the judgement's
measured precision (mentions.services.judgement_precision) is read from."""

import numpy as np
from django.utils import timezone

from advocacy import embeddings
from mentions.models import JudgedBy, Ticket, TicketMeaning
from mentions.services.judgement import judgement_correct
from mentions.tests.factories import AdvocateFactory, TicketFactory


def labelled(desk: str, how: str, n: int = 1, *, vector: bool = True) -> list[Ticket]:
    """`n` tickets the desk judged `desk`, then labelled by what happened: "answered" (the team replied), "solved"
    (without a reply), "corrected:<judgement>" (an advocate's correction), "" (still waiting: no label)."""
    made = []
    now = timezone.now()
    for _ in range(n):
        ticket = TicketFactory()
        fields = {"judgement": desk, "judged_by": JudgedBy.DESK if desk else "", "judged_at": now}
        if how == "answered":
            fields.update(first_reply_at=now, status=Ticket.Status.SOLVED, solved_at=now)
        elif how == "solved":
            fields.update(status=Ticket.Status.SOLVED, solved_at=now)
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        ticket.refresh_from_db()
        if vector:  # the labels are those with a stored meaning (what the model learns from)
            TicketMeaning.objects.create(
                ticket=ticket, model=embeddings.model_name(), vector=np.ones(8, np.float16).tobytes()
            )
        if how.startswith("corrected:"):
            judgement_correct(ticket, how.split(":", 1)[1], AdvocateFactory())
        made.append(ticket)
    return made
