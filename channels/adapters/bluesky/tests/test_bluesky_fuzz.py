"""Property-based tests: every real Bluesky fixture (fixtures/SOURCES.md), mutated the ways the internet breaks
payloads (channels/tests/fuzzing.py), is parsed without an unhandled exception, fetched through a poll without one,
and stored whole or not at all; threads and feeds nested thousands deep are walked without recursion."""

import json
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from channels import clean
from channels.adapters.base import AdapterError
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky.cursor import load_seen, load_states
from channels.adapters.bluesky.tests.bsky import (
    CREATE_SESSION,
    SEARCH,
    bluesky_channel,
    jwt,
    post,
    ratelimit,
    ref,
    session_body,
)
from channels.http import build_session
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.fuzzing import check_parse, deep, deep_dict, dumps_deep, fuzz_settings, mutated

adapter = BlueskyAdapter()
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))
PAYLOADS = {name: json.loads((FIXTURES / name).read_text()) for name in FIXTURE_NAMES}
WITH_POSTS = [
    "aibot_notifications.json",
    "aibot_post_thread.json",
    "atat_post_views.json",
    "marshalx_post_thread_media.json",
    "search_posts_bluepy.json",
]


def items(payload):
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        return clean.items(payload.get("posts")) or clean.items(payload.get("notifications"))
    return []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@fuzz_settings
@given(data=st.data())
def test_bluesky_survives_mutated_payloads(name, data):
    payload = data.draw(mutated(PAYLOADS[name]))
    check_parse(lambda: adapter.parse_page(payload))
    for item in items(payload):
        check_parse(partial(adapter.parse_item, item))  # a dead letter read again


def test_every_fixture_is_fuzzed_and_those_with_posts_parse_unmutated():
    assert len(FIXTURE_NAMES) == 7
    for name in WITH_POSTS:
        parsed = adapter.parse_page(PAYLOADS[name])
        assert parsed.mentions and not parsed.rejected, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["search_posts_bluepy.json", "atat_post_views.json"])
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
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
        SEARCH,
        page,
        headers=ratelimit(),
        more_routes=lambda mock: mock.post(CREATE_SESSION, json=session_body(jwt(), jwt())),
        allow_nan=False,
    )
    for result in results:
        text = json.dumps(result.cursor, allow_nan=False)  # storable JSON
        assert "\\u0000" not in text
        assert load_states(result.cursor) == result.cursor["streams"]  # read back as written
        assert load_seen(result.cursor) == result.cursor["seen"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["aibot_notifications.json", "atat_post_views.json", "search_posts_bluepy.json"])
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_bluesky_mutated_pages_are_stored_whole_or_not_at_all(name, data):
    payload = data.draw(mutated(PAYLOADS[name]))
    channel = bluesky_channel()
    fuzzing.check_stored_whole_and_once(lambda: adapter.parse_page(payload), channel)


# --- nesting thousands deep ----------------------------------------------------------------------------------------


def test_a_thread_5000_replies_deep_is_walked_without_recursion():
    """getPostThread's replies nested 5,000 deep: every post is handed over, each with its parent and root."""
    t = time.time() - 86_400
    root = post("3root", t)
    top: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": root, "replies": []}
    node, parent = top, root
    for n in range(1, 5000):
        reply = post(f"3r{n}", t + n, parent=ref(parent), root=ref(root))
        child = {"$type": "app.bsky.feed.defs#threadViewPost", "post": reply, "replies": []}
        node["replies"] = [child]
        node, parent = child, reply
    node["replies"] = [deep_dict(5000)]  # and junk nested 5,000 deep at the bottom

    parsed = adapter.parse_page({"thread": top})

    assert len(parsed.mentions) == 5000 and len(parsed.rejected) == 1
    assert parsed.mentions[-1].parent_id.endswith("/3r4998") and parsed.mentions[-1].thread_id == root["uri"]


@pytest.mark.parametrize(
    "payload",
    [
        deep(5000),
        {"posts": [deep(5000)]},
        {"thread": deep_dict(5000)},
        {"notifications": [{"record": deep_dict(5000)}]},
    ],
    ids=["deep-list", "post-deep-list", "thread-deep-dict", "record-deep-dict"],
)
def test_a_payload_nested_5000_deep_is_parsed_or_refused_clearly(payload):
    try:
        parsed = adapter.parse_page(payload)
    except AdapterError as exc:
        assert len(str(exc)) < 400
        return
    assert not parsed.mentions
    assert all(len(r.error) < 700 for r in parsed.rejected)


@pytest.mark.django_db
@responses.activate
def test_a_response_nested_5000_deep_is_a_payload_error_not_a_crash():
    channel = bluesky_channel(keywords=["gitlab"], read_notifications=False)
    responses.post(CREATE_SESSION, json=session_body(jwt(), jwt()))
    responses.get(SEARCH, body=dumps_deep({"posts": [deep_dict(5000)]}), headers=ratelimit())
    with pytest.raises(AdapterError, match="nested too deeply"):
        adapter.fetch(channel=channel, session=build_session())
