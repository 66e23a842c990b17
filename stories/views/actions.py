"""What the story page's forms post. Each one calls a service and comes back to the page with what it did, or why
not (a refused answer is shown again as typed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from channels import clean
from mentions.models import Ticket
from mentions.views.access import work_queue
from mentions.views.drafts import draft_insert
from stories.answering import services as answering
from stories.answering.services import story_answer_insert
from stories.detection import editing
from stories.models import Story
from stories.views.pages import live_story, page_context

TICKET_MAX = 2**63 - 1


def _ticket_number(value: str) -> int | None:
    return clean.whole((value or "").strip().lstrip("#"), minimum=1, maximum=TICKET_MAX)


def _story_action(anchor: str = "") -> Callable:
    """A story page's form: its story, the decorated `run(request, story, ...)` calling the service, and back to the
    page (at `anchor`) with what it did, or why not. One decorator rather than each view wrapping its own run."""

    def decorate(run: Callable[..., str]) -> Callable[..., HttpResponse]:
        @require_POST
        @work_queue
        @wraps(run)
        def view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
            story, _ = live_story(pk)
            try:
                said = run(request, story, **kwargs)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if said:
                    messages.success(request, said)
            return redirect(story.get_absolute_url() + (f"#{anchor}" if anchor else ""))

        return view

    return decorate


@_story_action()
def story_rename(request: HttpRequest, story: Story) -> str:
    editing.story_rename(story=story, user=request.user, title=request.POST.get("title", ""))
    return "Renamed."


@_story_action()
def story_state(request: HttpRequest, story: Story) -> str:
    if request.POST.get("state") == Story.State.CLOSED:
        editing.story_close(story=story, user=request.user)
        return "Closed: new mentions of it no longer join it."
    reopened = editing.story_reopen(story=story, user=request.user)
    return f"Reopened ({reopened.get_state_display().lower()})."


@_story_action("timeline")
def story_move_out(request: HttpRequest, story: Story, ticket_pk: int) -> str:
    editing.story_ticket_move_out(story=story, ticket_id=ticket_pk, user=request.user)
    return f"#{ticket_pk} moved out of the story; the detector will not put it back."


@_story_action("timeline")
def story_move_in(request: HttpRequest, story: Story) -> str:
    number = _ticket_number(request.POST.get("ticket", ""))
    if number is None:
        raise ValidationError("Give a ticket number, like 1234.")
    editing.story_ticket_move_in(story=story, ticket_id=number, user=request.user)
    return f"#{number} moved into the story."


@require_POST
@work_queue
def story_merge(request: HttpRequest, pk: int) -> HttpResponse:
    story, _ = live_story(pk)
    into = clean.whole(request.POST.get("into", ""), minimum=1, maximum=TICKET_MAX)
    if into is None:
        messages.error(request, "Choose the story to merge this one into.")
        return redirect(story)
    try:
        target = editing.story_merge(story=story, into_id=into, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(story)
    messages.success(request, f"“{story.title}” was merged into this story: its tickets are here now.")
    return redirect(target)


@require_POST
@work_queue
def story_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The one answer, drafted for each ticket; refused, the page again with the answer as typed."""
    story, _ = live_story(pk)
    answer, link = request.POST.get("answer", ""), request.POST.get("link", "")
    try:
        made = answering.story_answer_prepare(story=story, user=request.user, answer=answer, link=link)
    except ValidationError as exc:
        context = page_context(request, story, answer_value=answer, link_value=link, answer_errors=exc.messages)
        return render(request, "stories/detail.html", context, status=400)
    messages.success(request, f"{made} draft{'' if made == 1 else 's'} made: read them, edit any, then send.")
    return redirect(story.get_absolute_url() + "#drafts")


def _per_ticket(request: HttpRequest, prefix: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for name in request.POST:
        if name.startswith(prefix) and (number := _ticket_number(name.removeprefix(prefix))) is not None:
            found[number] = request.POST.get(name, "")
    return found


@_story_action("outcomes")
def story_send(request: HttpRequest, story: Story) -> str:
    include = {n for v in request.POST.getlist("include") if (n := _ticket_number(v)) is not None}
    press = answering.story_answer_send(
        story=story,
        user=request.user,
        include=include,
        bodies=_per_ticket(request, "body-"),
        links=_per_ticket(request, "link-"),
    )
    return press.describe()


@_story_action("drafts")
def story_mark(request: HttpRequest, story: Story, ticket_pk: int) -> str:
    """One ticket marked replied from the drafts (its own button in the drafts form)."""
    body = request.POST.get(f"body-{ticket_pk}", "")
    link = request.POST.get(f"link-{ticket_pk}", "")
    answering.story_reply_mark(story=story, ticket_id=ticket_pk, user=request.user, body=body, link=link)
    return f"#{ticket_pk} marked replied."


@require_POST
@work_queue
def story_insert(request: HttpRequest, pk: int, ticket_pk: int) -> HttpResponse:
    """The story's answer for this ticket, from its panel: JSON for answers.js (which put it in the reply box);
    without JavaScript it goes after the reply box's text, as the ticket's draft (mentions.views.drafts)."""
    story, _ = live_story(pk)
    ticket = get_object_or_404(Ticket.objects.select_related("channel"), pk=ticket_pk)
    if "application/json" in request.headers.get("Accept", ""):
        try:
            return JsonResponse({"text": story_answer_insert(story=story, ticket=ticket, user=request.user)})
        except ValidationError as exc:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)

    def insert(typed: str | None, seen: int) -> str:
        return story_answer_insert(
            story=story, ticket=ticket, user=request.user, into_draft=True, typed=typed, seen_version=seen
        )

    return draft_insert(
        request, ticket, "story", insert, "Added the story's answer to your reply: read it before sending."
    )
