"""The full recount of points and levels: when an admin changes a weight or a level (every person), after a
merge or a split (the two people), and by `manage.py journey_recompute`. Never at ingest, which moves points
by what it inserted (people.journey.record). Two statements whatever the number of people, then the open
tickets of the people whose level changed take it (Ticket.requester_level). A recount recognises nobody: a
change of the scale is not anyone's progress, and would fill the managers' list at once."""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection, transaction

from mentions.models import Ticket
from mentions.services.requester_weight import requester_levels_refresh
from people.models import Person, Requester

_POINTS_SQL = """UPDATE people_person SET points = COALESCE((SELECT sum(w.points) FROM people_activity a
JOIN people_activityweight w ON w.kind = a.kind WHERE a.person_id = people_person.id), 0)"""
_LEVEL_SQL = """UPDATE people_person SET level_id = (SELECT l.id FROM people_level l
WHERE l.threshold <= people_person.points ORDER BY l.threshold DESC LIMIT 1)"""


def journey_recompute(person_ids: Collection[int] | None = None) -> int:
    """Recount the points and levels of `person_ids`, or of everyone; returns the people whose level changed."""
    if person_ids is not None and not person_ids:
        return 0
    with transaction.atomic():
        people = Person.objects.all() if person_ids is None else Person.objects.filter(pk__in=list(person_ids))
        before = dict(people.values_list("pk", "level_id"))
        where, params = _where(person_ids)
        with connection.cursor() as cursor:
            if person_ids is None and connection.vendor == "postgresql":
                cursor.execute(
                    "LOCK TABLE people_person IN SHARE ROW EXCLUSIVE MODE"
                )  # no ingest moves points meanwhile
            cursor.execute(_POINTS_SQL + where, params)
            cursor.execute(_LEVEL_SQL + where, params)
        after = dict(people.values_list("pk", "level_id"))
        changed = [pk for pk, level in after.items() if before.get(pk) != level]
        open_tickets_level(changed)
    return len(changed)


def _where(person_ids: Collection[int] | None) -> tuple[str, list]:
    if person_ids is None:
        return "", []
    if connection.vendor == "postgresql":  # the ids as one array parameter
        return " WHERE id = ANY(%s)", [list(person_ids)]
    return f" WHERE id IN ({', '.join(['%s'] * len(person_ids))})", list(person_ids)


def open_tickets_level(person_ids: Collection[int]) -> None:
    """The open tickets of `person_ids` take their person's level (Ticket.requester_level)."""
    if not person_ids:
        return
    levels = dict(
        Requester.objects.filter(identity__person_id__in=list(person_ids))
        .exclude(ticket__status=Ticket.Status.SOLVED)
        .values_list("ticket_id", "identity__person__level__order")
    )
    requester_levels_refresh(levels)
