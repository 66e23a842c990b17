"""The requester card beside every ticket (people.ticket_panel): who opened it, their identities with what they
wrote, their tags and their other tickets, and who opened it for the discount code panel (people.views.codes),
read once for the page. Its reads are compiled once per process (advocacy.prepared): every ticket page makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min

from advocacy.prepared import Prepared
from mentions.models import Ticket
from mentions.ticket_page.panels import ticket_has
from people.models import Identity, Person, PersonTag, Requester
from people.selectors import TICKET_ROW

CARD_TICKETS = 10


@dataclass
class RequesterCard:
    """Who opened a ticket: `person` is None when the ticket is tied to nobody (an outbound post, or stored
    before people were kept), and the card shows the ticket's own requester fields."""

    person: Person | None
    identity: Identity | None = None
    identities: list[Identity] = field(default_factory=list)
    tags: list[PersonTag] = field(default_factory=list)
    first_seen_at: datetime | None = None
    other_tickets: list[Ticket] = field(default_factory=list)


def _opened_ids(person_id: int) -> list[int]:
    """The tickets `person_id` opened, their ids read first (through the requester's identity index), so the
    planner never walks every ticket newest first looking for theirs (45 ms at 1,000,000 tickets)."""
    return list(Requester.objects.filter(identity__person_id=person_id).values_list("ticket_id", flat=True))


_REQUESTER = "_people_requester"
# The requester card's reads, compiled once per process (advocacy.prepared): every ticket page makes them.
_REQUESTER_OF = Prepared(
    lambda ticket_id: Requester.objects.select_related("identity__person__level").filter(ticket_id=ticket_id)[:1], int
)
# A person's identities with what their authorship says (identities_seen's figures) in one grouped query.
_IDENTITIES_SEEN = Prepared(
    lambda person_id: (
        Identity.objects.filter(person_id=person_id)
        .annotate(
            authored_n=Count("authored"),
            authored_first=Min("authored__message__platform_created_at"),
            authored_last=Max("authored__message__platform_created_at"),
        )
        .order_by("platform", "key")
    ),
    int,
)
_PERSON_TAGS = Prepared(lambda person_id: PersonTag.objects.filter(people=person_id).order_by("name"), int)


def requester_of(ticket: Ticket) -> Requester | None:
    """Who opened `ticket` (its identity, their person and level), read once for the page: the requester card and
    the discount code panel both ask. None when it is tied to nobody (no query when the page's ticket was read
    with the panels' annotations and says so: mentions.ticket_page.panels)."""
    if not hasattr(ticket, _REQUESTER):
        found = _REQUESTER_OF.first(ticket.pk) if ticket_has(ticket, Requester) else None
        setattr(ticket, _REQUESTER, found)
    return getattr(ticket, _REQUESTER)


def requester_card(ticket: Ticket) -> RequesterCard:
    """The requester card beside `ticket`: four queries when the ticket has a requester (three on their first
    ticket), none when not."""
    requester = requester_of(ticket)
    if requester is None:
        return RequesterCard(person=None)
    person = requester.identity.person
    identities: list[Identity] = list(_IDENTITIES_SEEN.all(person.pk))
    for found in identities:
        annotated: Any = found  # the grouped figures under their own names, given as identities_seen gives them
        found.mentions, found.first_seen_at = annotated.authored_n, annotated.authored_first
        found.last_seen_at = annotated.authored_last
    seen = [i.first_seen_at for i in identities if i.first_seen_at is not None]
    # Their tickets' ids first (see _opened_ids); on their first ticket, the only one, nothing more is read.
    other_ids = [pk for pk in _opened_ids(person.pk) if pk != ticket.pk]
    others = (
        Ticket.objects.filter(pk__in=other_ids)
        .select_related("channel")
        .only(*TICKET_ROW)
        .order_by("-requested_at", "-id")[:CARD_TICKETS]
    )
    return RequesterCard(
        person=person,
        identity=requester.identity,
        identities=identities,
        tags=_PERSON_TAGS.all(person.pk),
        first_seen_at=min(seen) if seen else None,
        other_tickets=list(others) if other_ids else [],
    )
