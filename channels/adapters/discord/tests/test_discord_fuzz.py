"""Property-based tests: every Discord fixture (fixtures/SOURCES.md: Discord's documented example objects and the
recorded payloads), mutated the ways the internet breaks payloads (channels/tests/fuzzing.py), is parsed without an
unhandled exception, alone and inside a saved poll's ``{"messages", "threads"}``; the recorded gateway events, mutated,
go through the gateway's event routing; payloads nested thousands deep are read or refused."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.discord import DiscordAdapter
from channels.adapters.discord.events import Router
from channels.tests.fuzzing import check_parse, deep, deep_dict, draw_mutated, fuzz_settings

adapter = DiscordAdapter()
FIXTURES = Path(__file__).parent / "fixtures"
PAYLOADS = {p.name: json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))}
THREAD = PAYLOADS["docs_thread_channel.json"]
# The recorded dispatches' data (fixtures/SOURCES.md, "Recorded"), by the event each was recorded as.
EVENTS = {
    "recorded_serenity_ready.json": "READY",
    "recorded_serenity_message_create.json": "MESSAGE_CREATE",
    "recorded_serenity_message_update.json": "MESSAGE_UPDATE",
}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
@fuzz_settings
@given(data=st.data())
def test_a_mutated_fixture_parses_without_an_unhandled_exception(name, data):
    payload = draw_mutated(data, PAYLOADS[name])

    check_parse(lambda: adapter.parse_page(payload))
    check_parse(lambda: adapter.parse_page({"messages": [payload], "threads": [THREAD, payload]}))


@pytest.mark.parametrize("name", sorted(EVENTS))
@fuzz_settings
@given(data=st.data())
def test_a_mutated_recorded_event_is_routed_without_an_unhandled_exception(name, data):
    payload = draw_mutated(data, PAYLOADS[name])

    assert Router().handle(EVENTS[name], payload) == []  # no channel served: nothing to push, nothing raised


def test_payloads_nested_deep_are_read_or_refused():
    check_parse(lambda: adapter.parse_page(deep()))
    check_parse(lambda: adapter.parse_page(deep_dict()))
    check_parse(lambda: adapter.parse_page({"messages": deep(), "threads": deep_dict()}))
