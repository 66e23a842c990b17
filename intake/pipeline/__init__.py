"""Ingest: a page of normalised mentions stored as sets, in one transaction with the cursor.

The stages, in order, each reading and writing the whole page (the same numbers open each stage's module and
number the pipeline line of docs/architecture.md; intake/tests/test_pipeline_stages.py checks all three and the
order of the calls below):

 1. validate: one mention per id, each as it will be stored (`validate.validate`)
 2. lookup: which ids are stored, and the tickets the page refers to (`lookup.lookup`)
 3. team: our accounts' and team members' items, never new tickets (`team.team_recognise`; TeamMembersHook)
 4. thread: each item joins a ticket or opens one, in memory (`thread.thread`)
 5. stored tickets: a new ticket our reply answered waits on the requester; stored tickets locked and
    updated (`clocks.new_tickets_answered`, `clocks.stored_tickets_update`)
 6. ids: the new tickets' and messages' ids reserved (`store.ids_take`)
 7. authors: messages tied to the people who wrote them (`authors.authors_stage`; AuthorsHook)
 8. messages ∥ triage: the messages written while the rules run over the page (`triage.triage_load`,
    `store.messages_begin`, `triage.triage_plan`, `triage.triage_apply`)
 9. clocks: the new tickets' due times, once the rules tagged them (`clocks.new_tickets_clock`)
10. store: tickets, the rules' notes and tags (`store.store`)
11. team answers: what the team members' replies answered (`_team_answers`; TeamAnswersHook)
12. edits: items seen again, our desk-recorded replies linked, accepted answers marked (`seen_again.edits_apply`,
    `seen_again.marked_link`, `accepted.accepted_mark`; CommunityAnswersHook)
13. history: the page's ticket events (`history.history`)
14. notices: Slack lines for new tickets and rules (`_notices`; TicketNoticesHook)
15. cursor: saved in the same transaction

The mentions arrive cleaned (once, at the boundary: channels.adapters.guard); their values are stored as
they are. Apps above intake take part through the hooks it declares (intake.hooks): experts' team
members in stage 3 and answers in stage 11, people's credit for accepted answers in stage 12, notifications'
Slack lines in stage 14 and its urgency judgement after commit; they are never imported here. A crash anywhere
stores nothing of the page and leaves the cursor where it was; the page delivered again is stored exactly once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from channels.adapters.base import IncomingMention
from channels.models import Channel
from intake.hooks import StoredReply, TeamMember, notices_enqueue, team_answers_record, tickets_ingested_enqueue
from intake.pipeline.accepted import accepted_mark
from intake.pipeline.authors import authors_stage
from intake.pipeline.clocks import new_tickets_answered, new_tickets_clock, stored_tickets_update
from intake.pipeline.history import history
from intake.pipeline.lookup import lookup
from intake.pipeline.page import IngestResult, Page, ticket_id
from intake.pipeline.seen_again import edits_apply, marked_link
from intake.pipeline.store import ids_take, messages_begin, store
from intake.pipeline.team import team_recognise
from intake.pipeline.thread import thread
from intake.pipeline.triage import triage_apply, triage_load, triage_plan
from intake.pipeline.validate import validate
from mentions.coverage import coverage_load
from mentions.set_writes import write_lock

logger = logging.getLogger(__name__)

__all__ = ["IngestResult", "mentions_ingest"]


def mentions_ingest(
    *, channel: Channel, mentions: list[IncomingMention], cursor: dict[str, Any] | None = None
) -> IngestResult:
    """Store `mentions` for `channel` and, if given, save `cursor`, all in one transaction.

    Safe to call again with the same items: (channel, external id) is unique and already
    stored items are counted as duplicates. A follow-up whose parent or thread is in a
    ticket joins that ticket; a message by one of our accounts is our reply and never opens
    a ticket.
    """
    page = Page(
        channel=channel, now=timezone.now(), result=IngestResult(received=len(mentions)), coverage_loader=coverage_load
    )
    with transaction.atomic():
        # One ingest per channel at a time (a poll and an operator's backfill may overlap):
        # the duplicate check below is only exact while nobody else inserts for this channel.
        write_lock(Channel, channel.pk)
        usable = validate(page, mentions)
        lookup(page, usable)
        marked = team_recognise(page)
        thread(page, marked)
        new_tickets_answered(page)
        stored_tickets_update(page)
        ids_take(page)
        authors_stage(page)
        ruleset = triage_load(page)
        # The page's messages are written while the rules run over it (pure Python, no query).
        messages_written = messages_begin(page)
        try:
            planned = triage_plan(page, ruleset)
        finally:
            messages_written()
        triage_apply(page, planned)
        new_tickets_clock(page)
        store(page)
        _team_answers(page)
        edits_apply(page)
        marked_link(page)
        accepted_mark(page)
        history(page)
        _notices(page)
        if cursor is not None:
            Channel.objects.filter(pk=channel.pk).update(cursor=cursor)
            channel.cursor = cursor
        # Urgency and the SLA clock are judged after commit, on the tickets' state then.
        touched = [t.pk for t in page.new_tickets] + sorted(set(page.followed) | page.touched)
        if touched:
            tickets_ingested_enqueue(ticket_ids=touched)
    return page.result


class _Stored:
    """A stored message as the registered team hooks read it."""

    __slots__ = ("external_id", "permalink", "pk", "platform_created_at", "ticket_id")

    def __init__(self, pk: int, ticket_id: int | None, external_id: str, at: Any, permalink: str) -> None:
        self.pk, self.ticket_id, self.external_id = pk, ticket_id, external_id
        self.platform_created_at, self.permalink = at, permalink


def _team_answers(page: Page) -> None:
    """Registered hooks (experts) on the replies their members wrote in this page."""
    replies: list[tuple[StoredReply, TeamMember]] = [
        (
            _Stored(i.pk, ticket_id(i.ticket), i.external_id, i.created_at, i.mention.permalink),
            i.member,
        )
        for i in page.items
        if i.member is not None
    ]
    if replies:
        page.events.extend((e.ticket_id, e.kind, e.data) for e in team_answers_record(replies=replies))


def _notices(page: Page) -> None:
    """What registered apps tell about the page (notifications: Slack lines for the new tickets and
    the rules that asked for one). Best effort next to storing the mentions: in a savepoint, logged
    if it fails."""
    firsts = {i.external_id: i.mention.permalink for i in page.items}
    new = [(t, firsts.get(t.first_external_id, "")) for t in page.new_tickets]
    if not new and not page.rule_notices:
        return
    try:
        with transaction.atomic():
            notices_enqueue(channel=page.channel, new_tickets=new, rule_notices=page.rule_notices)
    except Exception:  # notices are best effort next to storing the mentions
        logger.exception(
            "ingest: channel=%s notices not queued for %d ticket(s)", page.channel.slug, len(page.new_tickets)
        )
