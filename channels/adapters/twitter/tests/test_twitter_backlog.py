"""An X backlog larger than one poll's request budget drains over successive polls through the real poll
service (`channel_poll`), each page stored with the cursor just after it: nothing lost, nothing twice."""

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.conf import settings

from channels.adapters.twitter import MAX_PAGES_PER_SOURCE, MENTIONS_URL, SEARCH_URL
from channels.adapters.twitter.tests.test_twitter_poll import (
    ALICE,
    MAIN_ID,
    ONE_HANDLE,
    recent_id,
    tweet,
    twitter_channel,
)
from channels.models import Channel
from channels.tests.harness import stored
from intake.services.polling import channel_poll
from mentions.models import Message

pytestmark = pytest.mark.django_db

MAIN_MENTIONS = MENTIONS_URL.format(user_id=MAIN_ID)


class FakeX:
    """One X endpoint over a set of posts: newest first, `since_id`/`until_id` exclusive, `max_results` a
    page, and a next token that names the last post of the page (X's tokens are stable the same way)."""

    def __init__(self, url, page_param, posts):
        self.posts = {p["id"]: p for p in posts}
        self.page_param = page_param
        self.calls = 0
        self.fail_once: set[str] = set()  # page tokens answered once with a 500 (a 503 the session asks again)
        responses.add_callback(responses.GET, url, callback=self.answer)

    def add(self, posts):
        self.posts.update({p["id"]: p for p in posts})

    def answer(self, request):
        self.calls += 1
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        if params.get(self.page_param) in self.fail_once:
            self.fail_once.discard(params[self.page_param])
            return 500, {}, json.dumps({"title": "Internal Server Error"})
        below = params.get(self.page_param, "after-99999999999999999999").removeprefix("after-")
        since = int(params.get("since_id", 0))
        ids = sorted((int(i) for i in self.posts if since < int(i) < int(below)), reverse=True)
        chosen = ids[: int(params["max_results"])]
        meta: dict[str, Any] = {"result_count": len(chosen)}
        body: dict[str, Any] = {"meta": meta}
        if chosen:
            meta.update(newest_id=str(chosen[0]), oldest_id=str(chosen[-1]))
            body.update(data=[self.posts[str(i)] for i in chosen], includes={"users": [ALICE]})
            if len(ids) > len(chosen):
                meta["next_token"] = f"after-{chosen[-1]}"
        headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "400", "x-rate-limit-reset": "2000000000"}
        return 200, headers, json.dumps(body)


SOURCES = {
    # source: (config, url, page param, posts per page, cursor key)
    "mentions": (ONE_HANDLE, MAIN_MENTIONS, "pagination_token", 5, f"mentions:{MAIN_ID}"),
    "search": ({**ONE_HANDLE, "search_queries": ["gitlab"]}, SEARCH_URL, "next_token", 10, "search:gitlab"),
}


