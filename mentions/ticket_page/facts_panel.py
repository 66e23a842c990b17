"""The ticket page's context column: channel and its health, clocks, status, priority, tags and assignment, and its
product when the desk has more than one (mentions/_ticket_facts.html), registered as the page's first panel
(apps.py). Who is asking is the next panel, people's requester card, which knows the name the team keeps for them
(the first message only has the platform's: an e-mail address, often).

Like the other panels it comes after the page's first answer, from its own URL (mentions:ticket-panel), so the
conversation and the composer answer first; it is in the first answer when a form of its own came back with
errors, and with `?panels=inline` (the page without JavaScript). An action done in place answers it whole
(mentions/views/in_place.py), with `facts_context`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from mentions import services
from mentions.models import Ticket
from mentions.products import desk_products
from mentions.ticket_page.panels import posted_value, ticket_has

TEMPLATE = "mentions/_ticket_facts.html"
# Its forms: one coming back with errors puts the panel in the first answer (mentions.ticket_page.panels).
FACT_KEYS = ("status", "priority", "tags", "assign", "product")


def facts_context(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    """The facts' template context: their forms' values (as posted when one came back with errors)."""

    manages = request.user.has_perm("mentions.manage_all_tickets")
    # Read once (the tag list and the tags field both show them), and only when the ticket has any.
    tags = list(ticket.tags.all()) if ticket_has(ticket, Ticket.tags.through) else []
    # From memory (mentions.products); with one product the facts show nothing of it and ask nothing (issue 71).
    products = desk_products()
    product = products.get(ticket.product_id) if products.many else None
    return {
        "desk_products": products,
        "ticket_product": product,
        "fact_tags": tags,
        **{f"{key}_form": forms[key] for key in FACT_KEYS if key in forms},
        "now": timezone.now(),
        "status_choices": Ticket.Status.choices,
        "priority_choices": Ticket.Priority.choices,
        "fact_values": {
            "status": posted_value(forms, "status", "status", ticket.status),
            "priority": posted_value(forms, "priority", "priority", ticket.priority),
            "tags": posted_value(forms, "tags", "tags", " ".join(t.name for t in tags)),
            "assignee": str(posted_value(forms, "assign", "assignee", "")),
            "product": str(posted_value(forms, "product", "product", product.pk if product is not None else "")),
        },
        "workers": list(services.queue_workers().order_by("username").only("id", "username")) if manages else None,
    }
