"""The Answers panel beside the composer (registered with mentions.ticket_page.panels in answers.apps) and what its
buttons post: an earlier answer used, a saved reply inserted. The panel works without JavaScript (each button posts the
composer's form, with the reply box's text, to its own address: the text goes after the typed one, as the ticket's
draft, and the page comes back); with it, answers.js puts the text where the cursor is in the reply box and posts
to the same address in the background, for JSON (the use is counted; the draft is the reply box's business)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from advocacy.desk_settings import desk_setting
from answers.knowledge.search import knowledge_configured
from answers.knowledge.views import knowledge_context
from answers.models import Answer, SavedReply
from answers.saved_replies import placeholder_values, placeholders_fill, saved_reply_fill
from answers.services import PART_LINK, PART_REPLY, answer_insert, answer_use, saved_reply_insert, saved_reply_used
from answers.suggestions.feedback import Outcome, feedback_record
from answers.suggestions.stored import stored_state
from channels.adapters.registry import platform_or_default
from mentions.models import Ticket
from mentions.views.access import work_queue
from mentions.views.drafts import draft_insert

TEMPLATE = "answers/_answers.html"
SHORT_LIMIT = 1000  # a platform whose replies are at most this long shows each saved reply's length
SAVED_SHOWN = 200  # the picker searches these in the page; a team's library is rarely larger
POLLS = 15  # "Looking for earlier answers…" asks every 4 s for a minute; then the worker is late, and it says so


def saved_replies_active() -> list[SavedReply]:
    """The picker's saved replies, most used first: kept with the desk's settings (advocacy.desk_settings), which a
    reply saved, deleted or used bumps (answers.apps, answers.services.saved_reply_used)."""
    return desk_setting(
        "answers:saved-replies",
        lambda: list(SavedReply.objects.filter(is_active=True).order_by("-uses", "title")[:SAVED_SHOWN]),
    )


def answers_panel(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    rule = platform_or_default(ticket.channel.kind).reply_rule
    saved = []
    # {link} stays for the advocate to fill: the picker selects it after inserting.
    values = placeholder_values(ticket=ticket, link="{link}")
    for reply in saved_replies_active():
        text = placeholders_fill(reply.body, values)
        length = rule.length(text)
        over = rule.length_over(length)
        # The count where replies are short (X's 280) or this one is too long here, as a story's drafts show it.
        shown = rule.limit is not None and (rule.limit <= SHORT_LIMIT or over)
        saved.append({"reply": reply, "text": text, "length": length, "over": over, "show_length": shown})
    configured = knowledge_configured()
    return {
        # Computed in the worker and stored (answers.suggestions.stored): read here, never searched while the page
        # waits.
        **stored_state(ticket),
        "poll_next": 1,
        "saved_replies": saved,
        "reply_limit": rule.limit,
        "knowledge_configured": configured,
        # Our knowledge sources' results in the same answer (the panel is deferred: it comes in the ticket
        # page's one request after its first answer), not a request of their own.
        "knowledge": knowledge_context(ticket) if configured else None,
    }


@require_GET
@work_queue
def answered_before(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Answered before" section alone: what its poll asks while nothing is stored for the ticket (the rest
    of the panel, the saved replies and the reply box, is never replaced under the advocate's hands)."""
    ticket = get_object_or_404(Ticket, pk=pk)
    try:
        poll = max(1, int(request.GET.get("poll", "1")))
    except ValueError:
        poll = 1
    context = {"ticket": ticket, **stored_state(ticket), "poll_next": poll + 1 if poll < POLLS else None}
    return render(request, "answers/_answered_before.html", context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


GONE = "That earlier answer is no longer offered: reload the page for the current suggestions."
ADDED = "Added to your reply: edit it before sending."


@require_POST
@work_queue
def answer_used(request: HttpRequest, pk: int, source: int) -> HttpResponse:
    """JSON for answers.js, which puts the text in the reply box itself (the use is recorded here); without
    JavaScript the text goes after the reply box's, as the ticket's draft (mentions.views.drafts)."""
    ticket = get_object_or_404(Ticket.objects.select_related("channel"), pk=pk)
    part = PART_LINK if request.POST.get("part") == PART_LINK else PART_REPLY
    if _wants_json(request):
        try:
            return JsonResponse({"text": answer_use(ticket=ticket, source_id=source, user=request.user, part=part)})
        except Answer.DoesNotExist:
            return JsonResponse({"error": GONE}, status=404)

    def insert(typed: str | None, seen: int) -> str:
        try:
            return answer_insert(
                ticket=ticket, source_id=source, user=request.user, part=part, typed=typed, seen_version=seen
            )
        except Answer.DoesNotExist:
            raise ValidationError(GONE) from None

    return draft_insert(request, ticket, "answers", insert, ADDED)


@require_POST
@work_queue
def answer_dismissed(request: HttpRequest, pk: int, source: int) -> HttpResponse:
    """ "Doesn't fit": the suggestion leaves this ticket's panel and is recorded (answers.suggestions.feedback). With
    htmx the suggestion's item is replaced by nothing; without JavaScript the ticket page comes back without it."""
    ticket = get_object_or_404(Ticket, pk=pk)
    get_object_or_404(Ticket, pk=source)
    feedback_record(ticket_id=ticket.pk, answer_ticket_id=source, outcome=Outcome.DISMISSED, user=request.user)
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    return redirect("mentions:ticket", pk=ticket.pk)


@require_POST
@work_queue
def saved_reply_inserted(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """As answer_used, for a saved reply (its use counted once it is in the reply)."""
    ticket = get_object_or_404(Ticket.objects.select_related("channel"), pk=pk)
    reply = get_object_or_404(SavedReply, pk=reply_pk, is_active=True)
    if _wants_json(request):
        saved_reply_used(reply)
        return JsonResponse({"text": saved_reply_fill(reply.body, ticket=ticket, link="{link}")})

    def insert(typed: str | None, seen: int) -> str:
        return saved_reply_insert(ticket=ticket, reply=reply, user=request.user, typed=typed, seen_version=seen)

    return draft_insert(request, ticket, "answers", insert, ADDED)
