"""The Answers panel beside the composer (registered with mentions.panels in answers.apps) and what its buttons
post: an earlier answer used, a saved reply inserted. The panel works without JavaScript (each button is a
form that puts the text into the ticket's draft and comes back to the page); with it, answers.js puts the text
where the cursor is in the reply box and posts the same form in the background."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from answers.knowledge.search import knowledge_configured
from answers.models import Answer, SavedReply
from answers.saved_replies import placeholder_values, placeholders_fill, saved_reply_fill
from answers.services import PART_LINK, PART_REPLY, answer_use, saved_reply_used
from answers.suggestions import ticket_suggestions
from channels.adapters.registry import get_adapter
from mentions.models import Ticket
from mentions.services.actions import draft_append
from mentions.views.access import work_queue

TEMPLATE = "answers/_answers.html"
SHORT_LIMIT = 1000
SAVED_SHOWN = 200  # the picker searches these in the page; a team's library is rarely larger


def answers_panel(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    adapter = get_adapter(ticket.channel.kind)
    limit = getattr(adapter, "reply_max_length", None)
    measure = getattr(adapter, "reply_length", len)
    saved = []
    # {link} stays for the advocate to fill: the picker selects it after inserting.
    values = placeholder_values(ticket=ticket, link="{link}")
    for reply in SavedReply.objects.filter(is_active=True).order_by("-uses", "title")[:SAVED_SHOWN]:
        text = placeholders_fill(reply.body, values)
        saved.append(
            {"reply": reply, "text": text, "length": measure(text), "over": bool(limit and measure(text) > limit)}
        )
    return {
        "suggestions": ticket_suggestions(ticket),
        "saved_replies": saved,
        "reply_limit": limit,
        "knowledge_configured": knowledge_configured(),
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@work_queue
def answer_used(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("channel"), pk=pk)
    part = PART_LINK if request.POST.get("part") == PART_LINK else PART_REPLY
    try:
        source = int(request.POST.get("source", ""))
        text = answer_use(ticket=ticket, source_id=source, user=request.user, part=part)
    except (ValueError, Answer.DoesNotExist):
        error = "That earlier answer is no longer offered: reload the page for the current suggestions."
        if _wants_json(request):
            return JsonResponse({"error": error}, status=404)
        messages.error(request, error)
        return redirect(ticket.get_desk_url())
    return _inserted(request, ticket, text)


@require_POST
@work_queue
def saved_reply_inserted(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("channel"), pk=pk)
    reply = get_object_or_404(SavedReply, pk=reply_pk, is_active=True)
    saved_reply_used(reply)
    return _inserted(request, ticket, saved_reply_fill(reply.body, ticket=ticket, link="{link}"))


def _inserted(request: HttpRequest, ticket: Ticket, text: str) -> HttpResponse:
    """JSON for answers.js, which has put the text in the reply box already; without JavaScript the text joins
    the ticket's draft, which the reply box shows."""
    if _wants_json(request):
        return JsonResponse({"text": text})
    Ticket.objects.filter(pk=ticket.pk).update(reply_draft=draft_append(ticket.reply_draft, text))
    messages.success(request, "Added to your reply: edit it before sending.")
    return redirect(ticket.get_desk_url() + "#composer")
