"""Property-based tests: every real Discourse fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one, and stored whole or not at all."""

import json
import sys
from pathlib import Path

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from channels import clean
from channels.adapters.base import AdapterError
from channels.adapters.discourse import DiscourseAdapter
from channels.http import build_session
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import check_parse, fuzz_settings, mutated
from mentions.models import Message
from mentions.services import mentions_ingest

adapter = DiscourseAdapter()
FIXTURES = Path(__file__).parent / "fixtures" / "discourse"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))
BASE = "https://forum.example.com"


def load(name):
    return json.loads((FIXTURES / name).read_text())


PAYLOADS = {name: load(name) for name in FIXTURE_NAMES}


def draw_mutated(data, payload):
    """`mutated(payload)` with room on the stack while drawing: the shared strategy's "stringify"
    (`str(current)`, channels/tests/fuzzing.py) recurses once per level of a value that an earlier mutation of
    the same draw nested 5000 deep, and would fail in the strategy itself. The limit is restored before the
    adapter runs, so a RecursionError in the adapter still fails the test."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        return data.draw(mutated(payload))
    finally:
        sys.setrecursionlimit(limit)


def dumps_deep(value):
    """JSON text of a payload however deep (the server side of the test may send what the client cannot read)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        return json.dumps(value)
    finally:
        sys.setrecursionlimit(limit)


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
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{BASE}/posts.json", body=dumps_deep(page), content_type="application/json")
        try:
            results = list(adapter.fetch_chunks(channel=channel, session=build_session()))
        except AdapterError:
            return
    for result in results:
        for mention in result.mentions:
            assert clean.mention_clean(mention) == mention
        json.dumps(result.cursor)  # the cursor is storable JSON
        assert all(r.error for r in result.rejected)


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
