"""Property-based tests: every real Stack Exchange fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one (numbers in quota, backoff, ids and times as
strings, NaN, huge or negative), and stored whole or not at all.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import json
import time

import pytest
from hypothesis import strategies as st

from channels.adapters.stackexchange import StackExchangeAdapter
from channels.adapters.stackexchange.tests import test_stackexchange_adapter as shapes
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import HOSTILE_VALUES, QUARTER, draw_mutated, fuzz_each
from channels.tests.platform_fuzz import FUZZED
from mentions.models import Message, Ticket

adapter = StackExchangeAdapter()
PAYLOADS = FUZZED["stackexchange"].payloads  # its recorded fixtures, as the shared fuzz contract reads them


def test_every_fixture_is_fuzzed_and_parses_unmutated():
    assert len(PAYLOADS) >= 14
    for name in PAYLOADS:
        if name.startswith("error_"):
            continue
        parsed = adapter.parse_page(PAYLOADS[name]) if "users_associated" not in name else None
        if parsed is not None:
            assert not parsed.rejected, name


# The poll's own path: mutated pages read over HTTP, and hostile numbers where the wrapper has its counts.
POLL_PAGES = ["questions_all_stackongo.json", "questions_list_default_filter.json", "questions_by_ids.json"]


@pytest.mark.django_db
@fuzz_each(POLL_PAGES, examples=QUARTER)
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
        mock.get(shapes.ANSWERS_URL, json=shapes.wrapper([]))
        mock.get(shapes.COMMENTS_URL, json=shapes.wrapper([]))

    results = fuzzing.check_poll(
        adapter, channel, shapes.QUESTIONS_URL, page, more_routes=empty_answers_and_comments, allow_nan=False
    )
    for result in results:
        json.dumps(result.platform_status, allow_nan=False)


@pytest.mark.django_db
@fuzz_each(["questions_all_stackongo.json", "questions_ids_answers.json"], examples=30)
def test_stackexchange_mutated_payloads_are_stored_whole_or_not_at_all(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    channel = ChannelFactory(kind="stackexchange", config={"site": "stackoverflow", "tags": ["gitlab"]})
    if fuzzing.check_stored_whole(lambda: adapter.parse_page(payload), channel) is None:
        return
    fuzzing.check_messages_have_tickets(channel)  # nothing half-stored
    assert Ticket.objects.filter(channel=channel).count() <= Message.objects.filter(channel=channel).count()
