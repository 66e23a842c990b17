"""The person's answers to the DMs the desk sent (issue 60, "DMs both ways"), read in the channel's poll.

A DM sent from a ticket (mentions.services.direct_messages, `Message.Kind.DIRECT`) has its conversation watched for
`DESK_DM_WATCH_DAYS` after it was sent, and no longer once its ticket has been solved `DESK_DM_SOLVED_DAYS`. Each
poll of the channel, after its items are stored, hands the watched conversations to the adapter's `direct_replies`
(channels.adapters.direct) within `DESK_DM_REQUESTS_PER_POLL` requests; what comes back is the person's messages,
private and hinted to the ticket, stored through the poll's own path (`mentions_store`: cleaned, deduplicated by
platform id, a bad item quarantined). The pipeline keeps them on the same ticket as `Message.Kind.PRIVATE` and
reopens the ticket as a follow-up does (intake.pipeline.clocks).

Each conversation's cursor is kept on our DM's row (`raw["desk_dm_cursor"]`, what the platform answered the send
with otherwise), saved only after what was read is stored: a poll killed in between reads the same messages again
and stores them once. A failure to read is logged and leaves the cursors as they were; it never fails the poll,
whose items are already stored.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from channels.adapters import AdapterError
from channels.adapters.adapter import Adapter
from channels.adapters.direct import DirectConversation
from channels.http import PollBudget, build_session
from channels.models import Account, Channel
from intake.pipeline import IngestResult
from intake.services.quarantine import mentions_store
from mentions.models import Message, Ticket

logger = logging.getLogger(__name__)

CURSOR_KEY = "desk_dm_cursor"
# The most conversations a channel reads in one poll (the oldest cursors first): the requests budget bounds it too.
PER_POLL = 50


def conversations_watched(channel: Channel, *, now: datetime) -> list[DirectConversation]:
    """The DMs sent from the channel's tickets whose conversations are still read, least recently read first; three
    queries whatever their number (the DMs with their tickets, the mentions they answered, the accounts)."""
    solved_long = Q(
        ticket__status=Ticket.Status.SOLVED, ticket__solved_at__lt=now - timedelta(days=settings.DESK_DM_SOLVED_DAYS)
    )
    sent = list(
        Message.objects.filter(
            channel=channel,
            kind=Message.Kind.DIRECT,
            ticket__isnull=False,
            platform_created_at__gte=now - timedelta(days=settings.DESK_DM_WATCH_DAYS),
        )
        .exclude(solved_long)
        # Least recently read first in the query itself, so that past PER_POLL watched DMs the newest are not left
        # out of every poll: a DM never read has no cursor and comes first.
        .order_by(F(f"raw__{CURSOR_KEY}__read_at").asc(nulls_first=True), "platform_created_at", "pk")[:PER_POLL]
    )
    if not sent:
        return []
    people = {
        m.external_id: m
        for m in Message.objects.filter(channel=channel, external_id__in={m.parent_external_id for m in sent})
    }
    accounts = {
        a.username: a for a in Account.objects.filter(channel=channel, username__in={m.author_handle for m in sent})
    }
    conversations = []
    for dm in sent:
        account, person = accounts.get(dm.author_handle), people.get(dm.parent_external_id)
        if account is None or person is None or dm.ticket_id is None:
            continue  # the account was removed, or the mention is gone: nobody to read it as, nobody to read for
        raw = dict(dm.raw or {})
        cursor = raw.pop(CURSOR_KEY, None)
        conversations.append(
            DirectConversation(
                key=str(dm.pk),
                ticket_id=dm.ticket_id,
                account=account,
                sent_id=dm.external_id or "",
                sent_raw=raw,
                sent_at=dm.platform_created_at,
                person_handle=person.author_handle,
                person_raw=person.raw or {},
                cursor=cursor if isinstance(cursor, dict) else {},
            )
        )
    # A conversation read least recently goes first, so a small budget still reaches every one in turn.
    return sorted(conversations, key=lambda c: str(c.cursor.get("read_at", "")))


def direct_replies_read(*, channel: Channel, adapter: Adapter, now: datetime | None = None) -> IngestResult:
    """Read the channel's watched DM conversations and store the person's new messages. Never raises for the
    platform's failures (logged; the cursors stay)."""
    if not adapter.offers("direct_replies"):
        return IngestResult()
    now = now or timezone.now()
    conversations = conversations_watched(channel, now=now)
    if not conversations:
        return IngestResult()
    budget = PollBudget(settings.DESK_DM_REQUESTS_PER_POLL)
    try:
        read = adapter.direct_replies(
            channel=channel, session=build_session(), conversations=conversations, budget=budget
        )
    except AdapterError as exc:
        logger.warning("poll: channel=%s direct messages not read: %s", channel.slug, exc)
        return IngestResult()
    result = mentions_store(channel=channel, mentions=read.mentions, rejected=read.rejected)
    read_dms = list(Message.objects.filter(pk__in=[int(k) for k in read.cursors]).only("pk", "raw"))
    for dm in read_dms:
        dm.raw = {**(dm.raw or {}), CURSOR_KEY: {**read.cursors[str(dm.pk)], "read_at": now.isoformat()}}
    Message.objects.bulk_update(read_dms, ["raw"])
    if read.mentions:
        logger.info(
            "poll: channel=%s %d direct message(s) read, %d stored", channel.slug, len(read.mentions), result.created
        )
    return result
