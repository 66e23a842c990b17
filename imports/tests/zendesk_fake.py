"""Zendesk's API answered at the HTTP boundary (`responses`) with the recorded shapes in fixtures/zendesk/.

Sources of every shape (imports/SOURCES.md has the details):
- incremental tickets, users (cursor-based) and organizations (time-based): Zendesk's Incremental Exports
  reference, https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/, and its
  example response as Fivetran's documentation records it,
  https://fivetran.com/docs/connectors/applications/zendesk/troubleshooting/sync-tickets-incremental;
- the ticket object: Zendesk's Tickets reference (JSON format), as recorded in leslie-alldridge/mini-express-starter
  testResponse.js;
- comments: Zendesk's Ticket Comments reference, https://developer.zendesk.com/rest_api/docs/support/ticket_comments/;
- macros and their actions: https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/ and the
  Actions reference, https://developer.zendesk.com/documentation/ticketing/reference-guides/actions-reference/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import responses
from responses import matchers

FIXTURES = Path(__file__).parent / "fixtures" / "zendesk"
BASE = "https://acme.zendesk.com/api/v2"
TOKEN = "zd-secret-token-123"
USERS_CURSOR = "MTU3NjYxMzUzOS4wfHw0Njd8"
TICKETS_CURSOR = "MTU4MDc1Mzc5OC4wfHw0MzJ8"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def zendesk_register(mock: responses.RequestsMock, *, broken_second_tickets_page: bool = False) -> None:
    mock.get(f"{BASE}/incremental/organizations.json", json=fixture("organizations"))
    mock.get(
        f"{BASE}/incremental/users/cursor.json",
        json=fixture("users_page1"),
        match=[matchers.query_param_matcher({"start_time": "0"})],
    )
    mock.get(
        f"{BASE}/incremental/users/cursor.json",
        json=fixture("users_page2"),
        match=[matchers.query_param_matcher({"cursor": USERS_CURSOR})],
    )
    mock.get(f"{BASE}/macros.json", json=fixture("macros"))
    mock.get(
        f"{BASE}/incremental/tickets/cursor.json",
        json=fixture("tickets_page1"),
        match=[matchers.query_param_matcher({"start_time": "0", "include": "metric_sets"})],
    )
    second = {"status": 401, "json": {"error": "Couldn't authenticate you"}} if broken_second_tickets_page else {}
    mock.get(
        f"{BASE}/incremental/tickets/cursor.json",
        **(second or {"json": fixture("tickets_page2")}),
        match=[matchers.query_param_matcher({"cursor": TICKETS_CURSOR, "include": "metric_sets"})],
    )
    for ticket in (35436, 35437, 35438):
        mock.get(f"{BASE}/tickets/{ticket}/comments.json", json=fixture(f"comments_{ticket}"))
