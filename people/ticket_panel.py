"""The requester card beside every ticket (registered with mentions.panels in people.apps, right after the
facts): who opened it, their accounts, tags and notes, and their other tickets, linked to their person page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mentions.models import Ticket
from people.selectors import requester_card

TEMPLATE = "people/_requester.html"


def requester_panel(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    return {"requester_card": requester_card(ticket)}
