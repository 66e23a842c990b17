"""Property-based tests: every Discord fixture (fixtures/SOURCES.md: Discord's documented example objects and the
recorded payloads), mutated the ways the internet breaks payloads (channels/tests/fuzzing.py), is parsed without an
unhandled exception, alone and inside a saved poll's ``{"messages", "threads"}``; the recorded gateway events, mutated,
go through the gateway's event routing; payloads nested thousands deep are read or refused.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

from channels.adapters.discord import DiscordAdapter
from channels.adapters.discord.events import Router
from channels.tests.fuzzing import check_parse, deep, deep_dict, draw_mutated, fuzz_each
from channels.tests.platform_fuzz import FUZZED

adapter = DiscordAdapter()
PAYLOADS = FUZZED["discord"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
# The recorded dispatches' data (fixtures/SOURCES.md, "Recorded"), by the event each was recorded as.
EVENTS = {
    "recorded_serenity_ready.json": "READY",
    "recorded_serenity_message_create.json": "MESSAGE_CREATE",
    "recorded_serenity_message_update.json": "MESSAGE_UPDATE",
}


@fuzz_each(sorted(EVENTS))
def test_a_mutated_recorded_event_is_routed_without_an_unhandled_exception(name, data):
    payload = draw_mutated(data, PAYLOADS[name])

    assert Router().handle(EVENTS[name], payload) == []  # no channel served: nothing to push, nothing raised


def test_payloads_nested_deep_are_read_or_refused():
    check_parse(lambda: adapter.parse_page(deep()))
    check_parse(lambda: adapter.parse_page(deep_dict()))
    check_parse(lambda: adapter.parse_page({"messages": deep(), "threads": deep_dict()}))
