"""Play's claim statement compiled once per view shape, with its events in the same statement (issue 58)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket, TicketEvent
from mentions.services import play, play_floor, play_sql, ticket_claim_next
from mentions.tests.factories import BASE_TIME, AdvocateFactory, TicketFactory, ViewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiles(monkeypatch):
    """How many times the claim's SELECT is built by the ORM, from an empty cache of compiled statements."""
    monkeypatch.setattr(play_sql, "_compiled", {})
    built = [0]
    build = play.claim_pick_sql

    def counted(**kwargs):
        built[0] += 1
        return build(**kwargs)

    monkeypatch.setattr(play, "claim_pick_sql", counted)
    return built


def test_a_claim_is_three_queries_and_records_the_same_events_as_before(compiles):
    view = ViewFactory()
    advocate = AdvocateFactory()
    assert advocate.has_perm("mentions.work_queue")  # the request's permission sets (mentions.permissions.perm_cache)
    new = TicketFactory(requested_at=BASE_TIME)

    with CaptureQueriesContext(connection) as ctx:
        served = ticket_claim_next(view=view, user=advocate)

    sql = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The lock, the served check, and the claim with its events: no ORM insert after it.
    assert len(sql) == 3, sql
    assert "pg_advisory_xact_lock" in sql[0] and 'INSERT INTO "mentions_ticketevent"' in sql[2]
    assert served == new and served.status == Ticket.Status.OPEN and served.assignee == advocate
    events = list(TicketEvent.objects.filter(ticket=new).order_by("pk"))
    assert [(e.kind, e.actor_id, e.data) for e in events] == [
        (TicketEvent.Kind.ASSIGNED, advocate.pk, {"to": advocate.username, "via": "play", "view": view.slug}),
        (TicketEvent.Kind.STATUS, advocate.pk, {"from": "new", "to": "open"}),
    ]
    assert {e.created_at for e in events} == {served.updated_at}
    assert compiles[0] == 1

    # An open ticket keeps its status: the claim records no status change.
    play_floor.floor_forget(view.pk)
    Ticket.objects.filter(pk=new.pk).update(served_to=None, status=Ticket.Status.PENDING)
    already_open = TicketFactory(requested_at=BASE_TIME, status=Ticket.Status.OPEN)
    assert ticket_claim_next(view=view, user=advocate) == already_open
    assert list(TicketEvent.objects.filter(ticket=already_open).values_list("kind", flat=True)) == ["assigned"]
    assert compiles[0] == 1  # the same view, the same statement


def test_one_compiled_claim_serves_each_advocate_with_their_own_skips(compiles):
    view = ViewFactory(allow_skip=True)
    anna, ben = AdvocateFactory(), AdvocateFactory()
    first, second, third = (TicketFactory(requested_at=BASE_TIME + timedelta(minutes=i)) for i in range(3))
    TicketEvent.objects.create(ticket=first, kind=TicketEvent.Kind.SKIPPED, actor=anna)
    TicketEvent.objects.create(ticket=second, kind=TicketEvent.Kind.SKIPPED, actor=ben)

    assert ticket_claim_next(view=view, user=anna) == second  # not the one she skipped
    play_floor.floor_forget(view.pk)  # the head of the order again: what is compiled is the user's place
    assert ticket_claim_next(view=view, user=ben) == first  # her skip is not his
    assert compiles[0] == 1
    assert ticket_claim_next(view=view, user=AdvocateFactory()) == third


def test_a_changed_view_is_compiled_again_and_serves_its_new_filters(compiles):
    view = ViewFactory()
    advocate = AdvocateFactory()
    elsewhere = ChannelFactory()
    TicketFactory(requested_at=BASE_TIME)
    TicketFactory(requested_at=BASE_TIME + timedelta(minutes=1))
    later = TicketFactory(requested_at=BASE_TIME + timedelta(minutes=2), channel=elsewhere)

    ticket_claim_next(view=view, user=advocate)
    view.channel_ids = [elsewhere.pk]
    view.save()
    play_floor.floor_forget(view.pk)
    assert ticket_claim_next(view=view, user=AdvocateFactory()) == later
    assert compiles[0] == 2


def test_a_claim_from_the_floor_is_compiled_apart_and_reads_from_it(compiles):
    view = ViewFactory()
    tickets = [TicketFactory(requested_at=BASE_TIME + timedelta(minutes=i)) for i in range(3)]

    assert ticket_claim_next(view=view, user=AdvocateFactory()) == tickets[0]  # the head: no floor yet
    assert ticket_claim_next(view=view, user=AdvocateFactory()) == tickets[1]  # from the floor
    assert ticket_claim_next(view=view, user=AdvocateFactory()) == tickets[2]
    assert compiles[0] == 2  # from the head, from a floor
    assert play_floor.floor_peek(view) == tickets[2].requested_at
