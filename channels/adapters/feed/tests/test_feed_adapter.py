"""The feed adapter: its config, and a poll's walk of its feeds with HTTP mocked by `responses` at the edge:
conditional GETs (a 304 hands nothing over), entries once (an edit is not a new mention, a restart loses none),
keywords, and what a feed that moves or fails does (301/308, 410, a malformed body, repeated failures, a 429, an
address the fetch guard refuses). The bodies are the recorded feeds in fixtures/ (SOURCES.md: a GitHub
`releases.atom`, a WordPress RSS 2.0), or those files with only an entry's id, time, title or text changed."""

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
import time_machine

from channels.adapters import ConfigError
from channels.adapters.base import Gone, PayloadError, PermanentError, RateLimited, TransientError
from channels.adapters.feed import FeedAdapter
from channels.adapters.feed.cursor import Cursor
from channels.adapters.feed.walk import status_lines
from channels.http import build_session
from channels.models import Channel
from channels.tests.factories import ChannelFactory

FIXTURES = Path(__file__).parent / "fixtures"
adapter = FeedAdapter()
ATOM = "https://github.com/hajimehoshi/oto/releases.atom"
BLOG = "https://dieworkwear.com/feed/"
OTO = "tag:github.com,2008:Repository/90259571/"


def load(name: str) -> str:
    return (FIXTURES / name).read_text()


def atom(*, newest: str = "2021-12-27T09:06:05Z", first: str = "v2.1.0-alpha.5", text: str = "") -> str:
    """The recorded releases feed, its newest entry's time, tag (id, link, title) or text changed."""
    body = load("github_releases_oto.atom").replace("2021-12-27T09:06:05Z", newest).replace("v2.1.0-alpha.5", first)
    return body.replace("internal/oboe: update Oboe to v1.6.1", text) if text else body


def unsaved(feeds=(ATOM,), *, cursor=None, **config) -> Channel:
    # The recorded entries are from 2021-2024: the channel's cursor reads back to before them.
    config = {"feeds": list(feeds), **config}
    cursor = cursor or {"feeds": {url: {"since": 0} for url in feeds}}
    return Channel(slug="feed", name="Feed", kind="feed", config=config, cursor=cursor)


_names = itertools.count(1)


def feed_channel(**kw) -> Channel:
    n = next(_names)
    kw.setdefault("name", f"Feeds {n}")
    kw.setdefault("slug", f"feeds-{n}")
    kw.setdefault("config", {"feeds": [ATOM]})
    kw.setdefault("cursor", {"feeds": {ATOM: {"since": 0}}})
    kw.setdefault("our_accounts", ["gitlab-team"])
    return ChannelFactory(kind="feed", **kw)


def walk(channel: Channel):
    return list(adapter.fetch_chunks(channel=channel, session=build_session()))


def ids(chunks) -> list[str]:
    return [m.external_id for c in chunks for m in c.mentions]


def serve(url: str, body: str = "", *, status: int = 200, headers=None, content_type="application/atom+xml"):
    responses.get(url, body=body, status=status, headers=headers, content_type=content_type)


# --- config ------------------------------------------------------------------------------------------------------


def test_config_needs_feeds_with_an_address_each():
    assert adapter.validate_config({"feeds": [f" {ATOM} ", ATOM], "keywords": ["GitLab", "gitlab"]}) == {
        "feeds": [ATOM],
        "keywords": ["GitLab"],
    }
    refused: list[tuple[dict, str]] = [
        ({}, 'Give "feeds"'),
        ({"feeds": ["ftp://example.org/feed"]}, "https://"),
        ({"feeds": ["https://user:pw@example.org/feed"]}, "user name or password"),
        ({"feeds": ["https://example.org/feed#top"]}, "fragment"),
        ({"feeds": [ATOM], "forum": "x"}, "Unknown feed setting"),
        ({"feeds": [ATOM] * 21}, "at most 20"),
    ]
    for config, said in refused:
        with pytest.raises(ConfigError, match=re.escape(said)):
            adapter.validate_config(config)


# --- nothing twice, nothing lost -------------------------------------------------------------------------------


@responses.activate
def test_a_poll_hands_the_entries_over_oldest_first_and_sends_the_validators_back():
    serve(ATOM, atom(), headers={"ETag": '"v1"', "Last-Modified": "Mon, 27 Dec 2021 09:06:05 GMT"})
    channel = unsaved()

    chunks = walk(channel)

    assert ids(chunks) == [OTO + tag for tag in ("v2.0.2", "v2.1.0-alpha.3", "v2.1.0-alpha.4", "v2.1.0-alpha.5")]
    state = chunks[-1].cursor["feeds"][ATOM]
    assert (state["etag"], state["modified"]) == ('"v1"', "Mon, 27 Dec 2021 09:06:05 GMT")
    assert chunks[-1].platform_status["feeds"] == {ATOM: "OK"}

    # The next poll sends them back; a 304 hands nothing over and leaves the cursor as it was.
    responses.reset()
    serve(ATOM, status=304)
    channel.cursor = chunks[-1].cursor
    again = walk(channel)

    sent = responses.calls[0].request.headers
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == ('"v1"', "Mon, 27 Dec 2021 09:06:05 GMT")
    assert ids(again) == [] and again[-1].cursor == channel.cursor


