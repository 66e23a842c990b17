"""The story list, a story's page and its live outcomes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from mentions.services.outward_policy import outward_decision
from mentions.views.access import work_queue
from stories.answering import page_reads
from stories.issues.panel import issue_panel_context
from stories.models import Membership, Story
from stories.releases.drafts import release_panel

MERGE_HOPS = 10


@require_GET
@work_queue
def story_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in Story.State.values else ""
    return render(
        request,
        "stories/list.html",
        {"stories": page_reads.story_list(state=state), "state": state, "states": Story.State.choices},
    )


def live_story(pk: int) -> tuple[Story, bool]:
    """The story, followed through merges to the one its tickets are in now; True if it was merged."""
    story = get_object_or_404(Story, pk=pk)
    hops = 0
    while story.merged_into_id and hops < MERGE_HOPS:
        story = get_object_or_404(Story, pk=story.merged_into_id)
        hops += 1
    return story, hops > 0


def page_context(request: HttpRequest, story: Story, **extra: Any) -> dict[str, Any]:
    page = page_reads.story_page(story, user=request.user)
    return {
        "story": story,
        "page": page,
        "merge_targets": page_reads.merge_targets(story),
        "answer_value": story.answer,
        "link_value": story.answer_link,
        "manager": request.user.has_perm("mentions.manage_all_tickets"),
        # Sending the ticked replies posts as the company: refused, with the reason, to someone whose replies wait.
        "send_refused": outward_decision(request.user, "story_send").reason,
        "issue_panel": issue_panel_context(Membership.objects.filter(story=story).values_list("ticket_id", flat=True)),
        "release": release_panel(story.pk),
        **extra,
    }


@require_GET
@work_queue
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story, merged = live_story(pk)
    if merged:
        messages.info(request, f"Story {pk} was merged into this one.")
        return redirect(story)
    return render(request, "stories/detail.html", page_context(request, story))


@require_GET
@work_queue
def story_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """The outcomes of the story's replies: the page polls it while replies are on their way."""
    story, _merged = live_story(pk)
    page = page_reads.story_page(story, user=request.user)
    return render(request, "stories/_outcomes.html", {"story": story, "page": page})
