"""The requester's weight kept on their tickets (Ticket.requester_audience), which Play's deadline order reads
from the ticket's own index. The ingest sets it on each new ticket; when a lookup learns a person's weight later
(their karma, people.karma), their tickets still open take the new figure here. A denormalised column, not the
ticket's state: no lock, no history, no version (nothing an advocate's page shows changes)."""

from __future__ import annotations

from mentions.models import Ticket


def requester_audience_refresh(*, ticket_ids: list[int], audience: int | None) -> int:
    """Set `audience` on those of `ticket_ids` still open whose figure differs: the rows changed."""
    if not ticket_ids:
        return 0
    return (
        Ticket.objects.filter(pk__in=ticket_ids)
        .exclude(status=Ticket.Status.SOLVED)
        .exclude(requester_audience=audience)
        .update(requester_audience=audience)
    )
