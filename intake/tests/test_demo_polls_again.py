"""The demo after `seed_demo`, polled as the beat polls it (`make run`: every due channel read by its real adapter
against the demo network, watched threads read): each thread stays one ticket, and the desk only gains the week's
posts that come due. A user saw the Show HN thread come back as four tickets in 20 minutes: the Hacker News replay
served its samples round and round under new ids. The platforms' shapes come from each kind's replay module
(channels/adapters/<kind>/replay.py), which names the recorded fixture or API reference page it follows."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from channels.adapters.registry import pushed_kinds
from channels.demo.week import THREADS, thread_start
from channels.models import Channel
from intake.services.polling import channel_mark_dispatched, channel_poll, channels_due
from intake.services.watching import threads_watch_due
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db

# Before the morning's posts (X at 08:00, Bluesky at 09:00 UTC): the demo's first hour brings one of them, its day both.
SEEDED_AT = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)


def _beat(clock: time_machine.Traveller, *, until: datetime, every: timedelta) -> None:
    """What beat and the worker do until `until`: each tick the due channels polled (intake.poll_due's dispatch,
    then intake.poll) and the due watched threads read (intake.watch_threads)."""
    now = SEEDED_AT
    while now < until:
        now += every
        clock.move_to(now)
        for channel_id in channels_due():
            if channel_mark_dispatched(channel_id=channel_id):
                channel_poll(channel_id=channel_id)
        threads_watch_due()


def _tickets_by_kind() -> Counter[str]:
    return Counter(Ticket.objects.values_list("channel__kind", flat=True))


def _released(after: datetime, until: datetime) -> Counter[str]:
    """The week's threads that open in (after, until] on a polled channel: the only new tickets a poll may make."""
    pushed = pushed_kinds()
    return Counter(
        thread.kind
        for thread in THREADS
        if thread.kind not in pushed and after < thread_start(thread, SEEDED_AT) <= until
    )


def _assert_each_post_in_one_ticket() -> None:
    """No post's text in two tickets of a channel: a thread served again under new ids shows as exactly that."""
    tickets_of: dict[tuple[int, str], set[int]] = {}
    for channel_id, ticket_id, body in Message.objects.values_list("channel_id", "ticket_id", "body"):
        tickets_of.setdefault((channel_id, body), set()).add(ticket_id)
    twice = {body[:60]: sorted(ids) for (_, body), ids in tickets_of.items() if len(ids) > 1}
    assert twice == {}


@pytest.mark.parametrize(
    ("span", "every"), [(timedelta(hours=1), timedelta(seconds=30)), (timedelta(days=1), timedelta(minutes=30))]
)
@override_settings(DESK_DEMO_REPLAY=True)
def test_polling_the_seeded_demo_makes_no_ticket_twice_and_only_what_comes_due(span, every):
    with time_machine.travel(SEEDED_AT, tick=False) as clock:
        call_command("seed_demo", stdout=StringIO())
        seeded = _tickets_by_kind()
        hacker_news = Channel.objects.get(slug="hn-demo")
        hacker_news_posts = Message.objects.filter(channel=hacker_news).count()
        assert seeded[hacker_news.kind] > 0
        _assert_each_post_in_one_ticket()

        _beat(clock, until=SEEDED_AT + span, every=every)

        released = _released(SEEDED_AT, SEEDED_AT + span)
        assert sum(released.values()) >= 1  # the span sees the week bring a thread, so the count is not trivially still
        assert _tickets_by_kind() == seeded + released
        assert Message.objects.filter(channel=hacker_news).count() == hacker_news_posts  # nothing served again
        _assert_each_post_in_one_ticket()
        assert Channel.objects.filter(enabled=True, health=Channel.Health.FAILING).count() == 0
