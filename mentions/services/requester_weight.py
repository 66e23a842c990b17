"""The requester's weight (Ticket.requester_audience) and level (Ticket.requester_level) kept on their tickets,
which Play's deadline order reads from the ticket's own index. The ingest sets both on each new ticket; when a
lookup learns a person's weight later (their karma, people.karma) or their level changes (people.journey), their
tickets still open take the new figure here. A denormalised column, not the
ticket's state: no lock, no history, no version (nothing an advocate's page shows changes)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection

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


def requester_levels_refresh(levels: Mapping[int, int | None]) -> int:
    """{ticket id: its requester's level order}: those still open whose level differs take it (people.journey,
    when a person's level changes). One statement (PostgreSQL: the pairs as two arrays; elsewhere one per level)."""
    if not levels:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE mentions_ticket t SET requester_level = v.level "
                "FROM unnest(%s::bigint[], %s::smallint[]) AS v(id, level) "
                "WHERE t.id = v.id AND t.status <> %s AND t.requester_level IS DISTINCT FROM v.level",
                [list(levels), list(levels.values()), Ticket.Status.SOLVED],
            )
            return cursor.rowcount
    by_level: dict[int | None, list[int]] = {}
    for ticket_id, level in levels.items():
        by_level.setdefault(level, []).append(ticket_id)
    changed = 0
    for level, ticket_ids in by_level.items():
        changed += (
            Ticket.objects.filter(pk__in=ticket_ids)
            .exclude(status=Ticket.Status.SOLVED)
            .exclude(requester_level=level)
            .update(requester_level=level)
        )
    return changed