@responses.activate
def test_an_entry_listed_again_is_not_handed_over_again_even_edited_and_a_new_one_is_after_a_restart():
    serve(ATOM, atom())
    channel = unsaved()
    channel.cursor = walk(channel)[-1].cursor  # what the restarted worker finds stored

    # The feed now lists a new release, and the one before it edited (new text, new update time).
    responses.reset()
    body = atom(newest="2022-01-05T10:00:00Z", first="v2.1.0-beta.1")
    body = body.replace("js: Reduce allocations", "js: Reduce allocations (edited)")
    serve(ATOM, body.replace("2021-11-03T16:16:57Z", "2022-01-06T00:00:00Z"))

    assert ids(walk(channel)) == [OTO + "v2.1.0-beta.1"]


@responses.activate
def test_keywords_keep_only_the_entries_that_say_one():
    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")

    chunks = walk(unsaved([BLOG], keywords=["BLACK FRIDAY", "cowboys"]))

    assert [m.title for c in chunks for m in c.mentions] == [
        "A Dozen Great Black Friday Sales",
        "American Space Cowboys",
    ]
    # Every entry read is remembered, wanted or not: it is not looked at again.
    assert len(chunks[-1].cursor["feeds"][BLOG]["seen"]) == 3


@responses.activate
def test_the_first_poll_reads_back_only_its_backfill():
    serve(ATOM, atom(newest="2021-12-27T09:06:05Z"))
    config = {"feeds": [ATOM], "backfill_hours": 24}

    with time_machine.travel(datetime(2021, 12, 28, 8, 0, tzinfo=UTC), tick=False):
        chunks = walk(Channel(slug="f", name="f", kind="feed", config=config, cursor={}))

    assert ids(chunks) == [OTO + "v2.1.0-alpha.5"]


# --- a feed that moves or fails --------------------------------------------------------------------------------


@responses.activate
def test_a_permanent_redirect_moves_the_feed_and_says_so():
    moved = "https://github.com/ebitengine/oto/releases.atom"
    serve(ATOM, status=301, headers={"Location": moved})
    serve(moved, atom())
    channel = unsaved()

    chunks = walk(channel)

    assert len(ids(chunks)) == 4
    state = chunks[-1].cursor["feeds"][ATOM]
    assert state["url"] == moved and f"moved permanently from {ATOM} to {moved}" in state["moved"]
    assert "read there now" in chunks[-1].platform_status["feeds"][ATOM]

    responses.reset()
    serve(moved, status=304)
    channel.cursor = chunks[-1].cursor
    walk(channel)
    assert [c.request.url for c in responses.calls] == [moved]  # the old address is not asked again


@responses.activate
def test_a_temporary_redirect_is_followed_but_not_remembered():
    elsewhere = "https://objects.githubusercontent.com/oto/releases.atom"
    serve(ATOM, status=302, headers={"Location": elsewhere})
    serve(elsewhere, atom())

    chunks = walk(unsaved())

    assert len(ids(chunks)) == 4
    assert (chunks[-1].cursor["feeds"][ATOM]["url"], chunks[-1].cursor["feeds"][ATOM]["moved"]) == (ATOM, "")


@responses.activate
def test_a_redirect_to_a_malformed_address_is_said_for_its_feed_and_the_others_are_read():
    # requests parses a redirect's Location even when not following it: an unclosed IPv6 bracket is a ValueError.
    serve(ATOM, status=302, headers={"Location": "http://[::1/releases.atom"})
    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")

    chunks = walk(unsaved([ATOM, BLOG]))

    assert len(ids(chunks)) == 3
    said = f"feed {ATOM}: HTTP 302 redirect to a malformed address 'http://[::1/releases.atom'"
    assert chunks[-1].platform_status["feeds"][ATOM] == f"failed 1 time(s) in a row: {said}"


@responses.activate
def test_a_feed_gone_is_read_no_more_and_the_others_are_read():
    serve(ATOM, "Gone", status=410, content_type="text/plain")
    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")
    channel = unsaved([ATOM, BLOG])

    chunks = walk(channel)

    assert len(ids(chunks)) == 3
    assert "HTTP 410 Gone" in chunks[-1].cursor["feeds"][ATOM]["gone"]
    assert chunks[-1].platform_status["feeds"][ATOM].startswith("gone since ")

    responses.reset()
    serve(BLOG, status=304)
    channel.cursor = chunks[-1].cursor
    walk(channel)
    assert [c.request.url for c in responses.calls] == [BLOG]


