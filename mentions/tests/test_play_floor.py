"""Play's claim reads an oldest-first view from the last claimed ticket (mentions.services.play_floor, issue 58).

A test's transaction never commits, so the row versions its claims leave behind are never dead to everyone: the
index entries of claimed tickets are never marked, as on a server where a long transaction holds the xmin horizon.
That makes the cost of reading past them deterministic here.
"""

import random
from datetime import timedelta

import pytest
from django.db import connection

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket, View
from mentions.services import play_floor, ticket_claim_next, ticket_skip
from mentions.services.play import claim_pick_sql
from mentions.tests.factories import BASE_TIME, AdvocateFactory, TicketFactory, ViewFactory

pytestmark = pytest.mark.django_db

TICKETS = 400
CLAIMS = 200


def _submit(ticket: Ticket | None) -> None:
    assert ticket is not None
    # What submitting leaves behind (bench/claim_latency.py does the same), in one UPDATE.
    Ticket.objects.filter(pk=ticket.pk).update(served_to=None, served_view=None, status=Ticket.Status.PENDING)


def _buffers(view: View, user, start) -> tuple[int, str]:
    sql, params = claim_pick_sql(view=view, user=user, start=start)
    with connection.cursor() as cursor:
        # A small table: price out what the planner would pick on it so the plan is the one of a large desk.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        sql += ' FOR UPDATE OF "mentions_ticket" SKIP LOCKED'
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]["Plan"]
    return plan["Shared Hit Blocks"] + plan["Shared Read Blocks"], str(plan)


def _desk() -> tuple[View, list[Ticket]]:
    channel = ChannelFactory()
    # Requested times shuffled against the order the rows are written in, so consecutive entries of the index
    # point at different heap pages, as on a desk whose history was ingested over months.
    minutes = list(range(TICKETS))
    random.Random(58).shuffle(minutes)
    Ticket.objects.bulk_create(
        TicketFactory.build(channel=channel, requested_at=BASE_TIME + timedelta(minutes=m)) for m in minutes
    )
    return ViewFactory(), list(Ticket.objects.order_by("requested_at", "id"))


def test_after_200_claims_the_claim_reads_from_the_last_claimed_ticket_not_past_every_claimed_one():
    view, tickets = _desk()
    advocate = AdvocateFactory()
    for expected in tickets[:CLAIMS]:
        served = ticket_claim_next(view=view, user=advocate)
        assert served == expected  # still oldest first
        _submit(served)

    floor = play_floor.floor_get(view)
    assert floor is not None and floor[0] == tickets[CLAIMS - 1].requested_at
    whole, _ = _buffers(view, advocate, None)
    from_floor, plan = _buffers(view, advocate, floor[0])
    # From the head, the claim visits the heap for every ticket claimed before (all 200 entries are still there);
    # from the floor it reads a few index pages and the first waiting ticket.
    assert whole > CLAIMS / 2, whole
    assert from_floor <= 10, plan
    assert "ticket_waiting_idx" in plan and "requested_at >=" in plan, plan
    assert ticket_claim_next(view=view, user=advocate) == tickets[CLAIMS]


def test_a_ticket_before_the_floor_is_served_when_nothing_waits_after_it_or_once_the_floor_is_old(monkeypatch):
    view, tickets = _desk()
    advocate = AdvocateFactory()
    for _ in range(3):
        _submit(ticket_claim_next(view=view, user=advocate))
    # The first one comes back unassigned behind the floor (an unassignment that does not forget the floor).
    Ticket.objects.filter(pk=tickets[0].pk).update(assignee=None, status=Ticket.Status.OPEN)
    assert ticket_claim_next(view=view, user=advocate) == tickets[3]  # from the floor, for FLOOR_SECONDS
    _submit(tickets[3])
    monkeypatch.setattr(play_floor, "FLOOR_SECONDS", -1.0)
    assert ticket_claim_next(view=view, user=advocate) == tickets[0]  # the whole order again

    # Nothing waits after the floor: the claim reads the whole order rather than say the view is empty.
    monkeypatch.setattr(play_floor, "FLOOR_SECONDS", 5.0)
    Ticket.objects.exclude(pk__in=[tickets[0].pk, tickets[1].pk]).update(status=Ticket.Status.SOLVED)
    _submit(tickets[0])
    Ticket.objects.filter(pk=tickets[1].pk).update(assignee=None, status=Ticket.Status.OPEN)
    assert ticket_claim_next(view=view, user=advocate) == tickets[1]


def test_a_skipped_ticket_is_served_next_by_another_advocate(django_capture_on_commit_callbacks):
    view, tickets = _desk()
    view.allow_skip = True
    view.save()
    first, second, third = AdvocateFactory(), AdvocateFactory(), AdvocateFactory()
    assert ticket_claim_next(view=view, user=first) == tickets[0]
    assert ticket_claim_next(view=view, user=second) == tickets[1]
    assert ticket_claim_next(view=view, user=third) == tickets[2]  # the floor is now past the second one
    with django_capture_on_commit_callbacks(execute=True):
        ticket_skip(ticket=tickets[1], user=second, reason="needs a German speaker")
    _submit(tickets[0])
    assert ticket_claim_next(view=view, user=first) == tickets[1]


def test_a_deadline_first_view_keeps_no_floor():
    view = ViewFactory(order=View.Order.DEADLINE)
    TicketFactory.create_batch(2)
    ticket_claim_next(view=view, user=AdvocateFactory())
    assert play_floor.floor_get(view) is None
