"""Karma where the listings do not carry their author's weight (Hacker News, Reddit): looked up after a poll
stored its pages, at most DESK_KARMA_LOOKUPS_PER_POLL per poll, kept a week on the identity, and the person's open
tickets take it (Play's deadline ties). Only HTTP is faked (responses).

Shapes:
- Hacker News: `GET /v0/user/<id>.json` answers the recorded `firebase_user_jl.json` (channels/adapters/
  hackernews/tests/fixtures, from HackerNews/API's README: SOURCES.md), `karma` 2937; an unknown user is `null`,
  as the README says of any missing item.
- Reddit: `GET /user/<name>/about` answers a `t2` thing, `{"kind": "t2", "data": {name, link_karma,
  comment_karma, is_suspended, ...}}`, as Reddit's API documentation lists it (https://www.reddit.com/dev/api/
  #GET_user_{username}_about, the account's fields as in reddit-archive/reddit's wiki "JSON", "account"); the
  listings and token are the Reddit adapter's test shapes (test_reddit_adapter.py)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from django.utils import timezone

from channels.adapters.hackernews import SEARCH_URL
from channels.adapters.hackernews.audience import USER_URL
from channels.adapters.reddit import API_URL
from channels.adapters.reddit.tests.test_reddit_adapter import RATELIMIT, mock_token, page, post, reddit_channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import poll
from channels.tests.hn import search_page, story_hit
from mentions.models import Ticket
from people.models import Identity

pytestmark = pytest.mark.django_db

JL = json.loads(
    (Path(__file__).parents[2] / "channels/adapters/hackernews/tests/fixtures/firebase_user_jl.json").read_text()
)


def about(name: str, link: int, comment: int) -> dict:
    return {
        "kind": "t2",
        "data": {
            "name": name,
            "id": "abc12",
            "created_utc": 1_300_000_000.0,
            "link_karma": link,
            "comment_karma": comment,
            "is_suspended": False,
            "verified": True,
        },
    }


def urls_with(part: str) -> list[str]:
    return [url for c in responses.calls if part in (url := c.request.url or "")]


def about_calls() -> list[str]:
    return urls_with("/about")


@responses.activate
def test_a_reddit_poll_looks_up_its_authors_karma_once_a_week():
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    page("/r/gitlab/new", [post("p2", now - 10, author="Big_Dev"), post("p1", now - 20, author="small_dev")])
    responses.get(API_URL + "/user/Big_Dev/about", json=about("Big_Dev", 10_000, 2_345), headers=RATELIMIT)
    responses.get(API_URL + "/user/small_dev/about", json=about("small_dev", 12, 30), headers=RATELIMIT)

    assert poll(channel).status == "ok"

    weights = {i.handle: (i.audience, i.audience_kind) for i in Identity.objects.filter(platform="reddit")}
    assert weights == {"Big_Dev": (12_345, "karma"), "small_dev": (42, "karma")}
    assert dict(Ticket.objects.values_list("requester_handle", "requester_audience")) == {
        "Big_Dev": 12_345,
        "small_dev": 42,
    }
    assert len(about_calls()) == 2

    # Met again within the week: not asked again.
    page("/r/gitlab/new", [post("p3", now - 5, author="Big_Dev")], from_=None)
    assert poll(channel).status == "ok"
    assert len(about_calls()) == 2


@responses.activate
def test_at_most_the_budget_is_looked_up_per_poll_and_the_oldest_figures_go_first(settings):
    settings.DESK_KARMA_LOOKUPS_PER_POLL = 1
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    page("/r/gitlab/new", [post("p2", now - 10, author="ann"), post("p1", now - 20, author="bea")])
    for name in ("ann", "bea"):
        responses.get(API_URL + f"/user/{name}/about", json=about(name, 1, 1), headers=RATELIMIT)

    assert poll(channel).status == "ok"
    assert len(about_calls()) == 1
    first = Identity.objects.get(audience__isnull=False)
    # A week later both are due again: the one never weighed goes first.
    Identity.objects.filter(pk=first.pk).update(audience_at=timezone.now() - timedelta(days=8))
    page("/r/gitlab/new", [post("p3", now - 5, author="ann"), post("p4", now - 4, author="bea")])
    assert poll(channel).status == "ok"
    assert len(about_calls()) == 2 and about_calls()[1].split("/user/")[1].split("/")[0] != first.handle


@responses.activate
def test_a_hacker_news_poll_reads_karma_from_the_official_api_and_a_missing_user_is_not_asked_again(settings):
    settings.DESK_KARMA_LOOKUPS_PER_POLL = 20
    now = int(time.time())
    hn = ChannelFactory()
    responses.get(
        SEARCH_URL, json=search_page([story_hit(1, now - 30, author="jl"), story_hit(2, now - 20, author="gone")])
    )
    responses.get(USER_URL.format(id="jl"), json=JL)
    responses.get(USER_URL.format(id="gone"), body="null", content_type="application/json")

    assert poll(hn).status == "ok"

    jl, gone = Identity.objects.get(key="jl"), Identity.objects.get(key="gone")
    assert (jl.audience, jl.audience_kind) == (2937, "karma")
    assert gone.audience is None and gone.audience_at is not None  # asked: not again before the week is out
    assert Ticket.objects.get(requester_handle="jl").requester_audience == 2937


@responses.activate
def test_a_rate_limited_lookup_stops_the_lookups_not_the_poll():
    now = int(time.time())
    hn = ChannelFactory()
    responses.get(
        SEARCH_URL, json=search_page([story_hit(1, now - 30, author="jl"), story_hit(2, now - 20, author="pg")])
    )
    responses.get(USER_URL.format(id="jl"), status=429)

    outcome = poll(hn)

    assert outcome.status == "ok" and Ticket.objects.count() == 2
    assert not Identity.objects.filter(audience_at__isnull=False).exists()  # both asked again next poll
    assert urls_with("firebaseio") == [USER_URL.format(id="jl")]
