"""A Reddit backlog larger than one poll's request budget drains over successive polls through the real poll
service (`channel_poll`), each poll's items stored with the cursor just after them: nothing lost, nothing
twice; a poison entry on a page is quarantined while the rest of the page is stored and the cursor moves."""

import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.conf import settings

from channels.adapters.reddit import API_URL, PAGE_SIZE
from channels.adapters.reddit.tests.test_reddit_adapter import RATELIMIT, listing, mock_token, post, reddit_channel
from channels.models import Channel, DeadLetter
from channels.tests.harness import poll, stored
from mentions.models import Message

pytestmark = pytest.mark.django_db


class FakeListing:
    """One Reddit listing (`/r/{sub}/new` or `/search`) over a set of things, as Reddit serves it: newest
    first, `limit` a page, `after=<fullname>` the things below that one, and the page's `after` naming its
    last thing while more remain (null at the end)."""

    def __init__(self, path, things, *, query=None):
        self.things = list(things)
        self.query = query or {}
        self.requests = []
        responses.add_callback(responses.GET, API_URL + path, callback=self.answer)

    def add(self, things):
        self.things += things

    def answer(self, request):
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        self.requests.append(params)
        assert params["raw_json"] == "1" and "before" not in params
        assert all(params.get(k) == v for k, v in self.query.items())
        ordered = sorted(self.things, key=lambda t: (t["data"]["created_utc"], t["data"]["name"]), reverse=True)
        start = 0
        if "after" in params:
            names = [t["data"]["name"] for t in ordered]
            start = names.index(params["after"]) + 1
        chosen = ordered[start : start + int(params["limit"])]
        more = start + len(chosen) < len(ordered)
        body = listing(chosen, after=chosen[-1]["data"]["name"] if more and chosen else None)
        return 200, RATELIMIT, json.dumps(body)


STREAMS: dict[str, tuple[dict[str, Any], str, dict[str, str]]] = {
    # stream: (config, path, query the fake checks)
    "new": ({"subreddits": ["gitlab"], "include_comments": False}, "/r/gitlab/new", {}),
    "search": ({"keywords": ["gitlab"]}, "/search", {"q": "gitlab", "sort": "new", "type": "link"}),
}


@responses.activate
@pytest.mark.parametrize("stream", STREAMS)
def test_reddit_backlog_larger_than_budget_drains_over_successive_polls(stream):
    config, path, query = STREAMS[stream]
    now = int(time.time())
    budget = 3  # pages a poll may read: 300 items
    backlog = [post(f"b{n}", now - 20 * 3600 + n * 60, title=f"backlog {n}") for n in range(537)]
    channel = reddit_channel(**config, max_requests_per_poll=budget)
    mock_token()
    fake = FakeListing(path, backlog, query=query)

    received, cursors, arrived = [], [channel.cursor], []
    for number in range(1, 12):
        calls = len(fake.requests)
        outcome = poll(channel)
        assert outcome.status == "ok", outcome.error
        assert len(fake.requests) - calls <= budget
        assert outcome.result is not None
        received.append(outcome.result.received)
        if outcome.result.received:
            assert channel.cursor != cursors[-1]  # the cursor moved with what was stored
        cursors.append(channel.cursor)
        key = next(iter(channel.cursor["streams"]))
        if "resume" in channel.cursor["streams"][key]:
            # A backlog remains: the next poll comes soon, not after the channel's interval.
            assert channel.next_poll_at <= channel.last_polled_at + timedelta(
                seconds=settings.DESK_BACKLOG_REPOLL_SECONDS
            )
        if number == 1:
            # Posts arriving mid-drain are read by the next poll's newest-first check, the backlog goes on.
            arrived = [post(f"new{i}", now - 30 + i, title=f"new {i}") for i in range(3)]
            fake.add(arrived)
        if outcome.result.received == 0:
            break
    print(f"\nreddit {stream} backlog: 537 posts + 3 arriving, budget {budget} pages, per-poll received {received}")

    # A full budget, then (one request spent on the newest page) the budget less one, then the rest.
    assert received == [budget * PAGE_SIZE, (budget - 1) * PAGE_SIZE + 3, 37, 0]
    ids = list(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == 540  # every post stored exactly once
    assert set(ids) == {t["data"]["name"] for t in backlog + arrived}
    state = channel.cursor["streams"][key]
    assert "resume" not in state and state["created_utc"] == now - 28
    assert channel.health == Channel.Health.OK and not DeadLetter.objects.filter(channel=channel).exists()
    # Each poll's items are stored oldest first.
    in_order = stored(channel, order="stored")
    first_poll = in_order[: budget * PAGE_SIZE]
    assert first_poll == sorted(first_poll, key=lambda name: int(name.removeprefix("t3_b")))


@responses.activate
def test_a_poison_entry_is_quarantined_and_the_rest_of_its_page_stored_with_the_cursor_moved():
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    good = [post(f"g{n}", now - 600 + n) for n in range(4)]
    poison = post("bad", now - 300, created_utc=float("nan"))  # JSON NaN: no usable time
    things = [good[3], poison, "not a thing", good[2], good[1], good[0]]
    responses.get(API_URL + "/r/gitlab/new", body=json.dumps(listing(things)), headers=RATELIMIT)

    outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    assert outcome.result is not None
    assert (outcome.result.created, outcome.result.quarantined) == (4, 2)
    assert stored(channel) == sorted(t["data"]["name"] for t in good)
    letters = {d.external_id: d.error for d in DeadLetter.objects.filter(channel=channel)}
    assert set(letters) == {"t3_bad", ""}
    assert "created_utc" in letters["t3_bad"] and "not a {kind, data} object" in letters[""]
    assert channel.cursor["streams"]["r/gitlab/new"]["created_utc"] == now - 597  # moved past the page
    assert channel.health == Channel.Health.OK

    again = poll(channel)  # the same page: nothing stored twice, the dead letters counted on their rows
    assert again.result is not None
    assert again.status == "ok" and again.result.created == 0
    assert DeadLetter.objects.filter(channel=channel).count() == 2


@responses.activate
def test_a_listing_whose_children_is_not_a_list_is_quarantined_not_retried_forever():
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    body = {"kind": "Listing", "data": {"after": None, "children": {"kind": "t3"}}}
    responses.get(API_URL + "/r/gitlab/new", json=body, headers=RATELIMIT)

    outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    assert outcome.result is not None
    assert (outcome.result.created, outcome.result.quarantined) == (0, 1)
    assert "children" in DeadLetter.objects.get(channel=channel).error
    assert channel.health == Channel.Health.OK and channel.consecutive_failures == 0
