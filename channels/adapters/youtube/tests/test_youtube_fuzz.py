"""Property-based tests: each recorded YouTube answer (fixtures/SOURCES.md: sns-sdks/python-youtube's recorded
``commentThreads.list``, ``comments.list`` and ``search.list`` answers), mutated the ways the internet breaks payloads
(channels/tests/fuzzing.py), walked through a poll without an unhandled exception and with a storable cursor; a
thread nested thousands deep is read without recursion.

Each fixture's mutated parse (page and item) and its store whole or not at all are the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import time

import responses
from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.youtube import YoutubeAdapter
from channels.adapters.youtube.client import COMMENTS_URL, SEARCH_URL, THREADS_URL
from channels.adapters.youtube.tests import shapes
from channels.adapters.youtube.tests.shapes import TEAM, load
from channels.tests import fuzzing
from channels.tests.fuzzing import deep_dict, draw_mutated, fuzz_settings

adapter = YoutubeAdapter()
CURSORS = [
    {},
    {"seen": {"UgyZ1jqkHKYvi1-ruOZ4AaABAg": 1}, "replies": {"UgwI_ylXVnzPS8Q-oAV4AaABAg": [1, "x"]}, "quota": []},
    {"videos": {"F1UP7wRCPH8": {"until": "soon"}}, "searched": {"gitlab": None}, "quota": {"day": 3, "spent": -1}},
]
# The recorded threads, made recent, so that a poll's window reaches them.
RECENT = shapes.page(
    [
        {
            **item,
            "snippet": {
                **item["snippet"],
                "topLevelComment": shapes.thread(item["id"], time.time() - 60 * n)["snippet"]["topLevelComment"],
            },
        }
        for n, item in enumerate(load("threads_by_video.json")["items"], start=1)
    ]
)


@fuzz_settings
@given(data=st.data())
def test_youtube_poll_survives_a_mutated_page_of_threads(data):
    page = draw_mutated(data, RECENT)
    channel = shapes.unsaved({"channel_ids": [TEAM]}, data.draw(st.sampled_from(CURSORS)))

    def replies(mock: responses.RequestsMock) -> None:
        mock.get(COMMENTS_URL, json=load("comments_by_parent.json"))

    fuzzing.check_poll(adapter, channel, THREADS_URL, page, more_routes=replies)


@fuzz_settings
@given(data=st.data())
def test_youtube_poll_survives_a_mutated_search_and_page_of_replies(data):
    search = draw_mutated(data, load("search_by_keywords.json"))
    replies = draw_mutated(data, load("comments_by_parent.json"))
    channel = shapes.unsaved({"keywords": ["surfing"]})

    def routes(mock: responses.RequestsMock) -> None:
        mock.get(SEARCH_URL, body=fuzzing.dumps_deep(search), content_type="application/json")
        mock.get(THREADS_URL, json=shapes.page([shapes.thread("UgyTop", time.time() - 60, total=9)]))

    fuzzing.check_poll(adapter, channel, COMMENTS_URL, replies, more_routes=routes)


def test_a_thread_nested_5000_deep_is_read_without_recursion():
    parsed = adapter.parse_page(
        {"items": [{"kind": "youtube#commentThread", "snippet": {"topLevelComment": deep_dict(5000)}}]}
    )

    assert parsed.mentions == [] and len(parsed.rejected) == 1
