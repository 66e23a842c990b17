"""Property-based tests: each recorded dev.to answer (fixtures/SOURCES.md), mutated the ways the internet breaks
payloads (channels/tests/fuzzing.py), is parsed without an unhandled exception, walked through a poll without one,
and stored whole or not at all.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.devto import DevtoAdapter
from channels.adapters.devto.client import COMMENTS_URL, LATEST_URL
from channels.adapters.devto.tests.test_devto_adapter import unsaved
from channels.tests import fuzzing
from channels.tests.fuzzing import draw_mutated, fuzz_settings
from channels.tests.platform_fuzz import FUZZED

adapter = DevtoAdapter()
PAYLOADS = FUZZED["devto"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
CURSORS = [
    {},
    {"version": 1, "articles": {"since": 1_600_000_000, "seen": {"1612788": "x"}, "page": [2]}},
    # Followed articles as an older or hand-edited cursor may hold them: unreadable entries are dropped.
    {"followed": {"1612784": {"taken": "x"}, "x": 5, "1612788": {"taken": 1_600_000_000, "read": -1}, "": {}}},
]


@fuzz_settings
@given(data=st.data())
def test_devto_poll_survives_a_mutated_articles_page(data):
    page = draw_mutated(data, PAYLOADS["articles_username_gereltuyamz.json"])
    channel = unsaved({"latest": True, "per_page": 3}, data.draw(st.sampled_from(CURSORS)))
    fuzzing.check_poll(adapter, channel, LATEST_URL, page)


@fuzz_settings
@given(data=st.data())
def test_devto_poll_survives_a_mutated_comment_tree(data):
    tree = draw_mutated(data, PAYLOADS["comments_tree.json"])
    channel = unsaved({"articles": [1612784]}, data.draw(st.sampled_from(CURSORS)))
    fuzzing.check_poll(adapter, channel, COMMENTS_URL, tree)


def test_a_comment_chain_nested_5000_deep_is_read_without_recursion():
    node: dict = {"type_of": "comment", "id_code": "c0", "created_at": "2021-03-07T17:19:40Z", "children": []}
    top = node
    for n in range(1, 5000):
        child = {**node, "id_code": f"c{n}", "children": []}
        node["children"] = [child]
        node = child

    parsed = adapter.parse_page([top])

    assert not parsed.rejected and len(parsed.mentions) == 5000
    assert parsed.mentions[-1].parent_id == "c4998"
