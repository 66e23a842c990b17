"""The ticket page's "Share to Slack" action (the panel is notifications.share). Thin: the service shares."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from mentions.models import Ticket
from mentions.views import ticket_action, work_queue
from notifications.forms import ShareForm
from notifications.share import ticket_share


@require_POST
@work_queue
def ticket_share_view(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict, seen: int) -> str:
        return ticket_share(
            ticket=ticket, channel=data["channel"], note=data["note"], actor=request.user, seen_version=seen
        )

    # Sharing changes nothing Play moves on for: the advocate stays on the ticket.
    return ticket_action(request, pk, ShareForm, "share", run, play_on=False)
