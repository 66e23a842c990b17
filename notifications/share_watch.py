"""A share to Slack is followed on the platform as an outreach is: the ticket's thread is watched
(mentions.services.watching, reason "share", as long as an outreach's), so a team member who read the share and
answers in public is seen even when the answer lacks the channel's keywords; the thread watcher takes every
team member's post (experts.team decides who). Their answer marks the share answered: an event on the ticket
naming the share, the answer and who wrote it, which the monthly report counts; the watch then ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from intake.hooks import StoredReply, TeamMember
from mentions.models import ThreadWatch, Ticket, TicketEvent
from mentions.services.watching import thread_watch_start, thread_watch_stop


@dataclass
class _Share:
    pk: int
    at: datetime
    channel: str


def share_thread_watch(*, ticket: Ticket) -> None:
    until = timezone.now() + timedelta(days=settings.DESK_WATCH_OUTREACH_DAYS)
    thread_watch_start(ticket=ticket, reason=ThreadWatch.Reason.SHARE, until=until)


def _open_shares(ticket_ids: set[int]) -> dict[int, list[_Share]]:
    """The tickets' shares not answered yet, oldest first: one query."""
    rows = (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind=TicketEvent.Kind.NOTE)
        .filter(Q(data__has_key="slack_share") | Q(data__has_key="share_answered"))
        .order_by("created_at", "pk")
        .values_list("pk", "ticket_id", "created_at", "data")
    )
    shares: dict[int, list[_Share]] = {}
    answered: set[int] = set()
    for pk, ticket_id, at, data in rows:
        if data.get("share_answered"):
            answered.add(data.get("share"))
        else:
            shares.setdefault(ticket_id, []).append(_Share(pk, at, str(data["slack_share"])))
    return {t: [s for s in found if s.pk not in answered] for t, found in shares.items()}


def share_answers_record(*, replies: list[tuple[StoredReply, TeamMember]]) -> list[TicketEvent]:
    """intake's TeamAnswersHook: a team member's public answer after a share answers it (every share of the
    ticket made before the answer). Returns the events for the ingest to insert; ends the answered tickets'
    share watch. Inside the ingest's transaction."""
    replies = [(m, who) for m, who in replies if m.ticket_id is not None]
    if not replies:
        return []
    shares = _open_shares({m.ticket_id for m, _ in replies if m.ticket_id is not None})
    events: list[TicketEvent] = []
    for message, who in sorted(replies, key=lambda r: r[0].platform_created_at):
        ticket_id = message.ticket_id
        if ticket_id is None:
            continue
        waiting = shares.get(ticket_id, [])
        before = [s for s in waiting if s.at <= message.platform_created_at]
        shares[ticket_id] = [s for s in waiting if s not in before]
        events.extend(
            TicketEvent(
                ticket_id=ticket_id,
                kind=TicketEvent.Kind.NOTE,
                data={
                    "share": share.pk,
                    "share_answered": share.channel,
                    "answer_seconds": max(0, int((message.platform_created_at - share.at).total_seconds())),
                    "external_id": message.external_id,
                    "link": message.permalink,
                    "user_id": who.user_id,
                    "expert_id": who.expert_id,
                },
            )
            for share in before
        )
    done = {e.ticket_id for e in events if not shares.get(e.ticket_id)}
    if done:
        thread_watch_stop(ticket_ids=done, reason=ThreadWatch.Reason.SHARE)
    return events
