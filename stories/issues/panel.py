"""What the Issue panels show: the issues a ticket (or a story's tickets) point to, with their state and the
follow-ups still to send, and where a new one would be filed. Registered on the ticket page by stories.apps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest

from advocacy.desk_settings import desk_setting
from mentions.models import IssueLink, IssueTicket, Ticket
from mentions.ticket_page.panels import ticket_has
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


def issue_panel_context(
    ticket_ids: Iterable[int], form: Any = None, *, issues: list[IssueLink] | None = None
) -> dict[str, Any]:
    """The panel's context; `issues` when the caller knows them already (a ticket without any)."""
    return {
        "issues": issues_of(ticket_ids) if issues is None else issues,
        # Where a new issue is filed: the trackers' channels and the default place, kept with the desk's settings
        # (advocacy.desk_settings: bumped when a channel or the issue settings change), not read on every page.
        "where": desk_setting("issues:where", where_choices),
        "where_default": desk_setting("issues:where-default", where_default),
        "form": form,
    }


def ticket_issue_panel(request: HttpRequest, ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    # Whether the ticket points to any issue is read with the page's ticket (TicketPanel.rows): most do not.
    issues: list[IssueLink] | None = None if ticket_has(ticket, IssueTicket) else []
    return {"issue_panel": issue_panel_context([ticket.pk], forms.get("issue"), issues=issues)}


def ticket_issue_fold(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """The ticket page's "File or link an issue" opened (mentions.ticket_page.folds): where to file, not the issues."""
    return {"issue_panel": issue_panel_context([ticket.pk], issues=[])}
