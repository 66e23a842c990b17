"""Play's order is defined once (mentions.models.play_order): the claim's ORDER BY and the partial index the claim
walks are built from the same keys, so the claim takes the index's first unlocked row instead of sorting the view.
These tests compile both and compare them, and read PostgreSQL's plan of the claim on every order, from the head and
from a floor, with held-back noise in the table. No HTTP and no payload: tickets come from mentions.tests.factories."""

import pytest
from django.db import connection

from channels.tests.factories import ChannelFactory
from mentions.models import JudgedBy, Ticket, View
from mentions.models.play_order import HELD_BACK_KEY
from mentions.services.play import claim_pick_sql
from mentions.tests.factories import BASE_TIME, AdvocateFactory, TicketFactory, ViewFactory

pytestmark = pytest.mark.django_db

# Each order Play serves in, with the index that holds it.
CASES = [
    pytest.param({"order": View.Order.OLDEST}, "ticket_waiting_idx", id="oldest"),
    pytest.param({"order": View.Order.OLDEST, "high_priority_only": True}, "ticket_waiting_high_idx", id="high"),
    pytest.param({"order": View.Order.DEADLINE}, "ticket_waiting_deadline_idx", id="deadline"),
]


def _order_by(sql: str, params: list | tuple) -> tuple[str, list[str]]:
    """The ORDER BY of a compiled query and its values (the last parameters: LIMIT is written in), in PostgreSQL's
    meaning: an ascending key of a B-tree index puts NULLs last, so ASC and ASC NULLS LAST are one order."""
    order = sql.split(" ORDER BY ", 1)[1].rsplit(" LIMIT ", 1)[0].replace(" ASC NULLS LAST", " ASC")
    values = list(params)[len(params) - order.count("%s") :]
    return order, [str(value) for value in values]


@pytest.mark.parametrize(("settings", "index_name"), CASES)
def test_the_claim_orders_by_the_keys_of_the_index_it_walks(settings, index_name):
    view = ViewFactory(**settings)
    index = next(index for index in Ticket._meta.indexes if index.name == index_name)
    claim = _order_by(*claim_pick_sql(view=view, user=AdvocateFactory(), start=None))
    # The index's keys, in their order and directions, compiled as an ORDER BY of the same table.
    by_index = Ticket.objects.order_by(*(index.expressions or index.fields)).values("pk")[:1]
    assert claim == _order_by(*by_index.query.sql_with_params())
    # Every order starts with the held-back key: sure noise after everything else (issue 68).
    held_first = _order_by(*Ticket.objects.order_by(HELD_BACK_KEY).values("pk")[:1].query.sql_with_params())
    assert claim[0].startswith(held_first[0] + ", ") and claim[1][: len(held_first[1])] == held_first[1]


def _plan(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        # On a table this small any plan is cheap and the row estimates depend on the tests run before: sorts and
        # full scans are priced out, so a Sort left in the plan means the index cannot give this order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _desk() -> None:
    """Tickets of every kind the held-back key tells apart: sure noise by the desk and by an advocate, unsure noise,
    noise judged before the desk measured how sure, and the rest."""
    channel = ChannelFactory()
    TicketFactory.create_batch(30, channel=channel, high_priority=True)
    for judged_by, confidence in ((JudgedBy.DESK, 0.95), (JudgedBy.ADVOCATE, 1.0), (JudgedBy.DESK, 0.85)):
        TicketFactory(
            channel=channel, high_priority=True, judgement="noise", judged_by=judged_by, judgement_confidence=confidence
        )
    TicketFactory(channel=channel, high_priority=True, judgement="noise", judged_by=JudgedBy.DESK)


@pytest.mark.parametrize(("settings", "index_name"), CASES)
def test_the_claim_reads_its_index_in_order_without_a_sort(settings, index_name):
    view = ViewFactory(**settings)
    _desk()
    plan = _plan(*claim_pick_sql(view=view, user=AdvocateFactory(), start=None))
    assert index_name in plan and "Sort" not in plan, plan


@pytest.mark.parametrize(("settings", "index_name"), CASES[:2])
def test_the_claim_from_a_floor_reads_its_index_from_the_floor_without_a_sort(settings, index_name):
    """An oldest-first view's claim from the last claimed ticket (mentions.services.play_floor): from a ticket not
    held back, the held-back key equal to 0 and the requested time are both conditions of the index, one range of
    it; from a held-back one, the requested time alone."""
    view = ViewFactory(**settings)
    _desk()
    plan = _plan(*claim_pick_sql(view=view, user=AdvocateFactory(), start=BASE_TIME, start_held=False))
    condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert index_name in plan and "Sort" not in plan, plan
    assert "CASE WHEN" in condition and "END = 0" in condition and "requested_at >=" in condition, plan

    plan = _plan(*claim_pick_sql(view=view, user=AdvocateFactory(), start=BASE_TIME, start_held=True))
    condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert index_name in plan and "Sort" not in plan, plan
    assert "CASE" not in condition and "requested_at >=" in condition, plan
