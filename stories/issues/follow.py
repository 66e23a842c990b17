"""The desk follows each open linked issue to its end (beat: `stories.issues_follow`, every minute).

An issue is read at most every `DESK_ISSUE_FOLLOW_MINUTES` (15; one request: GitLab ``GET /projects/:id/issues/:iid``,
GitHub ``GET /repos/{o}/{r}/issues/{n}``, Jira ``GET /rest/api/3/issue/{key}``, Linear's ``issue(id:)``), the longest
unread first, at most `PER_CHANNEL` a run per channel; a channel that
says its rate limit is used up (`RateLimited`) is left alone for the rest of the run. When an issue is read closed
(as fixed) or with a milestone it did not have, each of its tickets gets one drafted follow-up for that event
(IssueFollowUp, unique per issue, ticket and event: a second run drafts nothing more) and a line in its history;
an advocate sends them all with one press (stories.issues.sending). Idempotent: run twice, it changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.adapters import base
from channels.adapters.issues import IssueRef, IssueState, issue_read
from channels.http import build_session
from mentions.models import IssueLink, IssueTicket, Ticket, TicketEvent
from mentions.services.events import event_record
from people.erasing import ERASED
from stories.answering.drafts import ticket_draft
from stories.issues.text import followup_answer
from stories.models import IssueFollowUp

logger = logging.getLogger(__name__)

PER_CHANNEL = 30  # reads a run per channel: a GitLab poll's default request budget
BATCH = 500


def issues_follow(*, now: datetime | None = None, session: requests.Session | None = None) -> dict[str, int]:
    """Read the due issues; draft the follow-ups of those that closed or got a milestone. Returns counts."""
    now = now or timezone.now()
    session = session or build_session()
    every = timedelta(minutes=settings.DESK_ISSUE_FOLLOW_MINUTES)
    due = (
        IssueLink.objects.filter(state=IssueLink.State.OPEN, channel__isnull=False, channel__enabled=True)
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=now - every))
        .select_related("channel")
        .order_by(F("last_checked_at").asc(nulls_first=True), "pk")[:BATCH]
    )
    counts = {"read": 0, "failed": 0, "drafted": 0}
    spent: dict[int, int] = {}
    limited: set[int] = set()
    for link in due:
        channel = link.channel
        assert channel is not None  # filtered above
        if channel.pk in limited or spent.get(channel.pk, 0) >= PER_CHANNEL:
            continue
        spent[channel.pk] = spent.get(channel.pk, 0) + 1
        try:
            state = issue_read(channel=channel, session=session, ref=IssueRef(link.project, link.number))
        except base.RateLimited as exc:
            limited.add(channel.pk)
            _failed(link, now, f"Rate limited: {exc}")
            counts["failed"] += 1
            continue
        except Exception as exc:  # one issue gone or refused must not stop the others
            logger.warning("issues: reading %s (link %s) failed: %s", link, link.pk, exc)
            _failed(link, now, str(exc) or exc.__class__.__name__)
            counts["failed"] += 1
            continue
        counts["read"] += 1
        counts["drafted"] += issue_state_record(link=link, state=state, now=now)
    return counts


def _failed(link: IssueLink, now: datetime, error: str) -> None:
    IssueLink.objects.filter(pk=link.pk).update(last_checked_at=now, check_error=error[:500], updated_at=now)


def _event_of(link: IssueLink, state: IssueState) -> str:
    """What happened since the last read: the issue closed as fixed, or got a milestone; "" otherwise."""
    if state.state == "closed":
        return IssueFollowUp.Event.CLOSED if state.fixed else ""
    if state.milestone and state.milestone != link.milestone:
        return IssueFollowUp.Event.MILESTONE
    return ""


def issue_state_record(*, link: IssueLink, state: IssueState, now: datetime) -> int:
    """Keep what was read; on an event, the history of each ticket says so and each gets its drafted follow-up.
    Returns how many follow-ups were drafted."""
    with transaction.atomic():
        locked = IssueLink.objects.select_for_update().get(pk=link.pk)
        event = _event_of(locked, state)
        locked.state = IssueLink.State.CLOSED if state.state == "closed" else IssueLink.State.OPEN
        locked.milestone, locked.closed_at = state.milestone, state.closed_at
        if ERASED not in locked.title:  # erased for a person (stories.privacy): not read back from the tracker
            locked.title = state.title or locked.title
        locked.url = state.url or locked.url
        locked.last_checked_at, locked.check_error = now, ""
        locked.save()
        if not event:
            return 0
        return followups_draft(link=locked, event=event)


def followups_draft(*, link: IssueLink, event: str) -> int:
    """One follow-up per linked ticket for `event` (those it has already are kept), each addressed as that
    platform's story drafts are and sent from the ticket's replying handle (stories.answering.drafts.ticket_draft)."""
    answer = followup_answer(event=event, milestone=link.milestone)
    have = set(IssueFollowUp.objects.filter(issue=link, event=event).values_list("ticket_id", flat=True))
    ids = [i for i in IssueTicket.objects.filter(issue=link).values_list("ticket_id", flat=True) if i not in have]
    tickets = Ticket.objects.filter(pk__in=ids, merged_into__isnull=True).select_related("channel")
    made = 0
    for ticket in tickets.prefetch_related("messages").order_by("pk"):
        try:
            draft = ticket_draft(ticket=ticket, answer=answer, link=link.url)
        except Exception:  # one ticket's odd channel must not stop the others' follow-ups
            logger.exception("issues: no follow-up for ticket %s of issue link %s", ticket.pk, link.pk)
            continue
        IssueFollowUp.objects.create(
            issue=link,
            ticket=ticket,
            event=event,
            milestone=link.milestone,
            body=draft.body,
            handle=draft.handle,
            plan_note=draft.note,
        )
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.ISSUE,
            actor=None,
            action="event",
            event=event,
            issue=str(link),
            url=link.url,
            milestone=link.milestone,
        )
        made += 1
    return made
