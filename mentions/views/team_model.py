"""The team model's draft in the composer (mentions/_composer.html): put it in the reply box, or dismiss it.

"Use this draft" is a button of the composer's form (form="composer-reply", formaction here), like the Answers
panel's Insert: without JavaScript it posts the reply box's text, which the draft follows, as the ticket's draft;
with it, answers.js (data-answer-use) asks here for JSON and puts the text where the cursor is. Nothing is sent."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from mentions.models import TeamModelOutput, Ticket
from mentions.services.team_model import team_draft_dismiss, team_draft_insert, team_draft_text
from mentions.views.access import work_queue
from mentions.views.drafts import draft_insert

GONE = "That draft is no longer there: reload the page."
ADDED = "The model's draft is in your reply: check and edit it before sending."


@require_POST
@work_queue
def team_draft_use(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    if "application/json" in request.headers.get("Accept", ""):
        text = team_draft_text(ticket_id=ticket.pk)
        return JsonResponse({"text": text} if text is not None else {"error": GONE}, status=200 if text else 404)

    def insert(typed: str | None, seen: int) -> str:
        try:
            return team_draft_insert(ticket=ticket, user=request.user, typed=typed, seen_version=seen)
        except TeamModelOutput.DoesNotExist:
            raise ValidationError(GONE) from None

    return draft_insert(request, ticket, "team_draft", insert, ADDED)


@require_POST
@work_queue
def team_draft_dismissed(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    if team_draft_dismiss(ticket_id=ticket.pk, user=request.user):
        messages.success(request, "The model's draft is dismissed.")
    return redirect(ticket.get_absolute_url() + "#composer")
