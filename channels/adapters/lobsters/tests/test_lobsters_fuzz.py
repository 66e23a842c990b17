"""Property-based tests: each recorded Lobsters answer (fixtures/SOURCES.md), mutated the ways the internet breaks
payloads (channels/tests/fuzzing.py), is parsed without an unhandled exception, walked through a poll without one,
and stored whole or not at all."""

import time

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.lobsters import LobstersAdapter
from channels.adapters.lobsters.client import NEWEST_URL, story_url, tag_url
from channels.adapters.lobsters.tests.test_lobsters_adapter import load, lobsters_channel, unsaved
from channels.tests import fuzzing
from channels.tests.fuzzing import check_parse, draw_mutated, fuzz_settings, mutated

adapter = LobstersAdapter()
PAYLOADS = {name: load(name) for name in ("hottest.json", "t_programming_rust.json", "s_tdfoqh.json", "s_d9ucpe.json")}
CURSORS = [
    {},
    {"streams": {"newest": {"created_at": 1_739_400_000, "resume": {"floor": "x", "page": 2}}}, "seen": {"f9zeee": []}},
    {"stories": {"tdfoqh": {"until": 4_000_000_000, "read": 0, "count": "9", "comments": {"ncdsfc": None}}}},
]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
@fuzz_settings
@given(data=st.data())
def test_lobsters_survives_mutated_payloads(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    check_parse(lambda: adapter.parse_page(payload))
    check_parse(lambda: adapter.parse_item(payload))


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


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAYLOADS))
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_lobsters_mutated_pages_are_stored_whole_or_not_at_all(name, data):
    payload = data.draw(mutated(PAYLOADS[name]))
    channel = lobsters_channel(our_accounts=[])
    fuzzing.check_stored_whole_and_once(lambda: adapter.parse_page(payload), channel)


def test_a_story_with_5000_comments_each_under_the_last_is_read_without_recursion():
    story = load("s_tdfoqh.json")
    first = story["comments"][0]
    story["comments"] = [
        {**first, "short_id": f"c{n}", "depth": n, "parent_comment": f"c{n - 1}" if n else None} for n in range(5000)
    ]

    parsed = adapter.parse_page(story)

    assert not parsed.rejected and len(parsed.mentions) == 5001
    assert parsed.mentions[-1].parent_id == "c_c4998"
