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

from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..poll.stored import newest, stamps

SEEN_LIMIT = 2000


@dataclass
class FeedState:
    url: str
    since: int
    etag: str = ""
    modified: str = ""
    seen: dict[str, int] = field(default_factory=dict)
    gone: str = ""
    moved: str = ""
    failures: int = 0
    error: str = ""
    not_before: int = 0  # a 429's wait: the feed is not asked before this second

    @classmethod
    def load(cls, key: str, raw: Any, *, since: int) -> FeedState:
        raw = clean.mapping(raw)
        stored = clean.whole(raw.get("since"), minimum=0)
        return cls(
            url=clean.url(raw.get("url")) or key,
            since=since if stored is None else stored,
            etag=clean.line(raw.get("etag"), max_length=300),
            modified=clean.line(raw.get("modified"), max_length=100),
            seen=stamps(raw.get("seen")),
            gone=clean.line(raw.get("gone"), max_length=300),
            moved=clean.line(raw.get("moved"), max_length=500),
            failures=clean.whole(raw.get("failures"), minimum=0, maximum=1_000_000) or 0,
            error=clean.line(raw.get("error"), max_length=500),
            not_before=clean.whole(raw.get("not_before"), minimum=0, maximum=2**33) or 0,
        )

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

    def dump(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "etag": self.etag,
            "modified": self.modified,
            "since": self.since,
            "seen": self.seen,
            "gone": self.gone,
            "moved": self.moved,
            "failures": self.failures,
            "error": self.error,
            "not_before": self.not_before,
        }


@dataclass
class Cursor:
    feeds: dict[str, FeedState]

    @classmethod
    def load(cls, raw: Any, *, feeds: list[str], since: int) -> Cursor:
        stored = clean.mapping(clean.mapping(raw).get("feeds"))
        return cls({url: FeedState.load(url, stored.get(url), since=since) for url in feeds})

    def dump(self) -> dict[str, Any]:
        return {"version": 1, "feeds": {url: state.dump() for url, state in self.feeds.items()}}
