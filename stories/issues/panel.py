"""What the Issue panels show: the issues a ticket (or a story's tickets) point to, with their state and the
follow-ups still to send, and where a new one would be filed. Registered on the ticket page by stories.apps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest

from mentions.models import IssueLink, Ticket
from stories.issues.linking import where_choices, where_default
from stories.models import IssueFollowUp

TEMPLATE = "stories/_issue_panel.html"


def issues_of(ticket_ids: Iterable[int]) -> list[IssueLink]:
    to_send = Count("followups", filter=Q(followups__status__in=IssueFollowUp.SENDABLE), distinct=True)
    sent = Count("followups", filter=Q(followups__status=IssueFollowUp.Status.SENT), distinct=True)
    return list(
        IssueLink.objects.filter(links__ticket_id__in=list(ticket_ids))
        .annotate(to_send=to_send, sent=sent)
        .distinct()
        .order_by("-created_at", "-pk")
    )


def issue_panel_context(ticket_ids: Iterable[int], form: Any = None) -> dict[str, Any]:
    return {"issues": issues_of(ticket_ids), "where": where_choices(), "where_default": where_default(), "form": form}


def ticket_issue_panel(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    return {"issue_panel": issue_panel_context([ticket.pk], forms.get("issue"))}
