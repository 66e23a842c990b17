"""Property-based tests: every real Hacker News fixture, mutated the ways the internet breaks payloads (HN's text
and number fields among them: points, num_comments and created_at_i as strings, NaN, huge, negative), is parsed
without an unhandled exception, walked through a poll without one, and stored whole or not at all.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import json
import time

import pytest
from hypothesis import strategies as st

from channels.adapters.hackernews import SEARCH_URL, HackerNewsAdapter
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import QUARTER, check_parse, draw_mutated, fuzz_each
from channels.tests.platform_fuzz import FUZZED
from mentions.models import Message, Ticket

adapter = HackerNewsAdapter()
PAYLOADS = FUZZED["hackernews"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
SEARCH_PAGES = [n for n in PAYLOADS if "hits" in PAYLOADS[n]]
# What HN's number and time fields become on a bad day.
HN_NUMBERS = ["7", "1403235346", "", "NaN", float("nan"), float("inf"), -1, -(2**63), 2**64, 10**30, "1e400", 1.5, True]
NUMBER_KEYS = ("points", "num_comments", "created_at_i", "parent_id", "story_id", "score", "time", "descendants")


@st.composite
def hn_numbers_mutated(draw, payload):
    """The payload with some of its HN number fields (in every hit or item) set to hostile values."""
    value = json.loads(json.dumps(payload))
    items = value["hits"] if isinstance(value, dict) and isinstance(value.get("hits"), list) else [value]
    for item in items:
        if not isinstance(item, dict):
            continue
        for key in NUMBER_KEYS:
            if key in item and draw(st.booleans()):
                item[key] = draw(st.sampled_from(HN_NUMBERS))
    return value


@fuzz_each(list(PAYLOADS))
def test_hackernews_survives_hostile_numbers(name, data):
    payload = data.draw(hn_numbers_mutated(PAYLOADS[name]))
    for mention in check_parse(lambda: adapter.parse_page(payload)):
        for key in ("points", "num_comments"):
            assert mention.raw.get(key) is None or type(mention.raw[key]) is int  # the ingest reads them


def test_every_fixture_is_fuzzed_and_parses_unmutated():
    assert len(PAYLOADS) >= 17
    users = ("firebase_user_jl.json", "algolia_users_pg.json")  # users, not mentions
    fuzzing.check_parses_whole(adapter, PAYLOADS, [name for name in PAYLOADS if name not in users])


@fuzz_each(SEARCH_PAGES, examples=QUARTER)
def test_hackernews_poll_survives_mutated_pages(name, data):
    """The poll's own path (windows, pages, cursor) over a mutated search response."""
    page = draw_mutated(data, PAYLOADS[name])
    if isinstance(page, dict) and isinstance(page.get("hits"), list):
        now = int(time.time())
        for hit in page["hits"]:
            if isinstance(hit, dict) and isinstance(hit.get("created_at_i"), int):
                hit["created_at_i"] = now - 600  # inside the backfill window, as Algolia would filter
    cursor = data.draw(
        st.sampled_from([{}, {"created_at_i": 1, "recent_ids": ["x"]}, {"keywords": {"gitlab": {"from": "?"}}}])
    )
    channel = Channel(slug="fuzz", kind="hackernews", config={"keywords": ["gitlab"]}, cursor=cursor)
    results = fuzzing.check_poll(adapter, channel, SEARCH_URL, page)
    assert sum(r.requests_made for r in results) <= 30 + 1  # the walk's budget, and the front page


@pytest.mark.django_db
@fuzz_each(["algolia_search_by_date_comment_author_pg.json", "algolia_items_17.json"], examples=30)
def test_hackernews_mutated_payloads_are_stored_whole_or_not_at_all(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    channel = ChannelFactory()
    stored_whole = fuzzing.check_stored_whole(lambda: adapter.parse_page(payload), channel)
    if stored_whole is None:
        return
    _, result = stored_whole
    fuzzing.check_messages_have_tickets(channel)
    assert Message.objects.filter(channel=channel).count() == result.created
    assert Ticket.objects.filter(channel=channel).count() == result.tickets_created
