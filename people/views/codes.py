"""Handing out a discount code: from the person page, or from a ticket to its requester's person (the
ticket page's "Discount code" panel, registered with mentions.ticket_page.panels in people.apps).

An advocate may give a code and sees the codes they gave (to paste into the reply); the lists of all codes
are the managers' (people.admin.codes, the person page's gifts and codes section).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from advocacy.desk_settings import desk_setting
from mentions.models import Ticket
from mentions.ticket_page.panels import ticket_has
from people.codes import code_give
from people.models import DiscountCode, Person
from people.requester_card import requester_of
from people.views import read_people
from people.views.kept import back_to, refused_keep

PANEL_TEMPLATE = "people/_discount_code.html"


def _given(code: DiscountCode, person: Person) -> str:
    return f"Discount code {code.code} given to {person}: paste it into your reply."


@require_POST
@read_people
def person_code_give(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    try:
        code = code_give(person=person, user=request.user)
    except ValidationError as exc:
        refused_keep(request, person_id=person.pk, key="code", data=None, errors=exc.messages)
        messages.error(request, "Not done: " + " ".join(exc.messages))
    else:
        messages.success(request, _given(code, person))
    return back_to(person.get_absolute_url(), "discount-code")


def _requester_person(ticket: Ticket) -> Person | None:
    """The person who opened the ticket (people.Requester): the requester card's read when the page made it
    (people.selectors.requester_of), else one query."""
    requester = requester_of(ticket)
    return requester.identity.person if requester is not None else None


def codes_left() -> bool:
    """Whether any code is left to give: kept with the desk's settings (advocacy.desk_settings), which codes
    added, given or deleted bump (people.apps, people.codes)."""
    return desk_setting("people:codes-left", DiscountCode.objects.filter(given_at__isnull=True).exists)


# The panel on a ticket tied to no person (no people.Requester row: mentions.ticket_page.panels): nothing to read.
NO_CODE_PERSON: dict[str, Any] = {"code_person": None, "codes_given_here": [], "codes_left": False}


def discount_code_panel(request: HttpRequest, ticket: Ticket, forms: dict) -> dict[str, Any]:
    """The panel's context: the requester's person, the codes this advocate gave on this ticket, and whether
    any code is left. No query of its own on a ticket where no code was given, after the requester card."""
    return {
        "code_person": _requester_person(ticket),
        # Whether any code was given on the ticket is read with it (TicketPanel.rows): most have none.
        "codes_given_here": list(
            DiscountCode.objects.filter(ticket_id=ticket.pk, given_by=request.user.pk).order_by("-given_at")[:5]
        )
        if ticket_has(ticket, DiscountCode)
        else [],
        "codes_left": codes_left(),
    }


@require_POST
@read_people
def ticket_code_give(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the ticket's requester a code. With htmx the panel answers in place with the code (or why not);
    without JavaScript the browser goes back to the ticket page, which says it at the top."""
    ticket = get_object_or_404(Ticket.objects.only("pk"), pk=pk)
    person = _requester_person(ticket)
    said, error = "", ""
    if person is None:
        error = "The requester of this ticket is not tied to a person."
    else:
        try:
            code = code_give(person=person, user=request.user, ticket=ticket)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            said = _given(code, person)
    if getattr(request, "htmx", False):
        context = {"ticket": ticket, "code_said": said, "code_error": error, **discount_code_panel(request, ticket, {})}
        return render(request, PANEL_TEMPLATE, context, status=400 if error else 200)
    if error:
        messages.error(request, f"Not done: {error}")
    else:
        messages.success(request, said)
    return back_to(ticket.get_absolute_url(), "panel-discount_code")