@responses.activate
@pytest.mark.parametrize("source", SOURCES)
def test_x_backlog_larger_than_budget_drains(source):
    config, url, page_param, per_page, key = SOURCES[source]
    mark = recent_id(6 * 3600)
    backlog = [tweet(recent_id(5 * 3600 - 60 * n), f"@GitLab backlog {n}") for n in range(137)]
    cursor = {key: mark, f"mentions:{MAIN_ID}": mark}
    channel = twitter_channel({**config, "max_results": 5}, cursor)
    x = FakeX(url, page_param, backlog)
    if source == "search":
        FakeX(MAIN_MENTIONS, "pagination_token", [])  # the handle's timeline: nothing new
    budget = MAX_PAGES_PER_SOURCE * per_page  # posts one poll can read from one source

    received, cursors, arrived = [], [channel.cursor], []
    for n in range(20):
        calls = x.calls
        outcome = channel_poll(channel_id=channel.pk)
        assert outcome.status == "ok", outcome.error
        assert x.calls - calls <= MAX_PAGES_PER_SOURCE
        assert outcome.result is not None
        received.append(outcome.result.received)
        channel.refresh_from_db()
        if outcome.result.received:
            assert channel.cursor != cursors[-1]  # the cursor moved every poll that received something
        cursors.append(channel.cursor)
        if channel.cursor.get("pending"):
            # a walk still going: the next poll comes soon, not after the 120 s interval
            assert channel.next_poll_at <= channel.last_polled_at + timedelta(
                seconds=settings.DESK_BACKLOG_REPOLL_SECONDS
            )
        if n == 0:
            # New posts arrive while the walk goes on: read once the walk has reached its end.
            arrived = [tweet(recent_id(30 - i), f"@GitLab new {i}") for i in range(3)]
            x.add(arrived)
        if outcome.result.received == 0:
            break
    print(f"\n{source}: per-poll received {received}")

    total = len(backlog) + len(arrived)
    # Full budgets while the walk lasts, then its rest, then what arrived meanwhile, then nothing.
    rest = len(backlog) % budget
    assert received == [budget] * (len(backlog) // budget) + [rest, len(arrived), 0]
    ids = stored(channel)
    assert len(ids) == len(set(ids)) == total
    assert set(ids) == {p["id"] for p in backlog + arrived}
    assert "pending" not in channel.cursor and channel.cursor[key] == max((p["id"] for p in arrived), key=int)
    assert channel.usage["reads"] == total
    assert channel.health == Channel.Health.OK


@responses.activate
def test_x_backlog_replies_on_newer_pages_join_their_parents_on_older_ones():
    mark = recent_id(6 * 3600)
    channel = twitter_channel({**ONE_HANDLE, "max_results": 5}, {f"mentions:{MAIN_ID}": mark})
    question = tweet(recent_id(5 * 3600), "@GitLab is the registry down?")
    others = [tweet(recent_id(4 * 3600 - 60 * n), f"@GitLab other {n}") for n in range(8)]
    answer = tweet(
        recent_id(60), "@GitLab still down", replied_to=question["id"], conversation_id=question["id"]
    )  # two pages above the question
    FakeX(MAIN_MENTIONS, "pagination_token", [question, *others, answer])

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.result is not None
    assert (outcome.result.created, outcome.result.tickets_created, outcome.result.threaded) == (10, 9, 1)
    first = Message.objects.get(channel=channel, external_id=question["id"])
    assert Message.objects.get(channel=channel, external_id=answer["id"]).ticket_id == first.ticket_id


@responses.activate
def test_x_a_failure_mid_walk_keeps_the_pages_read_and_the_next_poll_goes_on():
    mark = recent_id(6 * 3600)
    channel = twitter_channel({**ONE_HANDLE, "max_results": 5}, {f"mentions:{MAIN_ID}": mark})
    posts = [tweet(recent_id(5 * 3600 - 60 * n), f"@GitLab post {n}") for n in range(12)]
    x = FakeX(MAIN_MENTIONS, "pagination_token", posts)
    # The third page's call fails once (X answers 500): the two pages read are stored with the walk's place.
    third = f"after-{sorted((int(p['id']) for p in posts), reverse=True)[9]}"
    x.fail_once.add(third)
    outcome = channel_poll(channel_id=channel.pk)
    assert outcome.status == "transient_error"
    assert Message.objects.filter(channel=channel).count() == 10
    channel.refresh_from_db()
    assert channel.cursor["pending"][f"mentions:{MAIN_ID}"]["next_token"] == third

    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    outcome = channel_poll(channel_id=channel.pk)
    assert outcome.status == "ok", (outcome, [c.request.url for c in responses.calls])
    assert outcome.result is not None
    assert (outcome.result.received, outcome.result.created) == (2, 2)
    ids = stored(channel)
    assert sorted(ids) == sorted(p["id"] for p in posts)
    assert x.calls == 4  # pages 1 and 2, the failed page 3, page 3 again: nothing read twice
