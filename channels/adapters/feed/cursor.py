"""What a feed channel remembers between polls (`Channel.cursor`), per feed, keyed by the address the admin gave.

    {"version": 1, "feeds": {"https://example.org/feed.xml": {
        "url": "https://example.org/feed/",          # where the feed is read now (after a permanent redirect)
        "etag": "\"5f3c\"", "modified": "Wed, 26 Jun 2024 23:16:29 GMT",   # the last 200's validators
        "since": 1719443789, "seen": {"https://example.org/?p=12137": 1714762793},
        "gone": "", "moved": "", "failures": 0, "error": "", "not_before": 0}}}

``seen`` holds the ids handed over with their times (the newest SEEN_LIMIT); ``since`` is the time below which an
entry is old: the first poll's backfill bound, raised to the oldest kept id when older ones are forgotten, so an
entry is handed over once even when a feed lists it again, edited or not. A conditional GET answered 304 changes
nothing here (the poll stores no chunk for it). ``url`` differs from the key once the feed moved for good (301 or
308): the new address is read from then on and ``moved`` says so; ``gone`` (a 410) stops the feed being read until
an admin edits the channel; ``failures`` and ``error`` count and say a feed's failed reads in a row, for the
channel's page; ``not_before`` is a 429's wait for that feed. A feed no longer in the config is forgotten (so
removing a gone feed and adding it again reads it again); one added starts from its backfill bound.
"""

from __future__ import annotations

from typing import Any

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, line, nested, newest, seconds, whole

SEEN_LIMIT = 2000


class FeedState(Stored):
    url: str = kept(Reading(lambda raw: clean.url(raw) or None))  # the key given, until the feed moved for good
    since: int = kept(whole(minimum=0))  # the channel's backfill bound until the feed's own is kept
    etag: str = kept(line(max_length=300), default="")
    modified: str = kept(line(max_length=100), default="")
    seen: dict[str, int] = kept(seconds(), default_factory=dict)
    gone: str = kept(line(max_length=300), default="")
    moved: str = kept(line(max_length=500), default="")
    failures: int = kept(whole(minimum=0, maximum=1_000_000), default=0)
    error: str = kept(line(max_length=500), default="")
    not_before: int = kept(whole(minimum=0, maximum=2**33), default=0)  # a 429's wait: not asked before this second

    @classmethod
    def read_back(cls, key: str, raw: Any, *, since: int) -> FeedState:
        return cls(**{"url": key, "since": since, **cls.cleaned(raw)})

    def handed(self, ident: str, moment: int) -> None:
        """`ident` handed over; beyond SEEN_LIMIT the oldest are forgotten and `since` rises to what is kept."""
        self.seen[ident] = moment
        if len(self.seen) > SEEN_LIMIT:
            self.seen = newest(self.seen, SEEN_LIMIT)
            self.since = max(self.since, min(self.seen.values()))

    def failed(self, error: str) -> None:
        self.failures += 1
        self.error = clean.line(error, max_length=500)

    def read_ok(self) -> None:
        self.failures, self.error = 0, ""


class Cursor(Stored):
    VERSION = 1
    feeds: dict[str, FeedState] = kept(keyed(nested(FeedState)))

    @classmethod
    def read_back(cls, raw: Any, *, feeds: list[str], since: int) -> Cursor:
        stored = clean.mapping(clean.mapping(raw).get("feeds"))
        return cls({url: FeedState.read_back(url, stored.get(url), since=since) for url in feeds})
