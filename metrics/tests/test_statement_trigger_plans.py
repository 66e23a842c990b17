"""The rollups' statement triggers plan a large statement for the rows it has (metrics.statement_triggers,
transition_function_sql), on PostgreSQL.

PL/pgSQL keeps the plan of a function's first call for the connection, sized for that call's transition tables. After
a one-row UPDATE (a claim, a reply), a 2,000-ticket UPDATE on the same connection joined its old and new rows by
nested loops: 3.2-3.4 s where a fresh plan took 93 ms, and the demo's month hung the suite for 46 minutes. The plans
are read as PostgreSQL ran them, through auto_explain (a module shipped with PostgreSQL) reporting each nested
statement's plan to this connection as a notice. No platform shapes: tickets and identities made as rows."""

import collections
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from mentions.tests.factories import BASE_TIME

pytestmark = pytest.mark.django_db

LARGE = 1500  # well above metrics.statement_triggers.SMALL_STATEMENT


@contextmanager
def plans_reported() -> Iterator[list[dict[str, Any]]]:
    """The plans of every statement run inside, the triggers' own included, as PostgreSQL's EXPLAIN JSON."""
    raw = connection.connection
    notices = raw.notices
    raw.notices = collections.deque(maxlen=10_000)
    plans: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        for setting, value in (
            ("log_min_duration", "0"),
            ("log_nested_statements", "on"),
            ("log_level", "notice"),
            ("log_format", "json"),
        ):
            cursor.execute(f"SET LOCAL auto_explain.{setting} = '{value}'")
        try:
            yield plans
        finally:
            cursor.execute("SET LOCAL auto_explain.log_min_duration = '-1'")
            for notice in raw.notices:
                text = notice[notice.index("{") :]
                plans.append(json.loads(text))
            raw.notices = notices


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _tuplestore_looped(plan: dict[str, Any]) -> list[str]:
    """The transition tables a nested loop scans again for each outer row (its inner side reaching one)."""
    looped = []
    for node in _nodes(plan["Plan"]):
        if node["Node Type"] == "Nested Loop":
            inner = node["Plans"][1]
            looped += [n.get("Relation Name", "?") for n in _nodes(inner) if n["Node Type"] == "Named Tuplestore Scan"]
    return looped


def _transition_estimates(plans: list[dict[str, Any]]) -> list[int]:
    """The rows each plan's scans of the transition tables were planned for."""
    return [n["Plan Rows"] for p in plans for n in _nodes(p["Plan"]) if n["Node Type"] == "Named Tuplestore Scan"]


def _trigger_plans(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The triggers' statements (not their check of how many rows they have, which reads at most a few)."""
    return [
        p
        for p in plans
        if ("new_rows" in p["Query Text"] or "old_rows" in p["Query Text"])
        and not p["Query Text"].startswith("(SELECT count(*)")
    ]


def _tickets(n: int) -> list[int]:
    channel = ChannelFactory()
    made = Ticket.objects.bulk_create(
        Ticket(channel=channel, subject=f"Question {i}", requester_handle=f"p{i}", requested_at=BASE_TIME)
        for i in range(n)
    )
    return [t.pk for t in made]


def test_a_large_ticket_update_after_a_one_row_update_joins_its_rows_as_planned_for_them():
    ids = _tickets(LARGE + 1)
    # The connection's first call of each function: one row, so the plan kept inline is a one-row plan.
    Ticket.objects.filter(pk=ids[0]).update(status=Ticket.Status.OPEN)

    with plans_reported() as plans:
        Ticket.objects.filter(pk__in=ids[1:]).update(status=Ticket.Status.OPEN)

    ran = _trigger_plans(plans)
    # The KPI marks' function and the members' function both ran for the large statement, each planned for it.
    assert any("metrics_rollupdirty" in p["Query Text"] for p in ran)
    assert any("metrics_communitymemberdirty" in p["Query Text"] for p in ran)
    assert [p["Query Text"][:80] for p in ran if _tuplestore_looped(p)] == []
    assert _transition_estimates(ran) and min(_transition_estimates(ran)) > LARGE // 2  # about the rows, not one
