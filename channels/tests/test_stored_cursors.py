"""Every polled platform's cursor (`Channel.cursor`) reads back what the desk stored and survives what it did not.

Channels in production databases hold cursors dumped by earlier code, so a cursor's stored JSON is a format: each
sample below is what that platform's cursor dumps (its shape is the one its module's docstring shows, its values
the ones its platform's tests use: `channels/adapters/<platform>/cursor.py` and `.../tests`), and a stored cursor
must load and dump to the same JSON. Hostile input (any JSON, or a sample with parts dropped, retyped, nested or
replaced by the fuzzers' hostile values, `channels.tests.fuzzing`) loads without raising, and what it dumps is a
fixed point: stored and read back, it dumps the same again. No HTTP, no database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.adapters.bluesky.cursor import cursor_of as bluesky_cursor
from channels.adapters.devto.cursor import Cursor as DevtoCursor
from channels.adapters.discord.cursor import Cursor as DiscordCursor
from channels.adapters.discourse.cursor import Cursor as DiscourseCursor
from channels.adapters.disqus.cursor import Cursor as DisqusCursor
from channels.adapters.email.cursor import Cursor as EmailCursor
from channels.adapters.feed.cursor import Cursor as FeedCursor
from channels.adapters.github.cursor import Cursor as GitHubCursor
from channels.adapters.gitlab.cursor import Cursor as GitLabCursor
from channels.adapters.hackernews.cursor import Cursor as HackerNewsCursor
from channels.adapters.lobsters.cursor import Cursor as LobstersCursor
from channels.adapters.mastodon.cursor import Cursor as MastodonCursor
from channels.adapters.reddit.cursor import Cursor as RedditCursor
from channels.adapters.stackexchange.cursor import Cursor as StackExchangeCursor
from channels.adapters.telegram.cursor import Cursor as TelegramCursor
from channels.adapters.twitter.cursor import Cursor as TwitterCursor
from channels.adapters.youtube.cursor import Cursor as YouTubeCursor
from channels.adapters.youtube.quota import Quota
from channels.tests.fuzzing import draw_mutated, fuzz_settings, with_deep_stack

NOW = 1_764_331_200  # 2025-11-28T12:00:00Z: the second every sample's poll runs at
FEED = "https://example.org/feed.xml"
DISCOURSE = "https://forum.example.org"
MASTODON = "https://mastodon.social"
GITLAB = "https://gitlab.com"


def _keys(*keys: str) -> list[Any]:
    """The configured streams, as `configured` sees them (by key)."""
    return [SimpleNamespace(key=key) for key in keys]


def _discourse(mode: str) -> Callable[[Any], Any]:
    config = {"mode": mode, "query": "gitlab runner" if mode == "search" else ""}
    return lambda raw: DiscourseCursor.load(raw, base_url=DISCOURSE, config=config)


# platform -> (a cursor as stored, how the platform's poll loads it, how it dumps it)
Case = tuple[dict[str, Any], Callable[[Any], Any], Callable[[Any], Any]]
CASES: dict[str, Case] = {
    "bluesky": (
        {
            "streams": {
                "search:gitlab": {
                    "mark": 1748026106.6,
                    "polled_at": 1748026200.0,
                    "resume": {"floor": 1748020000.0, "until": "2025-05-23T18:00:00.001Z"},
                },
                "notifications": {
                    "mark": 1748026000.0,
                    "polled_at": 1748026200.0,
                    "resume": {"floor": 1748020000.0, "cursor": "2025-05-23T17:00:00.000Z"},
                },
            },
            "seen": {
                "at://did:plc:abc/app.bsky.feed.post/3mmk5jg4f4i2j": 1748026106,
                "at://did:plc:abc/app.bsky.feed.post/3mmk5jg4f4i2k": 1748025000,
            },
        },
        lambda raw: bluesky_cursor(raw, _keys("search:gitlab", "notifications"), overlap=300),
        lambda cursor: cursor.dump(),
    ),
    "devto": (
        {
            "version": 1,
            "articles": {"since": NOW - 3600, "seen": {"1615102": NOW - 3000}, "page": 3, "top": NOW - 600},
            "followed": {
                "1615102": {"taken": NOW - 3000, "read": NOW - 1200},
                "1615200": {"taken": NOW - 60, "read": 0},
            },
            "comments": {"1612784": {"m357": 1615137580, "m35m": 1615137581}, "1615102": {}, "1615200": {}},
        },
        lambda raw: DevtoCursor.load(raw, now=NOW, backfill_hours=24, articles=[1612784], follow_days=3),
        lambda cursor: cursor.dump(),
    ),
    "discord": (
        {
            "marks": {
                "613425648685547543": "1300000000000000001",
                "archived:1019000000000000001": "1",
                "1200000000000000009": "1300000000000000005",
            },
            "bot_id": "1100000000000000000",
        },
        DiscordCursor.load,
        lambda cursor: cursor.dump({"text_channels": ["613425648685547543"]}),
    ),
    "discourse": (
        {
            "version": 1,
            "base_url": DISCOURSE,
            "mode": "latest",
            "latest": {"high": 1200, "gap": {"top": 1300, "low": 1200, "step": 49}, "recent": {"1200": "a1b2"}},
            "topics": {"77": [[1, 1100], [4, 1180], [5, 1200]]},
        },
        _discourse("latest"),
        lambda cursor: cursor.dump(),
    ),
    "discourse_search": (
        {
            "version": 1,
            "base_url": DISCOURSE,
            "mode": "search",
            "search": {
                "query": "gitlab runner",
                "newest": "2025-11-27T10:00:00.123Z",
                "seen": {"1200": 1764237600, "1190": 1764230000},
                "resume": 3,
                "walk_newest": "2025-11-27T09:00:00.000Z",
            },
            "topics": {},
        },
        _discourse("search"),
        lambda cursor: cursor.dump(),
    ),
    "disqus": (
        {
            "version": 1,
            "since": 1304743410,
            "seen": {"199088808": [1304743410, "3f2a9c0d1e4b"]},
            "walk": {"since": 1304742810, "next": "1304739587938416:1:0"},
        },
        DisqusCursor.load,
        lambda cursor: cursor.dump(),
    ),
    "email": (
        {"mailbox": "INBOX", "uidvalidity": 1700000000, "last_uid": 4242},
        EmailCursor.loaded,
        lambda cursor: cursor.dump() if cursor is not None else None,
    ),
    "feed": (
        {
            "version": 1,
            "feeds": {
                FEED: {
                    "url": "https://example.org/feed/",
                    "etag": '"5f3c"',
                    "modified": "Wed, 26 Jun 2024 23:16:29 GMT",
                    "since": 1719443789,
                    "seen": {"https://example.org/?p=12137": 1714762793},
                    "gone": "",
                    "moved": "301 to https://example.org/feed/",
                    "failures": 2,
                    "error": "HTTP 502",
                    "not_before": 1719444000,
                }
            },
        },
        lambda raw: FeedCursor.read_back(raw, feeds=[FEED], since=NOW - 86_400),
        lambda cursor: cursor.dump(),
    ),
    "github": (
        {
            "version": 1,
            "repos": {
                "octo-org/octo-repo": {
                    "issues": {"mark": "2026-01-21T23:43:09Z", "seen": ["I_kwDOabc"], "query": "q", "etag": 'W/"e1"'},
                    "comments": {"mark": None, "seen": []},
                    "discussions": {
                        "mark": "2026-01-20T10:00:00Z",
                        "seen": ["D_kwDOabc"],
                        "resume": {"after": "Y3Vyc29yOjI=", "top": "2026-01-21T08:00:00Z", "seen": ["D_kwDOdef"]},
                    },
                    "numbers": {"1136": "MDU6SXNzdWU0NTQ4MjI0MTE="},
                }
            },
        },
        GitHubCursor.load,
        lambda cursor: cursor.dump(),
    ),
    "gitlab": (
        {
            "version": 1,
            "base_url": GITLAB,
            "projects": {
                "gitlab-org/gitlab": {
                    "updated": "2026-01-21T23:43:09.090Z",
                    "seen": [9001, 9002],
                    "issues": {"4417": 1650012345, "4420": 0},
                }
            },
        },
        lambda raw: GitLabCursor.read_back(raw, base_url=GITLAB),
        lambda cursor: cursor.dump(),
    ),
    "hackernews": (
        {
            "version": 2,
            "created_at_i": NOW - 100,
            "keywords": {"gitlab": {"from": NOW - 400, "seen": {"46712345": NOW - 100, "46712300": NOW - 400}}},
        },
        lambda raw: HackerNewsCursor.read_back(raw, keywords=["gitlab"], overlap=300, now=NOW, backfill_hours=24),
        lambda cursor: cursor.dump(),
    ),
    "lobsters": (
        {
            "version": 1,
            "streams": {
                "newest": {"created_at": 1739475054.0, "polled_at": 1739475100.0},
                "t/vcs": {
                    "created_at": 1739475054.0,
                    "polled_at": 1739475100.0,
                    "resume": {"floor": 1739400000.0, "page": 3},
                },
            },
            "seen": {"f9zeee": 1739475054},
            "stories": {
                "f9zeee": {"until": NOW + 86_400, "read": NOW - 60, "count": 9, "comments": {"ncdsfc": 1658516676}}
            },
        },
        LobstersCursor.load,
        lambda cursor: cursor.dump(now=NOW),
    ),
    "mastodon": (
        {
            "version": 1,
            "base_url": MASTODON,
            "streams": {"mentions": {"min_id": "34975861"}, "tag:gitlab": {"min_id": "117020593741189701"}},
            "seen": ["117020580518794573", "117020593741189701"],
            "account": {"id": "109000000000000001", "token": "0f1e2d3c4b5a"},
        },
        lambda raw: MastodonCursor.read_back(raw, base_url=MASTODON),
        lambda cursor: cursor.dump(),
    ),
    "reddit": (
        {
            "streams": {
                "r/gitlab/new": {
                    "created_utc": 1696754768.0,
                    "polled_at": 1696754800.0,
                    "resume": {"floor": 1696750000.0, "after": "t3_x"},
                },
                "search:gitlab": {"created_utc": 1696754000.0, "polled_at": 1696754800.0},
            },
            "seen": {"t3_abc": [1696754768, 0], "t1_def": [1696754500, -1]},
        },
        lambda raw: RedditCursor.load(raw, _keys("r/gitlab/new", "search:gitlab"), overlap=300),
        lambda cursor: cursor.dump(),
    ),
    "stackexchange": (
        {
            "version": 1,
            "tags": {"gitlab": {"since": 1700000000, "seen": {"q77": 1700000000}, "resume": 1700000050, "page": 2}},
            "watch": {"questions": [[77, 1700000000]], "answers": [[78, 77, 1700000100]]},
            "answers": {
                "since": 1700000100,
                "seen": {"a78": 1700000100},
                "walk": {
                    "ids": [77, 80],
                    "start": 1700000000,
                    "chunk": 0,
                    "from": 1700000050,
                    "page": 2,
                    "newest": None,
                },
                "pending": 1700000090,
            },
            "comments": {"since": 1700000200, "seen": {"c79": 1700000200}},
            "backoff": {"/questions": 1700000260.5},
        },
        StackExchangeCursor.load,
        lambda cursor: cursor.dump(),
    ),
    "telegram": (
        {
            "version": 1,
            "offset": 291365956,
            "bot_id": "6129457865",
            "bot_username": "sicheebot",
            "kept": ["-1001971186208:2391", "-1001971186208:2393"],
            "topics": {"-1001971186208:2391": "-1001971186208:2393"},
        },
        TelegramCursor.load,
        lambda cursor: cursor.dump(),
    ),
    "twitter": (
        {
            "mentions:2244994945": "1861000000000000000",
            "search:gitlab": "1861000000000000001",
            "pending": {
                "search:gitlab": {
                    "next_token": "b26v89c19zqg8o3f",
                    "newest_id": "1861000000000000009",
                    "since_id": "1860000000000000000",
                }
            },
            "edits": {"1861000000000000005": "1861000000000000004"},
        },
        TwitterCursor.load,
        lambda cursor: cursor.dump(),
    ),
    "youtube": (
        {
            "version": 1,
            "quota": {"day": "2025-11-28", "spent": 412, "exhausted": False},
            "seen": {"UgyUBI0HsgL9emxcZpR4AaABAg": 1561258140},
            "replies": {"UgwI_ylXVnzPS8Q-oAV4AaABAg": [2, 1574783504]},
            "videos": {"F1UP7wRCPH8": {"keyword": "gitlab ci", "until": 1575000000}},
            "searched": {"gitlab ci": 1574783504},
        },
        YouTubeCursor.load,
        lambda cursor: cursor.dump(),
    ),
    "youtube_quota": (
        {"day": "2025-11-28", "spent": 412, "exhausted": True},
        lambda raw: Quota.read_back(raw, budget=10_000, now=datetime.fromtimestamp(NOW, UTC)),
        lambda quota: quota.dump(),
    ),
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _text(value: Any) -> str:
    """The JSON text a dump is stored as (the keys sorted: JSON objects are unordered)."""
    return with_deep_stack(lambda: json.dumps(value, sort_keys=True))


def _fixed_point(name: str, raw: Any) -> None:
    _sample, load, dump = CASES[name]
    dumped = dump(load(raw))
    stored = with_deep_stack(json.loads, _text(dumped))  # a kept value may be nested deep (YouTube's quota)
    assert _text(dump(load(stored))) == _text(dumped)


@pytest.mark.parametrize("name", CASES)
def test_a_stored_cursor_dumps_as_it_was_stored(name):
    sample, load, dump = CASES[name]
    assert dump(load(sample)) == sample


@pytest.mark.parametrize("name", CASES)
@fuzz_settings
@given(raw=JSON)
def test_any_json_loads_and_dumps_a_fixed_point(name, raw):
    _fixed_point(name, raw)
    _fixed_point(name, dict.fromkeys(CASES[name][0], raw))  # each key the cursor reads, damaged)


@pytest.mark.parametrize("name", CASES)
@fuzz_settings
@given(data=st.data())
def test_a_damaged_cursor_loads_and_dumps_a_fixed_point(name, data):
    _fixed_point(name, draw_mutated(data, CASES[name][0]))
