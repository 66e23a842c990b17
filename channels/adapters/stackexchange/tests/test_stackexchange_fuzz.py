"""Property-based tests: every real Stack Exchange fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one (numbers in quota, backoff, ids and times as
strings, NaN, huge or negative), and stored whole or not at all."""

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.stackexchange import StackExchangeAdapter
from channels.adapters.stackexchange.tests.test_stackexchange_adapter import (
    ANSWERS_URL,
    COMMENTS_URL,
    QUESTIONS_URL,
    wrapper,
)
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import HOSTILE_VALUES, check_parse, draw_mutated, fuzz_settings
from mentions.models import Message, Ticket

adapter = StackExchangeAdapter()
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json") if not p.name.startswith("_"))
PAYLOADS = {name: json.loads((FIXTURES / name).read_text()) for name in FIXTURE_NAMES}


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@fuzz_settings
@given(data=st.data())
def test_stackexchange_survives_mutated_payloads(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    check_parse(lambda: adapter.parse_page(payload))
    items = payload.get("items") if isinstance(payload, dict) else None
    if isinstance(items, list) and items:
        check_parse(lambda: adapter.parse_item(items[0]))


def test_every_fixture_is_fuzzed_and_parses_unmutated():
    assert len(FIXTURE_NAMES) >= 14
    for name in FIXTURE_NAMES:
        if name.startswith("error_"):
            continue
        parsed = adapter.parse_page(PAYLOADS[name]) if "users_associated" not in name else None
        if parsed is not None:
            assert not parsed.rejected, name


# The poll's own path: mutated pages read over HTTP, and hostile numbers where the wrapper has its counts.
POLL_PAGES = ["questions_all_stackongo.json", "questions_list_default_filter.json", "questions_by_ids.json"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", POLL_PAGES)
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_stackexchange_poll_survives_mutated_pages_and_numbers(name, data):
    page = draw_mutated(data, PAYLOADS[name])
    if isinstance(page, dict):
        for key in ("quota_remaining", "quota_max", "backoff", "has_more"):
            if data.draw(st.booleans()):
                page[key] = data.draw(st.sampled_from(HOSTILE_VALUES))
    now = int(time.time())
    cursor = data.draw(
        st.sampled_from(
            [
                {},
                {"version": 1, "tags": {"gitlab": {"since": now - 600, "seen": {"q1": "NaN"}, "resume": -5}}},
                {"tags": {"gitlab": {"since": 1e308}}, "watch": {"questions": [[1, "x"], [2, now]]}, "backoff": []},
            ]
        )
    )
    channel = Channel(slug="fuzz", kind="stackexchange", config={"site": "stackoverflow", "tags": ["gitlab"]})
    channel.cursor = cursor

    def empty_answers_and_comments(mock):
        mock.get(ANSWERS_URL, json=wrapper([]))
        mock.get(COMMENTS_URL, json=wrapper([]))

    results = fuzzing.check_poll(
        adapter, channel, QUESTIONS_URL, page, more_routes=empty_answers_and_comments, allow_nan=False
    )
    for result in results:
        json.dumps(result.platform_status, allow_nan=False)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["questions_all_stackongo.json", "questions_ids_answers.json"])
@settings(fuzz_settings, max_examples=30)
@given(data=st.data())
def test_stackexchange_mutated_payloads_are_stored_whole_or_not_at_all(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    channel = ChannelFactory(kind="stackexchange", config={"site": "stackoverflow", "tags": ["gitlab"]})
    if fuzzing.check_stored_whole(lambda: adapter.parse_page(payload), channel) is None:
        return
    fuzzing.check_messages_have_tickets(channel)  # nothing half-stored
    assert Ticket.objects.filter(channel=channel).count() <= Message.objects.filter(channel=channel).count()
