"""Property-based tests: every real Reddit fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one, and stored whole or not at all.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import json
import time
from datetime import UTC, datetime

import pytest
import responses
from hypothesis import strategies as st

from channels import clean
from channels.adapters.base import AdapterError
from channels.adapters.reddit import API_URL, AUTH_URL, RedditAdapter
from channels.adapters.reddit.cursor import load_seen, load_states
from channels.adapters.reddit.tests import test_reddit_adapter as shapes
from channels.http import build_session
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.fuzzing import QUARTER, deep_dict, dumps_deep, fuzz_each, mutated
from channels.tests.platform_fuzz import FUZZED

adapter = RedditAdapter()
PAYLOADS = FUZZED["reddit"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
LISTINGS = [n for n in PAYLOADS if isinstance(PAYLOADS[n], dict) and PAYLOADS[n].get("kind") == "Listing"]
WITH_ITEMS = [n for n in LISTINGS if clean.mapping(PAYLOADS[n]["data"]).get("children")]


def test_every_listing_fixture_is_fuzzed_and_parses_unmutated():
    assert len(PAYLOADS) >= 12 and len(WITH_ITEMS) >= 7
    fuzzing.check_parses_whole(adapter, PAYLOADS, [*WITH_ITEMS, "comment_reply_post.json", "comment_edit_post.json"])


@pytest.mark.django_db
@fuzz_each(WITH_ITEMS, examples=QUARTER)
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
    channel.credentials = {"client_id": shapes.new_app(), "client_secret": "s"}
    results = fuzzing.check_poll(
        adapter,
        channel,
        API_URL + "/r/gitlab/new",
        page,
        headers=shapes.RATELIMIT,
        more_routes=lambda mock: mock.post(AUTH_URL, json={"access_token": "t", "expires_in": 3600}),
        allow_nan=False,
    )
    fuzzing.check_streams_read_back(results, load_states, load_seen)


# --- nesting thousands deep ----------------------------------------------------------------------


def test_a_reply_chain_5000_deep_is_flattened_without_recursion():
    """A comment page whose reply chain is 5,000 comments deep: every comment is handed over, in order, each
    with its parent, and no RecursionError."""
    t = 1_700_000_000
    root = shapes.post("p1", t)
    top = shapes.comment("c0", t + 1, post="p1")
    node = top
    for n in range(1, 5000):
        reply = shapes.comment(f"c{n}", t + 1 + n, post="p1", parent=f"t1_c{n - 1}")
        node["data"]["replies"] = shapes.listing([reply])
        node = reply
    node["data"]["replies"] = deep_dict(5000)  # and junk nested 5,000 deep at the bottom

    parsed = adapter.parse_page([shapes.listing([root]), shapes.listing([top])])

    assert [m.external_id for m in parsed.mentions[:3]] == ["t3_p1", "t1_c0", "t1_c1"]
    assert len(parsed.mentions) == 5001
    assert parsed.mentions[-1].parent_id == "t1_c4998" and parsed.mentions[-1].thread_id == "t3_p1"
    assert parsed.mentions[-1].created_at == datetime.fromtimestamp(t + 5000, tz=UTC)
    assert len(parsed.rejected) == 1  # the junk: one entry, not a crash
    json.dumps(parsed.mentions[1].raw)  # the stored raw holds no replies


@pytest.mark.django_db
@responses.activate
def test_a_response_nested_5000_deep_is_a_payload_error_not_a_crash():
    channel = shapes.reddit_channel(subreddits=["gitlab"], include_comments=False)
    shapes.mock_token()
    responses.get(
        API_URL + "/r/gitlab/new", body=dumps_deep(shapes.listing([deep_dict(5000)])), headers=shapes.RATELIMIT
    )
    with pytest.raises(AdapterError, match="nested too deeply"):
        adapter.fetch(channel=channel, session=build_session())
    # A post carrying junk only shallow enough for the decoder is stored, its raw payload cut.
    responses.reset()
    item = shapes.post("ok", int(time.time()) - 60)
    item["data"]["media"] = deep_dict(200)
    responses.get(API_URL + "/r/gitlab/new", json=shapes.listing([item]), headers=shapes.RATELIMIT)
    [mention] = adapter.fetch(channel=channel, session=build_session()).mentions
    assert mention.external_id == "t3_ok"
    json.dumps(mention.raw)
