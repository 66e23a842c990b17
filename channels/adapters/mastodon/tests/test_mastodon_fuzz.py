"""Property-based tests: every real Mastodon fixture (fixtures/SOURCES.md), mutated the ways the internet breaks
payloads (channels/tests/fuzzing.py), is parsed without an unhandled exception, fetched through a poll without one,
and stored whole or not at all; payloads and HTML nested thousands deep are read or refused in words."""

import json
from functools import partial
from pathlib import Path

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.base import AdapterError
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.mastodon.cursor import Cursor
from channels.http import build_session
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.fuzzing import check_parse, deep, deep_dict, draw_mutated, dumps_deep, fuzz_settings

from .shapes import BASE, CONFIG, NOTIFICATIONS, TAG, TOKEN, ago, channel, rate, status

adapter = MastodonAdapter()
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json") if not p.name.startswith("_"))
PAYLOADS = {name: json.loads((FIXTURES / name).read_text()) for name in FIXTURE_NAMES}
LISTS = [n for n in FIXTURE_NAMES if isinstance(PAYLOADS[n], list)]
# Fixtures without a post to read: empty answers, a boost, and what is no status at all (errors, accounts, the
# instance, a token, a media attachment), which test_mastodon_fixtures reads exactly.
NO_POSTS = {"search_statuses_empty.json", "context_empty.json", "status_reblogged.json", "verify_credentials.json"}
NO_POSTS |= {
    n for n in FIXTURE_NAMES if n.startswith(("error_", "instance_", "docs_instance", "docs_token", "docs_media"))
}


def items(payload):
    return payload if isinstance(payload, list) else []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@fuzz_settings
@given(data=st.data())
def test_mastodon_survives_mutated_payloads(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    check_parse(lambda: adapter.parse_page(payload))
    for item in items(payload):
        check_parse(partial(adapter.parse_item, item))  # a dead letter read again


def test_every_fixture_is_fuzzed_and_those_with_posts_parse_unmutated():
    assert len(FIXTURE_NAMES) == 23 and len(LISTS) == 3
    for name in sorted(set(FIXTURE_NAMES) - NO_POSTS):
        parsed = adapter.parse_page(PAYLOADS[name])
        assert parsed.mentions and not parsed.rejected, name


CURSORS = [
    {},
    {"version": 1, "base_url": BASE, "streams": {"tag:gitlab": {"min_id": "117020593741189700"}}, "seen": ["1"]},
    {"version": 1, "base_url": BASE, "streams": {"tag:gitlab": "x", "mentions": {"min_id": "../x"}}, "seen": "z"},
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, url",
    [
        ("tag_timeline_hoot.json", TAG),
        ("account_statuses_page.json", TAG),
        ("notifications_mentions.json", NOTIFICATIONS),
    ],
)
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_mastodon_poll_survives_mutated_pages(name, url, data):
    """The poll's own path (streams, marks, paging, `seen`, the cursor) over a mutated page."""
    page = draw_mutated(data, PAYLOADS[name])
    only = {"mentions": url == NOTIFICATIONS, "hashtags": ["gitlab"] if url == TAG else []}
    made = Channel(
        slug="fuzz",
        name="fuzz",
        kind="mastodon",
        config={**CONFIG, **only, "backfill_hours": 720},
        cursor=data.draw(st.sampled_from(CURSORS)),
    )
    made.credentials = {"access_token": TOKEN}
    results = fuzzing.check_poll(adapter, made, url, page, headers=rate(), allow_nan=False)
    for result in results:
        assert "\\u0000" not in json.dumps(result.cursor, allow_nan=False)
        assert Cursor.load(result.cursor, base_url=BASE).dump() == result.cursor  # read back as written


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_mastodon_mutated_pages_are_stored_whole_or_not_at_all(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    made = Channel.objects.filter(slug="mastodon").first() or channel()
    fuzzing.check_stored_whole_and_once(lambda: adapter.parse_page(payload), made)


# --- nesting thousands deep ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [deep(5000), [deep(5000)], {"statuses": [deep_dict(5000)]}, {"ancestors": deep(5000), "descendants": []}],
    ids=["deep-list", "item-deep-list", "search-deep-dict", "context-deep-list"],
)
def test_a_payload_nested_5000_deep_is_parsed_or_refused_clearly(payload):
    try:
        parsed = adapter.parse_page(payload)
    except AdapterError as exc:
        assert len(str(exc)) < 400
        return
    assert not parsed.mentions
    assert all(len(r.error) < 700 for r in parsed.rejected)


def test_html_nested_5000_deep_is_text_without_recursion():
    post = status(9001, at=ago(1), html="<div>" * 5000 + "<p>still here</p>" + "</div>" * 5000)
    [mention] = adapter.parse_page([post]).mentions
    assert mention.text == "still here"


@pytest.mark.django_db
@responses.activate
def test_a_response_nested_5000_deep_is_a_payload_error_not_a_crash():
    made = channel(config={**CONFIG, "mentions": False})
    responses.get(TAG, body=dumps_deep([deep_dict(5000)]), headers=rate(), content_type="application/json")
    with pytest.raises(AdapterError, match="nested too deep"):
        adapter.fetch(channel=made, session=build_session())
    responses.reset()
    junk = status(9002, at=ago(1), card=deep_dict(200))  # junk only shallow enough for the decoder
    responses.get(TAG, json=[junk], headers=rate())
    [mention] = adapter.fetch(channel=made, session=build_session()).mentions
    assert mention.external_id == "9002"
    json.dumps(mention.raw)
