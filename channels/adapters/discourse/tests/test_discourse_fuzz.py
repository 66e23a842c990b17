"""Property-based tests: every real Discourse fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one, and stored whole or not at all.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import pytest
from hypothesis import strategies as st

from channels.adapters.discourse import DiscourseAdapter
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import QUARTER, check_parse, draw_mutated, fuzz_each
from channels.tests.platform_fuzz import FUZZED
from intake.pipeline import mentions_ingest
from mentions.models import Message

adapter = DiscourseAdapter()
BASE = "https://forum.example.com"
PAYLOADS = FUZZED["discourse"].payloads  # its recorded fixtures, as the shared fuzz contract reads them


def test_every_fixture_is_fuzzed_and_parses_unmutated():
    assert len(PAYLOADS) >= 12
    fuzzing.check_parses_whole(adapter, PAYLOADS, PAYLOADS)


# The poll's own path (pages read over HTTP, windows, edits, the cursor) over a mutated /posts.json page.
LATEST_PAGES = [n for n in PAYLOADS if "latest_posts" in PAYLOADS[n]]


@fuzz_each(LATEST_PAGES, examples=QUARTER)
def test_discourse_poll_survives_mutated_pages(name, data):
    page = draw_mutated(data, PAYLOADS[name])
    cursor = data.draw(
        st.sampled_from(
            [
                {},
                {"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 1}},
                {"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 1, "gap": {"top": 9, "low": 1}}},
            ]
        )
    )
    channel = Channel(slug="fuzz", kind="discourse", config={"base_url": BASE}, cursor=cursor)
    fuzzing.check_poll(adapter, channel, f"{BASE}/posts.json", page)


@pytest.mark.django_db
@fuzz_each(["posts_latest_real.json", "topic_2144_posts_page1_real.json"], examples=30)
def test_discourse_mutated_payloads_are_stored_whole_or_not_at_all(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    mentions = check_parse(lambda: adapter.parse_page(payload, base_url=BASE))
    channel = ChannelFactory(kind="discourse", config={"base_url": BASE})
    result = mentions_ingest(channel=channel, mentions=mentions)
    stored = set(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
    assert stored == {m.external_id for m in mentions}
    assert result.received == len(mentions)
