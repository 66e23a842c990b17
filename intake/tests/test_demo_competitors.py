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
from channels.demo.competitors import DEMO_COMPETITORS, competitors_demo_ensure
from channels.models import Channel, Competitor, CompetitorMention
from channels.tests import demo_replay as demo
from channels.tests.factories import ChannelFactory
from channels.tests.harness import poll
from mentions.models import Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)


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
        # A day's backfill of sayings, Acme CI's one every 4 hours and Forgeworks' every 6: six and four.
        assert counts == {"Acme CI": 6, "Forgeworks": 4}
        sentiments = set(CompetitorMention.objects.values_list("sentiment", flat=True))
        assert {"positive", "negative"} <= sentiments
        # Only the desk's own demo block became tickets; the competitors' sayings did not.
        assert not Ticket.objects.filter(messages__body__icontains="acme").exists()
        assert Ticket.objects.filter(channel=channel).count() == Ticket.objects.count() - tickets

        clock.move_to(NOW + timedelta(hours=3, minutes=10))
        Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
        poll(channel)  # Acme CI again: one saying came due since (08:00); the day's others are not counted twice
        assert Competitor.objects.get(name="Acme CI").mentions.count() == 7


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
        # A day back at the first search: six sayings of Acme CI and four of Forgeworks, by Bluesky handles.
        assert found.filter(competitor__name="Acme CI").count() == 6
        assert found.filter(competitor__name="Forgeworks").count() == 4
        assert found.filter(author="rkoval.bsky.social").exists() and set(found.values_list("kind", flat=True)) == {
            "bluesky"
        }
        assert not Ticket.objects.filter(messages__body__icontains="forgeworks").exists()
