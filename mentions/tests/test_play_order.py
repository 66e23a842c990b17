"""Play's order is defined once (mentions.models.play_order): the claim's ORDER BY and the partial index the claim
walks are built from the same keys, so the claim takes the index's first unlocked row instead of sorting the view.
These tests compile both and compare them, and read PostgreSQL's plan of the claim on every order. No HTTP and no
payload: tickets come from mentions.tests.factories."""

import pytest
from django.db import connection

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket, View
from mentions.services.play import claim_pick_sql
from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory

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


@pytest.mark.parametrize(("settings", "index_name"), CASES)
def test_the_claim_reads_its_index_in_order_without_a_sort(settings, index_name):
    view = ViewFactory(**settings)
    TicketFactory.create_batch(30, channel=ChannelFactory(), high_priority=True)
    sql, params = claim_pick_sql(view=view, user=AdvocateFactory(), start=None)
    with connection.cursor() as cursor:
        # On a table this small any plan is cheap and the row estimates depend on the tests run before: sorts and
        # full scans are priced out, so a Sort left in the plan means the index cannot give this order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index_name in plan and "Sort" not in plan, plan
