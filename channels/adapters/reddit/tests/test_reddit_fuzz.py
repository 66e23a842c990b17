"""Property-based tests: every real Reddit fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one, and stored whole or not at all."""

import json
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from channels import clean
from channels.adapters.base import AdapterError
from channels.adapters.reddit import API_URL, AUTH_URL, RedditAdapter
from channels.adapters.reddit.cursor import load_seen, load_states
from channels.adapters.reddit.tests.test_reddit_adapter import (
    RATELIMIT,
    comment,
    listing,
    mock_token,
    new_app,
    post,
    reddit_channel,
)
from channels.http import build_session
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.fuzzing import check_parse, deep, deep_dict, dumps_deep, fuzz_settings, mutated

adapter = RedditAdapter()
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))
PAYLOADS = {name: json.loads((FIXTURES / name).read_text()) for name in FIXTURE_NAMES}
LISTINGS = [n for n in FIXTURE_NAMES if isinstance(PAYLOADS[n], dict) and PAYLOADS[n].get("kind") == "Listing"]
WITH_ITEMS = [n for n in LISTINGS if clean.mapping(PAYLOADS[n]["data"]).get("children")]


def children(payload):
    if isinstance(payload, dict):
        data = clean.mapping(payload.get("data"))
        return clean.items(data.get("children"))
    return []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@fuzz_settings
@given(data=st.data())
def test_reddit_survives_mutated_payloads(name, data):
    payload = data.draw(mutated(PAYLOADS[name]))
    check_parse(lambda: adapter.parse_page(payload))
    for child in children(payload):
        check_parse(partial(adapter.parse_item, child))  # a dead letter read again


def test_every_listing_fixture_is_fuzzed_and_parses_unmutated():
    assert len(FIXTURE_NAMES) >= 12 and len(WITH_ITEMS) >= 7
    for name in [*WITH_ITEMS, "comment_reply_post.json", "comment_edit_post.json"]:
        parsed = adapter.parse_page(PAYLOADS[name])
        assert parsed.mentions and not parsed.rejected, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", WITH_ITEMS)
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_reddit_poll_survives_mutated_pages(name, data):
    """The poll's own path (token, listing check, paging with `after`, `seen`, the cursor) over a mutated page."""
    page = data.draw(mutated(PAYLOADS[name]))
    cursor = data.draw(
        st.sampled_from(
            [
                {},
                {
                    "streams": {
                        "r/gitlab/new": {"created_utc": 1_400_000_000.5, "resume": {"after": "t3_x", "floor": 1}}
                    }
                },
                {"streams": {"r/gitlab/new": "x"}, "seen": {"t1_k3yrfii": [1696754768, 0], "t3_y": "z"}},
            ]
        )
    )
    channel = Channel(
        slug="fuzz",
        name="fuzz",
        kind="reddit",
        config={"subreddits": ["gitlab"], "include_comments": False, "backfill_hours": 720},
        cursor=cursor,
    )
    channel.credentials = {"client_id": new_app(), "client_secret": "s"}
    results = fuzzing.check_poll(
        adapter,
        channel,
        API_URL + "/r/gitlab/new",
        page,
        headers=RATELIMIT,
        more_routes=lambda mock: mock.post(AUTH_URL, json={"access_token": "t", "expires_in": 3600}),
        allow_nan=False,
    )
    for result in results:
        text = json.dumps(result.cursor, allow_nan=False)  # storable JSON
        assert "\\u0000" not in text
        assert load_states(result.cursor) == result.cursor["streams"]  # read back as written
        assert load_seen(result.cursor) == result.cursor["seen"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["subreddit_comments_page1.json", "search_all.json", "inbox_username_mentions.json"])
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_reddit_mutated_pages_are_stored_whole_or_not_at_all(name, data):
    payload = data.draw(mutated(PAYLOADS[name]))
    channel = reddit_channel()
    fuzzing.check_stored_whole_and_once(lambda: adapter.parse_page(payload), channel)


# --- nesting thousands deep ----------------------------------------------------------------------


def test_a_reply_chain_5000_deep_is_flattened_without_recursion():
    """A comment page whose reply chain is 5,000 comments deep: every comment is handed over, in order, each
    with its parent, and no RecursionError."""
    t = 1_700_000_000
    root = post("p1", t)
    top = comment("c0", t + 1, post="p1")
    node = top
    for n in range(1, 5000):
        reply = comment(f"c{n}", t + 1 + n, post="p1", parent=f"t1_c{n - 1}")
        node["data"]["replies"] = listing([reply])
        node = reply
    node["data"]["replies"] = deep_dict(5000)  # and junk nested 5,000 deep at the bottom

    parsed = adapter.parse_page([listing([root]), listing([top])])

    assert [m.external_id for m in parsed.mentions[:3]] == ["t3_p1", "t1_c0", "t1_c1"]
    assert len(parsed.mentions) == 5001
    assert parsed.mentions[-1].parent_id == "t1_c4998" and parsed.mentions[-1].thread_id == "t3_p1"
    assert parsed.mentions[-1].created_at == datetime.fromtimestamp(t + 5000, tz=UTC)
    assert len(parsed.rejected) == 1  # the junk: one entry, not a crash
    json.dumps(parsed.mentions[1].raw)  # the stored raw holds no replies


@pytest.mark.parametrize(
    "payload",
    [deep(5000), listing([deep(5000)]), listing([{"kind": "t1", "data": {"replies": deep_dict(5000)}}])],
    ids=["deep-list", "child-deep-list", "item-replies-deep-dict"],
)
def test_a_payload_nested_5000_deep_is_parsed_or_refused_clearly(payload):
    try:
        parsed = adapter.parse_page(payload)
    except AdapterError as exc:
        assert len(str(exc)) < 400
        return
    assert not parsed.mentions and parsed.rejected
    assert all(len(r.error) < 700 for r in parsed.rejected)


@pytest.mark.django_db
@responses.activate
def test_a_response_nested_5000_deep_is_a_payload_error_not_a_crash():
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    responses.get(API_URL + "/r/gitlab/new", body=dumps_deep(listing([deep_dict(5000)])), headers=RATELIMIT)
    with pytest.raises(AdapterError, match="nested too deeply"):
        adapter.fetch(channel=channel, session=build_session())
    # A post carrying junk only shallow enough for the decoder is stored, its raw payload cut.
    responses.reset()
    item = post("ok", int(time.time()) - 60)
    item["data"]["media"] = deep_dict(200)
    responses.get(API_URL + "/r/gitlab/new", json=listing([item]), headers=RATELIMIT)
    [mention] = adapter.fetch(channel=channel, session=build_session()).mentions
    assert mention.external_id == "t3_ok"
    json.dumps(mention.raw)
