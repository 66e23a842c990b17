"""The meaning vectors of tickets' first mentions: read when stored, computed and stored when not.

Called from the worker only (the judgement task, the story detector, the answers index), so the embedding model
(advocacy.embeddings) is loaded in the worker and never in a web process. A vector is made from the ticket's
subject and the text of its first inbound mention, the words a reader sees first."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from advocacy import embeddings
from mentions.models import Message, Ticket, TicketMeaning

TEXT_CHARS = 1000  # the model reads 128 tokens; more text only costs tokenising


def first_texts(ticket_ids: Iterable[int]) -> dict[int, str]:
    """Each ticket's subject and first inbound mention, joined, by ticket id (tickets without one are left out)."""
    ids = list(ticket_ids)
    subjects = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "subject"))
    texts: dict[int, str] = {}
    rows = (
        Message.objects.filter(ticket_id__in=ids, kind=Message.Kind.INBOUND)
        .order_by("ticket_id", "platform_created_at", "id")
        .values_list("ticket_id", "title", "body")
    )
    for ticket_id, title, body in rows:
        if ticket_id in texts or ticket_id is None:
            continue
        head = title or subjects.get(ticket_id, "")
        joined = f"{head}\n{body}" if head and head not in body else body
        texts[ticket_id] = joined[:TEXT_CHARS]
    return texts


def ticket_vectors(ticket_ids: Iterable[int], texts: dict[int, str] | None = None) -> dict[int, np.ndarray]:
    """The vector of each ticket, by id: stored ones read, missing ones (or another model's) embedded in one batch
    and stored. `texts` may carry texts the caller already read."""
    ids = list(ticket_ids)
    model = embeddings.embedder().model
    out: dict[int, np.ndarray] = {}
    stale: list[int] = []
    for ticket_id, made_by, vector in TicketMeaning.objects.filter(ticket_id__in=ids).values_list(
        "ticket_id", "model", "vector"
    ):
        if made_by == model:
            out[ticket_id] = embeddings.from_bytes(vector)
        else:
            stale.append(ticket_id)
    missing = [i for i in ids if i not in out]
    if not missing:
        return out
    known = texts if texts is not None else {}
    unread = [i for i in missing if i not in known]
    if unread:
        known = {**known, **first_texts(unread)}
    todo = [i for i in missing if i in known]
    if not todo:
        return out
    matrix = embeddings.embed([known[i] for i in todo])
    TicketMeaning.objects.filter(ticket_id__in=stale).delete()
    TicketMeaning.objects.bulk_create(
        [TicketMeaning(ticket_id=i, model=model, vector=embeddings.to_bytes(matrix[n])) for n, i in enumerate(todo)],
        ignore_conflicts=True,
    )
    for n, i in enumerate(todo):
        out[i] = matrix[n]
    return out
