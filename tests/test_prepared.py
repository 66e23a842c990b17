"""advocacy.prepared: a queryset compiled once answers what the plain queryset answers, for every call's values,
with its related rows and annotations; a value the SQL cannot take as a parameter runs the plain queryset."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from advocacy.prepared import Prepared
from mentions.models import Message, Ticket, TicketEvent
from mentions.selectors import ticket_detail
from mentions.tests.factories import MessageFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tickets(pk: int, status: str):
    newest = TicketEvent.objects.filter(ticket=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    return (
        Ticket.objects.select_related("channel", "assignee")
        .annotate(events_version=Subquery(newest), messages_n=Count("messages"))
        .filter(pk__gte=pk, status=status)
        .order_by("-pk")
    )


PREPARED = Prepared(_tickets, int, str)


def _seen(tickets: list[Any]) -> list[tuple]:  # Any: the annotations are not the model's attributes
    return [
        (t.pk, t.subject, t.status, t.channel.name, t.assignee and t.assignee.username, t.events_version, t.messages_n)
        for t in tickets
    ]


def test_every_call_answers_what_the_plain_queryset_answers():
    ada = UserFactory(username="ada")
    made = [TicketFactory(subject=f"T{n}", assignee=ada if n % 2 else None) for n in range(6)]
    for ticket in made[:3]:
        MessageFactory(ticket=ticket)
        MessageFactory(ticket=ticket)
    Ticket.objects.filter(pk=made[4].pk).update(status=Ticket.Status.SOLVED)
    for pk, status in ((made[0].pk, "new"), (made[2].pk, "new"), (made[0].pk, "solved"), (made[5].pk + 1, "new")):
        assert _seen(PREPARED.all(pk, status)) == _seen(list(_tickets(pk, status))), (pk, status)
    assert PREPARED.compiled() is not None  # it was run compiled, not through the plain queryset


def test_a_call_is_one_query_and_compiles_nothing():
    ticket = TicketFactory()
    PREPARED.all(ticket.pk, "new")
    with CaptureQueriesContext(connection) as ctx:
        PREPARED.all(ticket.pk, "new")
    assert len(ctx.captured_queries) == 1
    assert str(ticket.pk) in ctx.captured_queries[0]["sql"]


def test_a_value_of_another_type_runs_the_plain_queryset():
    """None makes `IS NULL` of `= %s`: the compiled SQL cannot take it, the plain queryset can."""
    by_assignee = Prepared(lambda user: Ticket.objects.filter(assignee_id=user), int)
    ada = UserFactory()
    mine, nobodys = TicketFactory(assignee=ada), TicketFactory(assignee=None)
    assert [t.pk for t in by_assignee.all(ada.pk)] == [mine.pk]
    assert [t.pk for t in by_assignee.all(None)] == [nobodys.pk]


def test_it_refuses_what_it_cannot_run():
    values: Prepared = Prepared(lambda pk: Ticket.objects.filter(pk=pk).values("pk"), int)
    with pytest.raises(TypeError):
        values.all(1)


def test_the_ticket_page_reads_its_ticket_and_conversation_compiled():
    ticket = TicketFactory(subject="Cache")
    first, second = MessageFactory(ticket=ticket, body="one"), MessageFactory(ticket=ticket, body="two")
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.CREATED)
    read = ticket_detail(pk=ticket.pk, panels=True, private=True)
    assert read.subject == "Cache" and read.channel.pk == ticket.channel_id
    annotated: Any = read
    assert annotated.events_version == TicketEvent.objects.filter(ticket=ticket).latest("pk").pk
    assert [m.pk for m in read.messages.all()] == [first.pk, second.pk]
    assert isinstance(read.messages.all()[0], Message) and read.messages.all()[0].body == "one"
    with pytest.raises(Ticket.DoesNotExist):
        ticket_detail(pk=ticket.pk + 1000, private=True)
