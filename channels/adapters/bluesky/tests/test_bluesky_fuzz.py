"""Property-based tests: every real Bluesky fixture (fixtures/SOURCES.md), mutated the ways the internet breaks
payloads (channels/tests/fuzzing.py), is parsed without an unhandled exception, fetched through a poll without one,
and stored whole or not at all; threads and feeds nested thousands deep are walked without recursion.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import time
from typing import Any

import pytest
import responses
from hypothesis import strategies as st

from channels.adapters.base import AdapterError
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky.cursor import load_seen, load_states
from channels.adapters.bluesky.tests import bsky
from channels.http import build_session
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.fuzzing import QUARTER, deep_dict, dumps_deep, fuzz_each, mutated
from channels.tests.platform_fuzz import FUZZED

adapter = BlueskyAdapter()
PAYLOADS = FUZZED["bluesky"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
WITH_POSTS = [
    "aibot_notifications.json",
    "aibot_post_thread.json",
    "atat_post_views.json",
    "marshalx_post_thread_media.json",
    "search_posts_bluepy.json",
]


def test_every_fixture_is_fuzzed_and_those_with_posts_parse_unmutated():
    assert len(PAYLOADS) == 7
    fuzzing.check_parses_whole(adapter, PAYLOADS, WITH_POSTS)


@pytest.mark.django_db
@fuzz_each(["search_posts_bluepy.json", "atat_post_views.json"], examples=QUARTER)
def test_bluesky_poll_survives_mutated_pages(name, data):
    """The poll's own path (session, the page's check, paging, `seen`, the cursor) over a mutated search page."""
    payload = PAYLOADS[name] if isinstance(PAYLOADS[name], dict) else {"posts": PAYLOADS[name], "cursor": "25"}
    page = data.draw(mutated(payload))
    cursor = data.draw(
        st.sampled_from(
            [
                {},
                {
                    "streams": {
                        "search:gitlab": {
                            "mark": 1_400_000_000.5,
                            "resume": {"until": "2026-05-23T18:00:00Z", "floor": 1},
                        }
                    }
                },
                {"streams": {"search:gitlab": "x"}, "seen": {"at://did:plc:x/app.bsky.feed.post/3a": 1, "y": "z"}},
            ]
        )
    )
    channel = Channel(
        slug="fuzz",
        name="fuzz",
        kind="bluesky",
        config={"handle": "gitlab.com", "keywords": ["gitlab"], "read_notifications": False, "backfill_hours": 720},
        cursor=cursor,
    )
    channel.credentials = {"app_password": "abcd-efgh-ijkl-mnop"}
    results = fuzzing.check_poll(
        adapter,
        channel,
        bsky.SEARCH,
        page,
        headers=bsky.ratelimit(),
        more_routes=lambda mock: mock.post(bsky.CREATE_SESSION, json=bsky.session_body(bsky.jwt(), bsky.jwt())),
        allow_nan=False,
    )
    fuzzing.check_streams_read_back(results, load_states, load_seen)


# --- nesting thousands deep ----------------------------------------------------------------------------------------


def test_a_thread_5000_replies_deep_is_walked_without_recursion():
    """getPostThread's replies nested 5,000 deep: every post is handed over, each with its parent and root."""
    t = time.time() - 86_400
    root = bsky.post("3root", t)
    top: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": root, "replies": []}
    node, parent = top, root
    for n in range(1, 5000):
        reply = bsky.post(f"3r{n}", t + n, parent=bsky.ref(parent), root=bsky.ref(root))
        child = {"$type": "app.bsky.feed.defs#threadViewPost", "post": reply, "replies": []}
        node["replies"] = [child]
        node, parent = child, reply
    node["replies"] = [deep_dict(5000)]  # and junk nested 5,000 deep at the bottom

    parsed = adapter.parse_page({"thread": top})

    assert len(parsed.mentions) == 5000 and len(parsed.rejected) == 1
    assert parsed.mentions[-1].parent_id.endswith("/3r4998") and parsed.mentions[-1].thread_id == root["uri"]


@pytest.mark.django_db
@responses.activate
def test_a_response_nested_5000_deep_is_a_payload_error_not_a_crash():
    channel = bsky.bluesky_channel(keywords=["gitlab"], read_notifications=False)
    responses.post(bsky.CREATE_SESSION, json=bsky.session_body(bsky.jwt(), bsky.jwt()))
    responses.get(bsky.SEARCH, body=dumps_deep({"posts": [deep_dict(5000)]}), headers=bsky.ratelimit())
    with pytest.raises(AdapterError, match="nested too deeply"):
        adapter.fetch(channel=channel, session=build_session())
