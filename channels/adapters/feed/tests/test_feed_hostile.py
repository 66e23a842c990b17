"""Hostile feeds at the HTTP boundary (issue 69's fuzzing): an unknown `encoding=`, elements nested thousands deep,
more markup than a reader takes, and a feed of more entries than asked for, each served by `responses` to a real
poll (channels/tests/harness.py) or fed to `manage.py ingest_payload`. The bodies are the recorded GitHub releases
feed and WordPress RSS of fixtures/ (SOURCES.md) with only the hostile part put in. A refused body is the feed's
payload error (counted for that feed, said on the channel, the others read), never the poll's "Internal error"; a
body over the bounds is read as far as its last whole entry within them (channels/feed_xml.py). Their cost at the
4 MB cap is bench/feed_hostile.py's."""

import logging
import re

import pytest
import responses
from django.core.management import CommandError

from channels.adapters.feed.tests.test_feed_adapter import ATOM, BLOG, OTO, atom, feed_channel, load, serve
from channels.feed_xml import MAX_DEPTH, MAX_MARKUP
from channels.models import Channel
from channels.tests.harness import ingest_payload, ingested, poll, stored

pytestmark = pytest.mark.django_db

RELEASES = [OTO + t for t in ("v2.0.2", "v2.1.0-alpha.3", "v2.1.0-alpha.4", "v2.1.0-alpha.5")]
WORDPRESS = ["https://dieworkwear.com/?p=11627", "https://dieworkwear.com/?p=11726", "https://dieworkwear.com/?p=12137"]


def bogus_encoding(body: str, name: str = "x-bogus") -> str:
    return body.replace('encoding="UTF-8"', f'encoding="{name}"', 1)


def in_entry(body: str, n: int, markup: str) -> str:
    """The recorded releases feed with `markup` put in the text (`<content>`) of its `n`-th entry (from 1)."""
    parts = body.split('<content type="html">')
    assert len(parts) == 5, "the recorded feed has four entries, each with its HTML content"
    parts[n] = markup + parts[n]
    return '<content type="html">'.join(parts)


@responses.activate
def test_an_unknown_encoding_is_that_feeds_payload_error_and_the_other_feeds_are_read():
    serve(ATOM, bogus_encoding(atom()))
    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")
    channel = feed_channel(config={"feeds": [ATOM, BLOG]}, cursor={"feeds": {ATOM: {"since": 0}, BLOG: {"since": 0}}})

    result = ingested(poll(channel))

    assert result.created == 3 and stored(channel) == WORDPRESS
    said = channel.platform_status["feeds"][ATOM]
    assert (
        said
        == f"failed 1 time(s) in a row: feed {ATOM}: the feed declares an encoding the desk cannot read ('x-bogus')"
    )
    assert channel.health == Channel.Health.OK


@responses.activate
def test_a_feed_of_an_unknown_encoding_alone_backs_the_channel_off_with_the_reason():
    serve(ATOM, bogus_encoding(atom()))
    channel = feed_channel()

    outcome = poll(channel)

    assert outcome.status == "transient_error" and channel.health == Channel.Health.BACKING_OFF
    assert channel.last_error == f"feed {ATOM}: the feed declares an encoding the desk cannot read ('x-bogus')"
    assert "Internal error" not in channel.last_error and stored(channel) == []


# Python knows "punycode" and "undefined" by name, but they fail otherwise than a decoding does (UnicodeError).
@pytest.mark.parametrize("name", ["x-bogus", "punycode", "undefined"])
def test_a_saved_feed_of_an_encoding_that_cannot_be_read_is_refused_by_ingest_payload(tmp_path, name):
    saved = tmp_path / "releases.atom"
    saved.write_text(bogus_encoding(atom(), name))
    channel = feed_channel()

    with pytest.raises(CommandError, match=re.escape(f"the feed declares an encoding the desk cannot read ('{name}')")):
        ingest_payload("--channel", channel.slug, str(saved))
    assert stored(channel) == []


