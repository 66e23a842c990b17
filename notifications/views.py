"""The ticket page's "Share to Slack" action (the panel is notifications.share). Thin: the service shares."""

from __future__ import annotations

from django.http import HttpRequest

from mentions.models import Ticket
from mentions.views import form_action
from notifications.forms import ShareForm
from notifications.share import ticket_share


# Sharing changes nothing Play moves on for: the advocate stays on the ticket.
@form_action(ShareForm, "share", play_on=False)
def ticket_share_view(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    return ticket_share(
        ticket=ticket, channel=data["channel"], note=data["note"], actor=request.user, seen_version=seen
    )
