"""Issue 45: with DATABASE_REPLICA_URL the reports read from the replica, and nothing else does.

The "replica" alias here is the default database's test mirror (advocacy/settings_test.py; Django's "Testing
primary/replica configurations"): a second real PostgreSQL connection to the same test database, so the rows
this test commits are there, and each connection's queries are captured on their own. The router
(advocacy.db_router) is switched on as DATABASE_REPLICA_URL switches it on. No platform payloads are involved.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.tokens import token_create
from mentions.models import Ticket
from mentions.tests.factories import ManagerFactory, MessageFactory, TicketFactory, seen
from metrics.tests.test_pages import hand_made_data, this_week_query

# Committed rows, so the replica's connection sees them.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _router(settings):
    settings.DATABASE_ROUTERS = ["advocacy.db_router.ReportsReplicaRouter"]


@contextmanager
def _queries() -> Iterator[dict[str, list[str]]]:
    """The SQL each alias ran inside the block."""
    captured = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
    found: dict[str, list[str]] = {}
    with captured["default"], captured["replica"]:
        yield found
    found.update({alias: [q["sql"] for q in context.captured_queries] for alias, context in captured.items()})


def _reading(queries: list[str], table: str) -> list[str]:
    """Reads of the table: SELECTs, and the DECLARE of a server-side cursor (`.iterator()`)."""
    return [sql for sql in queries if sql.startswith(("SELECT", "DECLARE")) and f'"{table}"' in sql]


def test_the_kpi_page_reads_its_figures_from_the_replica(manager_client):
    hand_made_data()

    with _queries() as queries:
        response = manager_client.get(reverse("metrics:dashboard") + this_week_query())

    assert response.status_code == 200
    assert 'data-testid="first-reply-table"' in response.content.decode()
    # The figures: the rollups, the waiting ticket, the channels, the targets.
    for table in ("metrics_ticketday", "mentions_ticket", "channels_channel", "metrics_target"):
        assert _reading(queries["replica"], table), table
    for table in ("metrics_ticketday", "metrics_target"):
        assert not _reading(queries["default"], table), table
    # Only the page's frame reads on the primary: the filter form's channels and the signed-in user's own counts
    # in the menu, which must not lag behind what they just did.
    assert all(
        sql.startswith('SELECT COUNT(*) AS "__count"') for sql in _reading(queries["default"], "mentions_ticket")
    )
    # The primary keeps the rollups' refresh (it writes) and the signed-in user's session.
    assert any("metrics_rollupdirty" in sql for sql in queries["default"])
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in queries["replica"])


def test_the_monthly_report_reads_from_the_replica(manager_client):
    hand_made_data()

    with _queries() as queries:
        response = manager_client.get(reverse("metrics:monthly"))

    assert response.status_code == 200
    assert _reading(queries["replica"], "metrics_ticketday")
    assert not _reading(queries["default"], "metrics_ticketday")


def test_a_streamed_export_reads_its_rows_from_the_replica(manager_client):
    data = hand_made_data()

    with _queries() as queries:
        response = manager_client.get(reverse("metrics:export", args=["tickets"]) + this_week_query())
        # A streamed response's rows are read while it is sent, after the view has returned.
        rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))

    assert data["waiting"].pk in {int(row["ticket"]) for row in rows} and len(rows) == 6
    assert _reading(queries["replica"], "mentions_ticket")
    assert _reading(queries["replica"], "mentions_ticket_tags")
    assert not _reading(queries["default"], "mentions_ticket")


def test_the_kpi_json_reads_from_the_replica():
    hand_made_data()
    secret = token_create(user=ManagerFactory(), name="kpi", scope="read", days=1)[1]
    api = Client(headers={"Authorization": f"Bearer {secret}"})

    with _queries() as queries:
        response = api.get("/api/kpi/" + this_week_query())

    assert response.status_code == 200, response.content
    assert response.json()["first_reply"]["all"]["replied"] == 5
    assert _reading(queries["replica"], "metrics_ticketday")
    assert not _reading(queries["default"], "metrics_ticketday")


def test_an_advocates_work_never_touches_the_replica(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)

    with _queries() as queries:
        page = advocate_client.get(ticket.get_absolute_url())
        changed = advocate_client.post(
            reverse("mentions:ticket-status", args=[ticket.pk]), {"seen": seen(ticket), "status": "solved"}
        )
        queue = advocate_client.get(reverse("mentions:queue"))

    assert (page.status_code, changed.status_code, queue.status_code) == (200, 302, 200)
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.SOLVED
    assert queries["replica"] == []
    assert any(sql.startswith("UPDATE") and '"mentions_ticket"' in sql for sql in queries["default"])
