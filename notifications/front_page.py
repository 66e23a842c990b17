"""A Hacker News story of ours reaching the front page: marked urgent and announced once.

Each HN poll asks Algolia which stories are on the front page now (`FetchResult.front_page_ids`).
A stored story of the channel found there for the first time gets, in one transaction: a
`FrontPageStory` row (unique per channel and story, so later polls do nothing), priority
"urgent", the `front-page` tag and a history event. The handbook sends front-page stories to
#community-advocates, so the story is announced there during coverage too: the row is the
message's outbox, posted after commit and retried with backoff by the urgent sweep. Its ticket's
urgent ping is settled by the same message (`UrgentPing.Status.FRONT_PAGE`), so the advocates are
told once, not once as front page and again as urgent after hours.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.adapters.slack.client import slack_escape, slack_link
from channels.models import Channel
from mentions.coverage import Coverage, coverage_load
from mentions.models import DutySettings, Message, Ticket, TicketEvent
from mentions.services.editing import priority_change, tags_add
from mentions.services.events import event_record
from notifications.models import FrontPageStory, UrgentPing
from notifications.rows import slack_rows_deliver

logger = logging.getLogger(__name__)

FRONT_PAGE_TAG = "front-page"
HN_ITEM_URL = "https://news.ycombinator.com/item?id={id}"
PER_RUN = 20


def front_page_seen(*, channel: Channel, story_ids: Iterable[str], now: datetime | None = None) -> list[FrontPageStory]:
    """Mark and queue the announcement of this channel's stored stories in `story_ids` seen on the
    front page for the first time. Returns the rows made (empty when every one was seen before)."""
    ids = sorted({str(i) for i in story_ids})
    if not ids:
        return []
    now = now or timezone.now()
    # A story is the ticket's root message: an inbound item without a parent.
    stories = {
        story_id: ticket_id
        for story_id, ticket_id in Message.objects.filter(
            channel=channel, external_id__in=ids, kind=Message.Kind.INBOUND, parent_external_id="", ticket__isnull=False
        ).values_list("external_id", "ticket_id")
        if story_id is not None  # matched by id, so always: said for the type checker
    }
    seen = set(
        FrontPageStory.objects.filter(channel=channel, story_id__in=list(stories)).values_list("story_id", flat=True)
    )
    duty = DutySettings.current()
    made = []
    for story_id, ticket_id in sorted(stories.items()):
        if story_id in seen:
            continue
        try:
            with transaction.atomic():
                row = FrontPageStory.objects.create(
                    channel=channel,
                    story_id=story_id,
                    ticket_id=ticket_id,
                    slack_channel=duty.advocates_channel,
                    next_attempt_at=now,
                )
                _mark(ticket_id, story_id)
        except IntegrityError:
            continue  # another poll of the same channel got there first
        made.append(row)
        logger.info("front page: channel=%s story %s (ticket %s) marked urgent", channel.slug, story_id, ticket_id)
    if made:
        # By name, and sent to the broker even in eager mode: the announcement is posted by a worker.
        from celery import current_app

        transaction.on_commit(lambda: current_app.send_task("notifications.front_page_announce"), robust=True)
    return made


def _mark(ticket_id: int, story_id: str) -> None:
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
    priority_change(ticket=ticket, priority=Ticket.Priority.URGENT, actor=None, via="Hacker News front page")
    ticket.save()
    tags_add(ticket=ticket, names=[FRONT_PAGE_TAG], actor=None)
    event_record(
        ticket=ticket,
        kind=TicketEvent.Kind.FRONT_PAGE,
        actor=None,
        story_id=story_id,
        url=HN_ITEM_URL.format(id=story_id),
    )
    # The announcement is this ticket's urgent message: no second one after hours.
    ping, made = UrgentPing.objects.get_or_create(
        ticket_id=ticket_id,
        defaults={"status": UrgentPing.Status.FRONT_PAGE, "reasons": ["Hacker News front page"]},
    )
    if not made and ping.status == UrgentPing.Status.PENDING:
        UrgentPing.objects.filter(pk=ping.pk).update(status=UrgentPing.Status.FRONT_PAGE)


def front_page_text(
    *, row: FrontPageStory, ticket: Ticket | None, mention: str, coverage: Coverage, now: datetime
) -> str:
    head = f"{mention} " if mention else ""
    discussion = slack_link(HN_ITEM_URL.format(id=row.story_id), "discussion")
    desk = slack_link(ticket.get_desk_url(), f"#{ticket.pk} {ticket.subject}"[:150].replace("|", "¦")) if ticket else ""
    when = (
        ""
        if coverage.covers(now)
        else f" Outside coverage: it resumes {coverage.next_start(now):%a %Y-%m-%d %H:%M} UTC."
    )
    return (
        f"{head}:fire: Our Hacker News story is on the front page: {desk or slack_escape(row.story_id)}"
        f" · {discussion}.{when}"
    )


def front_page_announce(*, now: datetime | None = None, limit: int = PER_RUN) -> int:
    """Post the pending announcements that are due (notifications.rows). Returns how many."""
    now = now or timezone.now()
    duty = DutySettings.current()
    coverage = coverage_load()
    pending = (
        FrontPageStory.objects.select_related("ticket", "ticket__channel")
        .filter(status=FrontPageStory.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
    )
    return slack_rows_deliver(
        pending=pending,
        text_for=lambda row: front_page_text(
            row=row, ticket=row.ticket, mention=duty.advocates_mention, coverage=coverage, now=now
        ),
        channel_for=lambda row: row.slack_channel or duty.advocates_channel,
        now=now,
        limit=limit,
        what="front-page announcement",
    )
