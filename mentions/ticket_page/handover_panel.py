"""The ticket page's "Hand over" fold (registered with mentions.ticket_page.panels in mentions.apps): whom to hand the
ticket to and until when, and the watch running on it (mentions.services.handover). Folded, so the list of people is
read only when it is opened; the header's line (`handover_said`) reads the watch only for a ticket ever handed over."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mentions.models import HandOver, Ticket
from mentions.services.assignment import queue_workers
from mentions.services.handover import person, ticket_watch
from mentions.ticket_page.panels import ticket_has

TEMPLATE = "mentions/_ticket_handover.html"


def handover_panel(request: HttpRequest, obj: Ticket, forms: dict) -> dict[str, Any]:
    others = queue_workers().exclude(pk=request.user.pk).order_by("username")
    form = forms.get("handover")
    return {
        "handover_form": form,
        "handover_receivers": [(u.pk, person(u)) for u in others],
        "handover_chosen": str(form.data.get("receiver", "")) if form is not None else "",
        "handover_until": str(form.data.get("until", "")) if form is not None else "",
        "handover_watch": ticket_watch(obj) if ticket_has(obj, HandOver) else None,
    }
