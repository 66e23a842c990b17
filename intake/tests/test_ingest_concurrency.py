"""Ingestion under real concurrency: separate PostgreSQL connections, released together."""

import json
import time

import pytest
import responses

from channels.adapters.hackernews import SEARCH_URL, HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from intake.services.polling import channel_poll
from mentions.models import Message, Ticket
from mentions.tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)
T = 1_700_000_000  # a Unix time in the past (2023): the parser refuses times in the future


def test_overlapping_deliveries_at_once_store_every_item_exactly_once():
    channel = ChannelFactory()
    adapter = HackerNewsAdapter()
    stories = [story_hit(1000 + s, T + s) for s in range(10)]
    comments = [comment_hit(2000 + i, T + 100 + i, parent_id=1000 + i % 10, story_id=1000 + i % 10) for i in range(90)]
    everything = stories + comments
    # Eight workers deliver overlapping windows of the same 100 items (a backfill racing a poll).
    windows = [everything[i * 10 : i * 10 + 40] + stories for i in range(8)]

    results = at_once(
        8, lambda i: mentions_ingest(channel=channel, mentions=adapter.parse_payload(search_page(windows[i])))
    )

    assert Message.objects.filter(channel=channel).count() == len({h["objectID"] for w in windows for h in w})
    assert sum(r.created for r in results) == Message.objects.count()
    assert Ticket.objects.count() == 10  # every comment threaded into its story's ticket
    assert sum(r.tickets_created for r in results) == 10


@responses.activate
def test_two_polls_of_one_channel_never_overlap():
    channel = ChannelFactory()

    def slow_search(request):
        time.sleep(0.5)  # the platform is slow: the second poll arrives while the first runs
        return 200, {}, json.dumps(search_page([story_hit(1, int(time.time()))]))

    responses.add_callback(responses.GET, SEARCH_URL, callback=slow_search)
    statuses = at_once(2, lambda i: channel_poll(channel_id=channel.pk).status)
    assert sorted(statuses) == ["locked", "ok"]
    assert len([c for c in responses.calls if (c.request.url or "").startswith(SEARCH_URL)]) == 1  # one search
    assert Ticket.objects.count() == 1
