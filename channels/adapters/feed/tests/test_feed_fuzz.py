"""Property-based tests: random bytes, and each recorded feed (fixtures/SOURCES.md) mangled the ways feeds break
(cut short, a slice dropped or doubled, hostile text put in: an entity declaration, an external entity, NUL, a
lone surrogate, markup nested thousands deep, another encoding's bytes), read without an unhandled exception:
refused with the platform's PayloadError, or read into clean mentions and rejected entries. The same through a
poll, and the entries as the dead-letter table keeps them, mutated (channels/tests/fuzzing.py), stored whole or not
at all."""

from pathlib import Path

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.feed import FeedAdapter
from channels.adapters.feed.tests.test_feed_adapter import ATOM, feed_channel, unsaved
from channels.tests.fuzzing import (
    check_fetch,
    check_parse,
    check_stored_whole_and_once,
    draw_mutated,
    fuzz_settings,
    mutated,
)

FIXTURES = Path(__file__).parent / "fixtures"
adapter = FeedAdapter()
FEEDS = {p.name: p.read_bytes() for p in sorted(FIXTURES.iterdir()) if p.suffix in (".atom", ".rss")}
ENTRIES = {name: [m.raw for m in adapter.parse_payload(body)] for name, body in FEEDS.items()}
HOSTILE = [
    b'<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b"&x;",
    b"\x00",
    "\ud800".encode("utf-8", "surrogatepass"),
    b"<a>" * 5000,
    b"</entry></feed>",
    b"<![CDATA[",
    b"\xff\xfe<\x00r\x00s\x00s\x00",
    "caf\u00e9 \u202e".encode("latin-1", "replace"),
    b'<entry><id></id><updated>9999-99-99T99:99:99Z</updated><title type="html">&lt;script&gt;</title></entry>',
    b"<item><pubDate>Fri, 31 Dec 99999 23:59:59 +0000</pubDate><link>javascript:alert(1)</link></item>",
]


@st.composite
def mangled(draw, body: bytes) -> bytes:
    """`body` with 1 to 3 manglings at drawn places."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(body)))
        how = draw(st.sampled_from(["cut", "drop", "double", "insert", "bytes"]))
        if how == "cut":
            body = body[:at]
        elif how == "drop":
            body = body[:at] + body[at + draw(st.integers(min_value=1, max_value=400)) :]
        elif how == "double":
            body = body[:at] + body[at : at + 300] + body[at:]
        elif how == "insert":
            body = body[:at] + draw(st.sampled_from(HOSTILE)) + body[at:]
        else:
            body = body[:at] + draw(st.binary(max_size=40)) + body[at:]
    return body


@fuzz_settings
@given(body=st.binary(max_size=2000))
def test_feed_survives_random_bytes(body):
    check_parse(lambda: adapter.parse_page(body))


@pytest.mark.parametrize("name", sorted(FEEDS))
@fuzz_settings
@given(data=st.data())
def test_feed_survives_mangled_xml(name, data):
    body = data.draw(mangled(FEEDS[name]))
    check_parse(lambda: adapter.parse_page(body))


@pytest.mark.parametrize("name", sorted(FEEDS))
@fuzz_settings
@given(data=st.data())
def test_feed_poll_survives_a_mangled_feed(name, data):
    body = data.draw(mangled(FEEDS[name]))
    status = data.draw(st.sampled_from([200, 200, 200, 301, 304, 410, 429, 500]))
    headers = {"Location": data.draw(st.sampled_from(["", "/moved.xml", "javascript:x", "http://[::1", ATOM]))}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(ATOM, body=body, status=status, headers=headers, content_type="application/rss+xml")
        mock.get("https://github.com/moved.xml", body=body, content_type="application/rss+xml")
        # the body is XML, not JSON: fuzzing.check_poll's contract through the routes above
        check_fetch(adapter, unsaved(), allow_nan=False)


@pytest.mark.parametrize("name", sorted(ENTRIES))
@fuzz_settings
@given(data=st.data())
def test_feed_survives_mutated_dead_letters(name, data):
    entries = draw_mutated(data, ENTRIES[name])
    check_parse(lambda: adapter.parse_page(entries))
    check_parse(lambda: adapter.parse_item(entries))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ENTRIES))
@settings(fuzz_settings, max_examples=max(10, fuzz_settings.max_examples // 4))
@given(data=st.data())
def test_feed_mutated_entries_are_stored_whole_or_not_at_all(name, data):
    entries = data.draw(mutated(ENTRIES[name]))
    channel = feed_channel(our_accounts=[])
    check_stored_whole_and_once(lambda: adapter.parse_page(entries), channel)


def test_a_billion_laughs_is_refused_before_feedparser_reads_it():
    body = HOSTILE[0] + b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>'
    with pytest.raises(Exception, match="entities or external references"):
        adapter.parse_page(body)
