"""Moving a ticket to another of the desk's products from its page (issue 71): the control is in the facts, shown
only when the desk has more than one product (mentions/_ticket_facts.html)."""

from __future__ import annotations

from django.http import HttpRequest

from mentions.forms import ProductForm
from mentions.models import Ticket
from mentions.services.products import ticket_move_product
from mentions.views.ticket import form_action


@form_action(ProductForm, "product", play_on=False)
def ticket_product(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    moved_to = ticket_move_product(ticket=ticket, user=request.user, product_id=data["product"], seen_version=seen)
    return f"#{ticket.pk} moved to {moved_to}." if moved_to else f"#{ticket.pk} was about that product already."
