"""Property-based tests: every real Discourse fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one, and stored whole or not at all."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.discourse import DiscourseAdapter
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import check_parse, draw_mutated, fuzz_settings
from intake.pipeline import mentions_ingest
from mentions.models import Message

adapter = DiscourseAdapter()
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))
BASE = "https://forum.example.com"


def load(name):
    return json.loads((FIXTURES / name).read_text())


PAYLOADS = {name: load(name) for name in FIXTURE_NAMES}


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@fuzz_settings
@given(data=st.data())
def test_discourse_survives_mutated_payloads(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    check_parse(lambda: adapter.parse_page(payload))
    check_parse(lambda: adapter.parse_page(payload, base_url=BASE))


def test_every_fixture_is_fuzzed_and_parses_unmutated():
    assert len(FIXTURE_NAMES) >= 12
    for name in FIXTURE_NAMES:
        parsed = adapter.parse_page(PAYLOADS[name])
        assert parsed.mentions and not parsed.rejected, name


# The poll's own path (pages read over HTTP, windows, edits, the cursor) over a mutated /posts.json page.
LATEST_PAGES = [n for n in FIXTURE_NAMES if "latest_posts" in PAYLOADS[n]]


@pytest.mark.parametrize("name", LATEST_PAGES)
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
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
@pytest.mark.parametrize("name", ["posts_latest_real.json", "topic_2144_posts_page1_real.json"])
@settings(fuzz_settings, max_examples=30)
@given(data=st.data())
def test_discourse_mutated_payloads_are_stored_whole_or_not_at_all(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    mentions = check_parse(lambda: adapter.parse_page(payload, base_url=BASE))
    channel = ChannelFactory(kind="discourse", config={"base_url": BASE})
    result = mentions_ingest(channel=channel, mentions=mentions)
    stored = set(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
    assert stored == {m.external_id for m in mentions}
    assert result.received == len(mentions)
