"""The requester card beside every ticket (registered with mentions.ticket_page.panels in people.apps, right after the
facts): who opened it, by the name the team keeps for them, their accounts, tags and notes, and their other
tickets, linked to their person page. It is the ticket page's one requester line."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mentions.models import Ticket
from people.audience import heaviest
from people.requester_card import RequesterCard, requester_card

TEMPLATE = "people/_requester.html"
# Right after the facts (0) and before the story (5) and the Answers panel (10): the facts no longer name the
# requester, this card does, with the name the team keeps for them.
ORDER = 2


# A ticket tied to nobody (no people.Requester row, read with the page's ticket: mentions.ticket_page.panels) costs the
# card and the discount code panel no query.
EMPTY_CARD = {"requester_card": RequesterCard(person=None), "requester_weight": None}


def requester_panel(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    card = requester_card(ticket)
    # The person's weight from the identities the card already read: no query of its own.
    return {"requester_card": card, "requester_weight": heaviest(card.identities)}
