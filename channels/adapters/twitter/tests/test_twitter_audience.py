"""An X author's weight: `public_metrics.followers_count` of the `includes.users` expansion, requested with
`user.fields=public_metrics`, read at no extra request.

Shapes: the response is X's documentation sample `fixtures/search_recent_with_expansions_docs_sample.json`
(SOURCES.md); the user object's `public_metrics` (followers_count, following_count, tweet_count) is the one X's
documentation shows for `user.fields=public_metrics` (https://docs.x.com/x-api/users/follows/quickstart,
"Get a user's followers", response)."""

import copy
import json
from pathlib import Path
from typing import Any

from channels.adapters.twitter.parse import parse_page

SAMPLE = json.loads((Path(__file__).parent / "fixtures" / "search_recent_with_expansions_docs_sample.json").read_text())


def _with_metrics(metrics: Any) -> dict[str, Any]:
    page = copy.deepcopy(SAMPLE)
    for user in page["includes"]["users"]:
        user["public_metrics"] = metrics
    return page


def test_the_authors_followers_come_from_the_expanded_user():
    page = _with_metrics({"followers_count": 12345, "following_count": 1863, "tweet_count": 3561})
    mentions = parse_page(page).mentions
    assert mentions
    assert {(m.author_audience, m.author_audience_kind) for m in mentions} == {(12345, "followers")}


def test_without_public_metrics_the_audience_is_unknown():
    mentions = parse_page(copy.deepcopy(SAMPLE)).mentions
    assert mentions and {(m.author_audience, m.author_audience_kind) for m in mentions} == {(None, "")}


def test_a_count_that_is_not_one_is_unknown_not_an_error():
    for junk in ({"followers_count": -4}, {"followers_count": "many"}, {"followers_count": 1e30}, "x", None):
        mentions = parse_page(_with_metrics(junk)).mentions
        assert mentions and {m.author_audience for m in mentions} == {None}, junk


def test_the_demo_replay_answers_public_metrics_when_asked_as_x_does():
    from channels.adapters.twitter import replay

    asked = replay.user("vera_builds", {"username", "name", "public_metrics"})
    assert isinstance(asked["public_metrics"]["followers_count"], int)
    assert "public_metrics" not in replay.user("vera_builds", {"username", "name"})
    page = _with_metrics(asked["public_metrics"])
    assert {m.author_audience for m in parse_page(page).mentions} == {asked["public_metrics"]["followers_count"]}
