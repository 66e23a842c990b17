"""Snooze on the ticket page (its menu, mentions/_ticket_snooze.html) and the "Snoozed" list
(mentions.services.snooze); the hand-over beside it (mentions/_ticket_handover.html, mentions.services.handover)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mentions.forms import HandOverForm, SnoozeForm
from mentions.models import Ticket
from mentions.narrowing import PARAM, product_asked
from mentions.services.handover import Watch, person
from mentions.services.handover import ticket_hand_over as hand_over
from mentions.services.snooze import (
    advocate_zone,
    snooze_presets,
    snoozed_tickets,
    ticket_unsnooze,
    until_said,
)
from mentions.services.snooze import (
    ticket_snooze as snooze,
)
from mentions.views.access import work_queue
from mentions.views.ticket import form_action


@form_action(SnoozeForm, "snooze")
def ticket_snooze(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    preset = data["preset"]
    if preset == "off":
        ticket_unsnooze(ticket=ticket, user=request.user, seen_version=seen)
        return f"#{ticket.pk} is no longer snoozed."
    zone = advocate_zone(request.user)
    until: datetime | None
    if preset == "custom":
        until = data["custom"].replace(tzinfo=zone)  # typed as the advocate's wall clock
    else:
        until = {p.key: p.until for p in snooze_presets(zone=zone)}[preset]
    snooze(
        ticket=ticket,
        user=request.user,
        until=until,
        until_reply=until is None,
        remind_slack=data["remind_slack"],
        seen_version=seen,
    )
    return f"#{ticket.pk} {until_said(until, zone)}."


@form_action(HandOverForm, "handover", play_on=False)
def ticket_hand_over(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """ "Hand over to … until …": the ticket the receiver's to watch until a time of the giver's."""
    until = data["until"].replace(tzinfo=advocate_zone(request.user))  # typed as the giver's wall clock
    hand_over(ticket=ticket, giver=request.user, receiver=data["receiver"], until=until, seen_version=seen)
    return f"#{ticket.pk}: {Watch(person(request.user), person(data['receiver']), until).said}."


@require_GET
@work_queue
def snoozed(request: HttpRequest) -> HttpResponse:
    """Every snoozed ticket, the soonest back first, with when (in the viewer's time zone) and who snoozed it."""
    zone = advocate_zone(request.user)
    # The queue's link keeps its narrowing to a product (issue 71); an unknown one shows every product, as the queue.
    product = product_asked(request.GET.get(PARAM))
    tickets = snoozed_tickets(product_id=product.pk if product else None)
    rows = [(t, until_said(t.snoozed_until, zone).removeprefix("snoozed ")) for t in tickets]
    return render(
        request, "mentions/snoozed.html", {"rows": rows, "zone": zone.key, "now": timezone.now(), "product": product}
    )
