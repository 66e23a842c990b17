"""The Issue panels' forms (a ticket's, a story's) and an issue's page with its follow-ups and Send all. Each calls
a service of stories.issues and comes back with what it did, or why not, beside the control."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from mentions.models import IssueLink, IssueTicket, Ticket
from mentions.services.outward_policy import outward_decision
from mentions.views.access import work_queue
from mentions.views.in_place import action_done, action_failed
from stories.issues.forms import IssueForm
from stories.issues.linking import issue_file, issue_link_url, story_tickets
from stories.issues.sending import followups_send_press
from stories.models import IssueFollowUp
from stories.views.pages import live_story


def _act(form: IssueForm, tickets: list[Ticket], user: object) -> IssueLink:
    data = form.cleaned_data
    if (data.get("url") or "").strip():
        return issue_link_url(tickets=tickets, user=user, url=data["url"])
    return issue_file(
        tickets=tickets,
        user=user,
        where=data["where"],
        title=data.get("title", ""),
        expert=data.get("expert", ""),
        note=data.get("note", ""),
    )


def _said(link: IssueLink, verb: str, count: int) -> str:
    return f"Issue {link} {verb} for {count} ticket{'' if count == 1 else 's'}: the desk follows it to its end."


@require_POST
@work_queue
def ticket_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """File or link an issue for one ticket, from its page's Issue panel."""
    ticket = get_object_or_404(Ticket, pk=pk)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            link = _act(form, [ticket], request.user)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _said(link, "linked" if form.cleaned_data["url"] else "filed", 1))
            return action_done(request, "issue", redirect(ticket))
    return action_failed(request, ticket.pk, "issue", form, 400)


@require_POST
@work_queue
def story_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """File or link an issue for every ticket of a story."""
    story, _ = live_story(pk)
    form = IssueForm(request.POST)
    tickets = story_tickets(story)
    if form.is_valid():
        try:
            link = _act(form, tickets, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _said(link, "linked" if form.cleaned_data["url"] else "filed", len(tickets)))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(story.get_absolute_url() + "#issues")


@require_GET
@work_queue
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(IssueLink.objects.select_related("channel"), pk=pk)
    followups = IssueFollowUp.objects.filter(issue=link).select_related("ticket__channel").order_by("ticket_id")
    linked = IssueTicket.objects.filter(issue=link).select_related("ticket__channel").order_by("ticket_id")
    return render(
        request,
        "stories/issue_detail.html",
        {
            "link": link,
            "linked": linked,
            "followups": list(followups.prefetch_related(Prefetch("ticket"))),
            "in_flight": followups.filter(status__in=IssueFollowUp.IN_FLIGHT).exists(),
            "sendable": followups.filter(status__in=IssueFollowUp.SENDABLE).exclude(handle="").exists(),
            # Send all posts as the company: refused, with the reason, to someone whose replies wait for approval.
            "send_refused": outward_decision(request.user, "followups_send").reason,
            "every": settings.DESK_ISSUE_FOLLOW_MINUTES,  # how often open issues are read (the demo's: every minute)
        },
    )


@require_POST
@work_queue
def issue_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send all: queue the issue's drafted follow-ups for the worker."""
    link = get_object_or_404(IssueLink, pk=pk)
    try:
        press = followups_send_press(link=link, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, press.describe())
    return redirect("stories:issue", pk=link.pk)
