"""Property-based tests: every real Mastodon fixture (fixtures/SOURCES.md), mutated the ways the internet breaks
payloads (channels/tests/fuzzing.py), is parsed without an unhandled exception, fetched through a poll without one,
and stored whole or not at all; payloads and HTML nested thousands deep are read or refused in words.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import json

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
from channels.tests.fuzzing import QUARTER, deep_dict, draw_mutated, dumps_deep, fuzz_settings
from channels.tests.platform_fuzz import FUZZED

from .shapes import BASE, CONFIG, NOTIFICATIONS, TAG, TOKEN, ago, channel, rate, status

adapter = MastodonAdapter()
PAYLOADS = FUZZED["mastodon"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
LISTS = [n for n in PAYLOADS if isinstance(PAYLOADS[n], list)]
# Fixtures without a post to read: empty answers, a boost, and what is no status at all (errors, accounts, the
# instance, a token, a media attachment), which test_mastodon_fixtures reads exactly.
NO_POSTS = {"search_statuses_empty.json", "context_empty.json", "status_reblogged.json", "verify_credentials.json"}
NO_POSTS |= {n for n in PAYLOADS if n.startswith(("error_", "instance_", "docs_instance", "docs_token", "docs_media"))}


def test_every_fixture_is_fuzzed_and_those_with_posts_parse_unmutated():
    assert len(PAYLOADS) == 23 and len(LISTS) == 3
    fuzzing.check_parses_whole(adapter, PAYLOADS, sorted(set(PAYLOADS) - NO_POSTS))


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
@settings(fuzz_settings, max_examples=QUARTER)
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
        assert Cursor.read_back(result.cursor, base_url=BASE).dump() == result.cursor  # read back as written


# --- nesting thousands deep ----------------------------------------------------------------------


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
