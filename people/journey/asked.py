"""Each new ticket is its requester's "asked" activity, recorded in a worker after the ingest committed (registered
as intake's AfterIngestHook, which every ingested page already enqueues with its tickets), not inside the ingest's
transaction: the activity rows and the people's points cost a page about 26 ms there, an eighth of the ingest's
time (bench/README.md, issue 46). The rows are inserted once (their source is the ticket), so a page read again, or
the hook run twice, counts nothing more; the points and a level crossed move with them (people.journey.record).
The ticket's requester level as the ingest set it is the person's before that page; a person moving up here has
their open tickets, these included, take the new level (people.levels_refresh)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from mentions.models.tickets import ticket_path
from people.journey.models import ActivityKind
from people.journey.record import ActivityRow, activities_add, ticket_source
from people.models import Requester

_MARK = 9_081_726_354  # a ticket number no desk reaches, replaced in its address


def asked_rows(ticket_ids: list[int]) -> list[ActivityRow]:
    """The tickets' "asked" activities: their requesters' people, when they asked, the ticket's address."""
    head, tail = ticket_path(_MARK).split(str(_MARK))  # the ticket's address, reversed once for the batch
    found = Requester.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id", "identity__person_id", "ticket__requested_at"
    )
    return [
        (person, ActivityKind.ASKED, at, f"{head}{ticket}{tail}", ticket_source(ticket)) for ticket, person, at in found
    ]


def journey_after_ingest(*, ticket_ids: list[int], now: datetime | None, coverage: Any) -> dict[str, int]:
    with transaction.atomic():
        moved = activities_add(asked_rows(ticket_ids))
    return {"journey_people_moved": len(moved)} if moved else {}