@responses.activate
def test_elements_nested_thousands_deep_in_the_first_entry_refuse_the_feed():
    serve(ATOM, in_entry(atom(), 1, "<div>" * 5000 + "</div>" * 5000))
    channel = feed_channel()

    outcome = poll(channel)

    assert outcome.status == "transient_error" and stored(channel) == []
    assert channel.last_error == f"feed {ATOM}: the feed's first entry holds elements nested more than {MAX_DEPTH} deep"


@responses.activate
def test_elements_nested_thousands_deep_later_leave_the_entries_before_them_read_and_say_so(caplog):
    serve(ATOM, in_entry(atom(), 3, "<div>" * 5000 + "</div>" * 5000))
    channel = feed_channel()

    with caplog.at_level(logging.WARNING, logger="channels.adapters.feed.walk"):
        result = ingested(poll(channel))

    # The feed lists its newest first: the two newest are read; the third, nested, and the oldest after it are not.
    assert result.created == 2 and stored(channel) == RELEASES[2:]
    assert channel.health == Channel.Health.OK
    assert f"only its first 2 entries read: the next holds elements nested more than {MAX_DEPTH} deep" in caplog.text


@responses.activate
def test_more_markup_than_a_reader_takes_cuts_the_feed_after_the_last_whole_entry_within_it(caplog):
    # Tags written in an entry's text (escaped, as GitHub writes its releases' HTML): each is work for the
    # HTML-to-text pass, so they count.
    serve(ATOM, in_entry(atom(), 2, "&lt;b&gt;x&lt;/b&gt;" * MAX_MARKUP))
    channel = feed_channel()

    with caplog.at_level(logging.WARNING, logger="channels.adapters.feed.walk"):
        result = ingested(poll(channel))

    assert result.created == 1 and stored(channel) == RELEASES[3:]
    assert f"only its first 1 entry read: the next holds more than {MAX_MARKUP:,} elements" in caplog.text


@responses.activate
def test_a_malformed_feed_over_the_bounds_is_read_as_far_as_its_last_whole_entry_within_them():
    # A stray "&" makes the body malformed (feedparser's lenient reader reads it); the tags after it are counted by
    # their bytes.
    body = in_entry(
        atom().replace("<title>v2.1.0-alpha.5</title>", "<title>v2.1.0-alpha.5 & more</title>"), 3, "<b>" * 8000
    )
    serve(ATOM, body)
    channel = feed_channel()

    result = ingested(poll(channel))

    assert result.created == 2 and stored(channel) == RELEASES[2:]


@responses.activate
def test_a_feed_of_more_entries_than_the_channel_reads_hands_over_the_newest_it_asked_for():
    first, rest = atom().split("<entry>", 1)
    entries = "".join(
        "<entry>" + rest.split("</entry>", 1)[0].replace("v2.1.0-alpha.5", f"v9.{n}") + "</entry>" for n in range(600)
    )
    serve(ATOM, first + entries + "</feed>")
    channel = feed_channel(config={"feeds": [ATOM], "max_entries_per_feed": 120})

    result = ingested(poll(channel))

    assert result.created == 120 and stored(channel) == sorted(OTO + f"v9.{n}" for n in range(120))


@responses.activate
def test_an_entrys_relative_links_resolve_against_the_feed_and_links_nested_in_links_are_each_kept():
    link = '&lt;a href="/hajimehoshi/oto/pull/1"&gt;#1&lt;/a&gt; '
    nested = '&lt;a href="https://e.co/a"&gt;a' * 2000 + "&lt;/a&gt;" * 2000
    serve(ATOM, in_entry(atom(), 1, link + nested))
    channel = feed_channel()

    ingested(poll(channel))

    text = channel.tickets.get(messages__external_id=RELEASES[3]).messages.get().body
    # Each link ends where the next begins, as browsers read them (a link cannot hold one).
    assert text.startswith("#1 (https://github.com/hajimehoshi/oto/pull/1) a (https://e.co/a)a (https://e.co/a)a")
    assert text.count("a (https://e.co/a)") == 2000
