"""The fuzz contract every platform's parser keeps (channels/tests/platform_fuzz.py has each platform's part): each
recorded payload, mutated the ways the internet breaks payloads (channels/tests/fuzzing.py), is read as a page and
item by item without an unhandled exception; the chosen pages are stored whole or not at all, and once; payloads
nested 5,000 deep are read to nothing or refused in short words. Each platform's own fuzz module keeps what only it
has (its poll's cursor, its webhook deliveries, its hostile numbers)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.base import AdapterError
from channels.adapters.registry import PLATFORMS, get_adapter
from channels.tests import fuzzing
from channels.tests.fuzzing import QUARTER, check_parse, draw_mutated, fuzz_settings
from channels.tests.platform_fuzz import FUZZED, FUZZED_ELSEWHERE, NO_MENTIONS

PAYLOADS = [(kind, name) for kind, fuzzed in FUZZED.items() for name in fuzzed.payloads]
STORED = [(kind, name) for kind, fuzzed in FUZZED.items() for name in fuzzed.stored]
DEEP = [(kind, case) for kind, fuzzed in FUZZED.items() if fuzzed.deep for case in ["deep-list", *fuzzed.deep]]


def ids(case: tuple[str, str]) -> str:
    return "/".join(case)


def test_every_registered_platform_is_fuzzed():
    assert set(FUZZED) | FUZZED_ELSEWHERE | NO_MENTIONS == set(PLATFORMS) and not set(FUZZED) & FUZZED_ELSEWHERE
    # A platform left out as reading no mentions must read none: it fetches nothing and reads no thread.
    for kind in NO_MENTIONS:
        adapter = type(get_adapter(kind))
        assert not any(adapter.offers(a) for a in ("fetch_chunks", "fetch", "fetch_thread")), kind


@pytest.mark.parametrize("case", PAYLOADS, ids=ids)
@fuzz_settings
@given(data=st.data())
def test_platform_survives_mutated_payloads(case, data):
    kind, name = case
    fuzzed = FUZZED[kind]
    payload = draw_mutated(data, fuzzed.payloads[name])
    for read in fuzzed.reads(payload):
        check_parse(read)


@pytest.mark.django_db
@pytest.mark.parametrize("case", STORED, ids=ids)
@settings(fuzz_settings, max_examples=QUARTER)
@given(data=st.data())
def test_platform_mutated_pages_are_stored_whole_or_not_at_all(case, data):
    kind, name = case
    fuzzed = FUZZED[kind]
    assert fuzzed.channel is not None, f"{kind} stores payloads but names no channel for them"
    payload = draw_mutated(data, fuzzed.payloads[name])
    channel = fuzzed.channel()
    fuzzing.check_stored_whole_and_once(lambda: get_adapter(kind).parse_page(payload), channel)


@pytest.mark.parametrize("case", DEEP, ids=ids)
def test_a_payload_nested_5000_deep_is_parsed_or_refused_clearly(case):
    kind, deep = case
    fuzzed = FUZZED[kind]
    try:
        parsed = get_adapter(kind).parse_page(fuzzed.deep[deep] if deep in fuzzed.deep else fuzzing.deep(5000))
    except AdapterError as exc:
        assert len(str(exc)) < 400
        return
    assert not parsed.mentions
    assert parsed.rejected or not fuzzed.deep_rejected
    assert all(len(r.error) < 700 for r in parsed.rejected)
