"""Snooze a ticket from the API, as the ticket page does (mentions.services.snooze):
`POST /api/tickets/{id}/snooze/` with `{"until": "<ISO time>"}` or `{"until_reply": true}`; `{"until": null}` or a
DELETE ends the snooze. A body the schema refuses (a time with until_reply, neither, a wrong type) is a 400 naming
the field; a time already past, or a solved ticket, a 409 in words (the request was well formed, the clock or the
ticket's state refuses it), as for every action."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.errors import Conflict, refusals
from api.views import TicketAction, _listed, _ticket, ticket_action_schema
from mentions.models import Ticket
from mentions.services.snooze import ticket_snooze, ticket_unsnooze


@ticket_action_schema("Snooze the ticket until a time or until the requester answers; until null unsnoozes", s.SnoozeIn)
class TicketSnooze(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        if data.get("until") is None and not data["until_reply"]:
            ticket_unsnooze(ticket=ticket, user=user)
            return
        try:
            ticket_snooze(
                ticket=ticket,
                user=user,
                until=data.get("until"),
                until_reply=data["until_reply"],
                remind_slack=data["remind_slack"],
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):  # the time given has passed: the clock's refusal, not the schema's
                raise Conflict(" ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())) from exc
            raise

    @extend_schema(
        summary="End the ticket's snooze", request=None, responses={200: s.TicketSerializer, **refusals(404, 409)}
    )
    def delete(self, request: Request, pk: int) -> Response:
        ticket = _ticket(pk)
        try:
            ticket_unsnooze(ticket=ticket, user=request.user)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(s.TicketSerializer(_listed([Ticket(pk=pk)])[0]).data)