@responses.activate
def test_when_every_feed_is_gone_the_poll_fails_after_storing_why():
    serve(ATOM, "Gone", status=410, content_type="text/plain")
    channel = unsaved()
    chunks = []
    with pytest.raises(Gone, match="HTTP 410"):
        for chunk in adapter.fetch_chunks(channel=channel, session=build_session()):
            chunks.append(chunk)
    assert chunks and chunks[-1].cursor["feeds"][ATOM]["gone"]

    channel.cursor = chunks[-1].cursor  # later polls ask nothing, and still fail for an admin
    with pytest.raises(Gone, match="every feed of the channel is gone"):
        walk(channel)
    assert len(responses.calls) == 1


@responses.activate
def test_a_malformed_feed_is_counted_and_said_and_the_poll_fails_when_it_is_the_only_one():
    # A recorded feed cut short in its header: feedparser says it is malformed (bozo) and finds no entry.
    cut = load("wordpress_dieworkwear.rss")[:700] + "<<"
    serve(ATOM, cut, content_type="application/rss+xml")
    channel = unsaved()

    with pytest.raises(PayloadError, match="malformed feed"):
        walk(channel)

    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")
    channel = unsaved([ATOM, BLOG])
    first = walk(channel)
    channel.cursor = first[-1].cursor
    second = walk(channel)

    assert len(ids(first)) == 3 and ids(second) == []
    line = second[-1].platform_status["feeds"][ATOM]
    assert line.startswith("failed 2 time(s) in a row: feed https://github.com") and "malformed feed" in line


@responses.activate
def test_a_page_that_is_no_feed_and_a_server_error_are_failures_of_their_own():
    serve(ATOM, "<html><head><title>Sign in</title></head></html>", content_type="text/html")
    with pytest.raises(PayloadError):
        walk(unsaved())
    responses.reset()
    serve(ATOM, "", status=503)
    with pytest.raises(TransientError):
        walk(unsaved())
    responses.reset()
    serve(ATOM, "", status=404)
    with pytest.raises(PermanentError, match="check the feed's address"):
        walk(unsaved())


@responses.activate
def test_a_429_makes_that_feed_wait_its_retry_after_while_the_others_are_read():
    serve(ATOM, "", status=429, headers={"Retry-After": "1200"})
    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")
    channel = unsaved([ATOM, BLOG])

    with time_machine.travel(datetime(2031, 1, 1, 9, 0, tzinfo=UTC), tick=False):
        chunks = walk(channel)

    assert len(ids(chunks)) == 3
    state = chunks[-1].cursor["feeds"][ATOM]
    assert state["failures"] == 1
    assert state["not_before"] == datetime(2031, 1, 1, 9, 20, tzinfo=UTC).timestamp()  # its Retry-After: 1200 s
    responses.reset()
    serve(BLOG, status=304)
    channel.cursor = chunks[-1].cursor
    walk(channel)
    assert [c.request.url for c in responses.calls] == [BLOG]  # the limited feed waits

    with pytest.raises(RateLimited):  # alone, its 429 fails the poll, which waits the Retry-After
        responses.reset()
        serve(ATOM, "", status=429, headers={"Retry-After": "1200"})
        walk(unsaved())


def test_an_address_the_fetch_guard_refuses_fails_the_channel_for_an_admin(settings):
    settings.DESK_FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(PermanentError, match="link-local"):
        walk(unsaved(["http://169.254.169.254/latest/meta-data/"]))


def test_the_states_read_as_lines():
    cursor = Cursor.read_back(
        {"feeds": {ATOM: {"failures": 3, "error": "feed x: timed out"}, BLOG: {"gone": "2026-11-01: HTTP 410"}}},
        feeds=[ATOM, BLOG],
        since=0,
    )
    assert status_lines(cursor) == {
        ATOM: "failed 3 time(s) in a row: feed x: timed out",
        BLOG: "gone since 2026-11-01: HTTP 410; no longer read (remove it from the channel's feeds)",
    }


PRIVATE = "https://gitlab.example.com/dashboard/projects.atom?feed_token=glft-Secret123&scope=all"


@responses.activate
def test_a_private_feeds_token_is_in_no_error_status_or_log_line(caplog):
    # GitLab's and Jira's private activity feeds carry the reader's token in the query; it is the channel's config,
    # which admins see, but never what the poll says, stores as its last error, shows under "Platform says" or logs.
    serve(PRIVATE, load("wordpress_dieworkwear.rss")[:700] + "<<", content_type="application/rss+xml")
    serve(BLOG, load("wordpress_dieworkwear.rss"), content_type="application/rss+xml")
    channel = unsaved([PRIVATE, BLOG])
    said = walk(channel)[-1].platform_status["feeds"]
    responses.reset()
    serve(PRIVATE, "", status=404)
    with pytest.raises(PermanentError) as failed:
        walk(unsaved([PRIVATE]))

    assert said[PRIVATE.replace("glft-Secret123", "hidden")].startswith("failed 1 time(s) in a row: feed https://")
    shown = [str(failed.value), repr(said), caplog.text]
    assert "scope=all" in str(failed.value) and not any("glft-Secret123" in text for text in shown)
