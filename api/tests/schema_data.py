"""A small desk for fuzzing the API against its schema (not a test module): a manager with a read-write
token, an advocate to assign to, two channels (one with a dead letter), tickets with messages and history
(some with no assignee, no author user or no actor: the nullable fields), people who opened two of them (the
third has no person), a macro and a view. Used by
api/tests/test_schema.py (the short run in the suite) and bench/schemathesis_api.py (the long run)."""

from __future__ import annotations

from dataclasses import dataclass

from channels.models import DeadLetter
from channels.tests.factories import ChannelFactory
from mentions.models import Macro, Message, Ticket, TicketEvent, View
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory, ViewFactory
from people.models import Identity, Person, Requester


@dataclass(frozen=True)
class FuzzDesk:
    secret: str  # the manager's read-write token
    ticket_ids: list[int]


def fuzz_desk_create() -> FuzzDesk:
    from api.tokens import token_create

    manager = ManagerFactory(username="fuzz-manager")
    advocate = AdvocateFactory(username="ada")  # the name in AssignIn's example
    x, hn = ChannelFactory(name="Fuzz channel A"), ChannelFactory(name="Fuzz channel B")
    DeadLetter.objects.create(
        channel=hn, stage=DeadLetter.Stage.PARSE, fingerprint="0" * 64, error="bad item", payload="{}"
    )
    # The views the migrations seed keep their ids, and the test's reset_sequences would hand id 1 out again: when
    # this is the first transactional test of its process (nothing flushed them yet) the insert collided.
    View.objects.all().delete()
    ViewFactory(slug="all", name="All")
    Macro.objects.get_or_create(name="Expert responded")  # MacroIn's example (a handbook macro)
    tickets = [
        TicketFactory(channel=x),  # unassigned: assignee is null
        TicketFactory(channel=hn, assignee=advocate, status=Ticket.Status.OPEN),
        TicketFactory(channel=hn, assignee=manager, status=Ticket.Status.SOLVED),
    ]
    for ticket in tickets:
        MessageFactory(ticket=ticket)  # an inbound message: author_user is null
        TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.CREATED)  # a system event: actor is null
    for n, ticket in enumerate(tickets[:2]):
        person = Person.objects.create(name=f"Fuzz person {n}")
        identity = Identity.objects.create(person=person, platform="hackernews", key=f"fuzz{n}", handle=f"fuzz{n}")
        Requester.objects.create(ticket=ticket, identity=identity)
    MessageFactory(ticket=tickets[1], kind=Message.Kind.OUR_REPLY, author_user=advocate)
    TicketEvent.objects.create(ticket=tickets[1], kind=TicketEvent.Kind.NOTE, actor=advocate, data={"body": "n"})
    secret = token_create(user=manager, name="schemathesis", scope="write", days=1)[1]
    return FuzzDesk(secret=secret, ticket_ids=[t.pk for t in tickets])
