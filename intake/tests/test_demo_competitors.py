"""The demo's competitors (issue 70): seed_demo names two made-up competitors, and a poll of the demo's Hacker News
channel stores what the replay's search answers for their terms through the real path (the adapter's search, its
parser, the judgement), counted once across polls, never as tickets. Shapes: the replay's Algolia answers
(channels/adapters/hackernews/replay.py, which follows the recorded fixtures of
channels/adapters/hackernews/tests/fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.hackernews.replay import DEMO_SLUG
from channels.demo.competitors import DEMO_COMPETITORS, competitors_demo_ensure, sayings_between
from channels.models import Channel, Competitor, CompetitorMention
from channels.tests import demo_replay as demo
from channels.tests.factories import ChannelFactory
from channels.tests.harness import poll
from mentions.models import Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)


def said(term: str, since: datetime, until: datetime) -> int:
    """How many sayings the demo's timeline holds for `term` "posted" in (since, until]."""
    return len(sayings_between(term, since.timestamp() + 1, until.timestamp() + 1))


def test_a_demo_poll_stores_both_competitors_mentions_once_and_no_ticket_of_theirs():
    with time_machine.travel(NOW, tick=False) as clock:
        channel = ChannelFactory(slug=DEMO_SLUG, config={"keywords": ["gitlab"], "replay": True})
        assert competitors_demo_ensure() == "Demo: 2 competitor(s) named (Acme CI, Forgeworks)."
        assert competitors_demo_ensure().startswith("Demo: 0 competitor(s)")  # made once
        tickets = Ticket.objects.count()

        poll(channel)  # Acme CI's turn
        clock.move_to(NOW + timedelta(minutes=5))
        poll(channel)  # Forgeworks'
        counts = {c.name: c.mentions.count() for c in Competitor.objects.all()}
        assert set(counts) == set(DEMO_COMPETITORS)
        # A day's backfill of sayings: each term's on the timeline that day, some of them.
        day = {
            "Acme CI": said("acme ci", NOW - timedelta(days=1), NOW),
            "Forgeworks": said("forgeworks", NOW - timedelta(days=1), NOW),
        }
        assert counts == day and min(day.values()) >= 2
        sentiments = set(CompetitorMention.objects.values_list("sentiment", flat=True))
        assert {"positive", "negative"} <= sentiments
        # Only the desk's own demo block became tickets; the competitors' sayings did not.
        assert not Ticket.objects.filter(messages__body__icontains="acme").exists()
        assert Ticket.objects.filter(channel=channel).count() == Ticket.objects.count() - tickets

        # Ten minutes after Acme CI's next saying: it came due since; the day's others are not counted twice.
        _, posted, _ = sayings_between("acme ci", NOW.timestamp() + 1, NOW.timestamp() + 86_400)[-1]
        later = datetime.fromtimestamp(posted, UTC) + timedelta(minutes=10)
        clock.move_to(later)
        Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
        poll(channel)  # Acme CI again
        came = said("acme ci", NOW, later)
        assert came >= 1 and Competitor.objects.get(name="Acme CI").mentions.count() == day["Acme CI"] + came


def test_the_demo_bluesky_answers_a_competitor_search_with_posts_in_its_own_shape(settings):
    """The Bluesky replay answers a competitor's term with the same sayings in searchPosts' post views
    (channels/adapters/bluesky/replay.py), read by the real adapter."""
    settings.DESK_DEMO_REPLAY = True
    competitors_demo_ensure()
    with time_machine.travel(NOW, tick=False) as clock:
        channel = demo.channel("bluesky", NOW)
        poll(channel)
        clock.move_to(NOW + timedelta(minutes=5))
        Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
        poll(channel)
        found = CompetitorMention.objects.filter(channel=channel)
        # A day back at the first search: that day's sayings of each, by Bluesky handles.
        for name, term in (("Acme CI", "acme ci"), ("Forgeworks", "forgeworks")):
            assert found.filter(competitor__name=name).count() == said(term, NOW - timedelta(days=1), NOW) >= 2
        assert found.filter(author="rkoval.bsky.social").exists() and set(found.values_list("kind", flat=True)) == {
            "bluesky"
        }
        assert not Ticket.objects.filter(messages__body__icontains="forgeworks").exists()
