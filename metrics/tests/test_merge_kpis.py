"""A merge keeps the KPI figures exact: computed by hand before and after, and the rollups agree
with the computation from the source rows."""

from datetime import date

import pytest

from channels.tests.factories import ChannelFactory
from mentions.models import Message, Target, Ticket
from mentions.services import ticket_merge
from mentions.tests.factories import AdvocateFactory, MessageFactory
from metrics import first_reply, rollups
from metrics.tests.factories import at, ticket_make

pytestmark = pytest.mark.django_db
HOUR = 3600
NOW = at(30, 23)


def figures(channel):
    """The figures of November for `channel`, from the rollups and from the source rows."""
    kwargs = {"start": date(2026, 11, 1), "end": date(2026, 11, 30), "channel_id": channel.pk}
    targets = Target.hours()
    rollups.rollups_refresh()
    rolled = first_reply._first_reply_figures_rollup(**kwargs, now=NOW, targets=targets)["all"]
    rows = first_reply._first_reply_figures_rows(**kwargs)
    exact = first_reply.first_reply_figures_python(rows, now=NOW, targets=targets)["all"]
    assert rolled == exact
    return {k: rolled[k] for k in ("replied", "unreplied", "solved_without_reply", "p50", "p90")}


def test_merging_a_replied_ticket_into_its_follow_up_counts_the_conversation_once():
    channel = ChannelFactory(high_priority=False)
    # Tue 2026-11-10: a question at 10:00 answered at 12:00 (2 h); the requester's follow-up at
    # 11:00 did not thread and opened a ticket of its own. Wed 11: another question, 4 h.
    first = ticket_make(channel=channel, requested_at=at(10, 10), frt_seconds=2 * HOUR, status=Ticket.Status.PENDING)
    MessageFactory(ticket=first, channel=channel, platform_created_at=at(10, 10))
    MessageFactory(ticket=first, channel=channel, kind=Message.Kind.OUR_REPLY, platform_created_at=at(10, 12))
    follow_up = ticket_make(channel=channel, requested_at=at(10, 11), status=Ticket.Status.NEW)
    MessageFactory(ticket=follow_up, channel=channel, platform_created_at=at(10, 11))
    ticket_make(channel=channel, requested_at=at(11, 9), frt_seconds=4 * HOUR)

    # By hand: 3 tickets; replied in 2 h and 4 h; the follow-up waits. Median 3 h, p90 3.8 h.
    before = {"replied": 2, "unreplied": 1, "solved_without_reply": 0, "p50": 3 * HOUR, "p90": 3.8 * HOUR}
    assert figures(channel) == before

    target = ticket_merge(source=first, target_id=follow_up.pk, user=AdvocateFactory())

    # The follow-up's ticket now holds the conversation: asked at 10:00, first answered at 12:00
    # (2 h, not the 1 h a naive move would give from 11:00). The first ticket is closed without a
    # reply of its own: each reply counted once, the median unchanged, nothing left waiting.
    target.refresh_from_db()
    assert (target.requested_at, target.first_reply_at, target.first_reply_seconds) == (at(10, 10), at(10, 12), 7200)
    # Our 12:00 reply is the latest message of the merged conversation: it waits on the requester.
    assert target.status == Ticket.Status.PENDING and target.messages.count() == 3
    after = {"replied": 2, "unreplied": 1, "solved_without_reply": 1, "p50": 3 * HOUR, "p90": 3.8 * HOUR}
    assert figures(channel) == after
