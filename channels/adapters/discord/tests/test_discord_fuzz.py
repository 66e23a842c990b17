"""Property-based tests: every Discord fixture (fixtures/SOURCES.md: Discord's documented example objects), mutated
the ways the internet breaks payloads (channels/tests/fuzzing.py), is parsed without an unhandled exception, alone
and inside a saved poll's ``{"messages", "threads"}``; payloads nested thousands deep are read or refused."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.discord import DiscordAdapter
from channels.tests.fuzzing import check_parse, deep, deep_dict, draw_mutated, fuzz_settings

adapter = DiscordAdapter()
FIXTURES = Path(__file__).parent / "fixtures"
PAYLOADS = {p.name: json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))}
THREAD = PAYLOADS["docs_thread_channel.json"]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
@fuzz_settings
@given(data=st.data())
def test_a_mutated_fixture_parses_without_an_unhandled_exception(name, data):
    payload = draw_mutated(data, PAYLOADS[name])

    check_parse(lambda: adapter.parse_page(payload))
    check_parse(lambda: adapter.parse_page({"messages": [payload], "threads": [THREAD, payload]}))


def test_payloads_nested_deep_are_read_or_refused():
    check_parse(lambda: adapter.parse_page(deep()))
    check_parse(lambda: adapter.parse_page(deep_dict()))
    check_parse(lambda: adapter.parse_page({"messages": deep(), "threads": deep_dict()}))
