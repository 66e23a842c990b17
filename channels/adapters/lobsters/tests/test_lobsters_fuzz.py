"""Property-based tests: each recorded Lobsters answer (fixtures/SOURCES.md), mutated the ways the internet breaks
payloads (channels/tests/fuzzing.py), is walked through a poll without an unhandled exception, and a comment tree
nested thousands deep is read without recursion.

Each fixture's mutated parse (page and item) and its store whole or not at all are the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import time

import responses
from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.lobsters import LobstersAdapter
from channels.adapters.lobsters.client import NEWEST_URL, story_url, tag_url
from channels.adapters.lobsters.tests.test_lobsters_adapter import load, unsaved
from channels.tests import fuzzing
from channels.tests.fuzzing import draw_mutated, fuzz_settings

adapter = LobstersAdapter()
PAYLOADS = {name: load(name) for name in ("hottest.json", "t_programming_rust.json", "s_tdfoqh.json", "s_d9ucpe.json")}
CURSORS = [
    {},
    {"streams": {"newest": {"created_at": 1_739_400_000, "resume": {"floor": "x", "page": 2}}}, "seen": {"f9zeee": []}},
    {"stories": {"tdfoqh": {"until": 4_000_000_000, "read": 0, "count": "9", "comments": {"ncdsfc": None}}}},
]


@fuzz_settings
@given(data=st.data())
def test_lobsters_poll_survives_a_mutated_listing(data):
    page = draw_mutated(data, PAYLOADS[data.draw(st.sampled_from(["hottest.json", "t_programming_rust.json"]))])
    channel = unsaved({"newest": True, "backfill_hours": 24 * 366 * 5}, data.draw(st.sampled_from(CURSORS)))
    fuzzing.check_poll(adapter, channel, NEWEST_URL, page)


@fuzz_settings
@given(data=st.data())
def test_lobsters_poll_survives_a_mutated_watched_story(data):
    story = draw_mutated(data, PAYLOADS[data.draw(st.sampled_from(["s_tdfoqh.json", "s_d9ucpe.json"]))])
    cursor = {"stories": {"tdfoqh": {"until": int(time.time()) + 3600, "read": 0}}}
    channel = unsaved({"tags": ["programming"]}, cursor)

    def listing(mock: responses.RequestsMock) -> None:
        mock.get(tag_url(["programming"]), json=[])

    fuzzing.check_poll(adapter, channel, story_url("tdfoqh"), story, more_routes=listing)


def test_a_story_with_5000_comments_each_under_the_last_is_read_without_recursion():
    story = load("s_tdfoqh.json")
    first = story["comments"][0]
    story["comments"] = [
        {**first, "short_id": f"c{n}", "depth": n, "parent_comment": f"c{n - 1}" if n else None} for n in range(5000)
    ]

    parsed = adapter.parse_page(story)

    assert not parsed.rejected and len(parsed.mentions) == 5001
    assert parsed.mentions[-1].parent_id == "c_c4998"
