"""One poll of a feed channel: each feed read once (a conditional GET), its entries not handed over yet kept when
they say one of the channel's keywords (every entry when it has none), oldest first, one chunk a feed with the cursor
just after it (`cursor.py`).

A feed's failure is that feed's: the others are read all the same, and the feed's state says what happened for the
channel's page (`status_lines`, stored as the channel's platform status: admin's "Platform says"). A feed that moved
for good is read at its new address from then on; one gone (410) is read no more; one that fails (malformed, a 404,
a timeout) is tried again next poll, counted. When no feed could be read at all the poll fails with the first error,
after its cursor is stored, so the channel's health says why (backing off, or failing for an admin when every feed is
gone or refused for good)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from channels.http import address_redacted

from ..base import AdapterError, Gone, PayloadError, RateLimited
from ..guard import Parsed
from ..poll.engine import Page
from .client import fetch_feed
from .cursor import Cursor, FeedState
from .parse import entry_id, entry_time, entry_words, feed_read, parse_entries

logger = logging.getLogger(__name__)
RATE_LIMITED_WAIT = 900  # a 429 without a Retry-After: that feed waits this long (the others go on)


@dataclass
class Reader:
    """One poll's reading of the feeds, and the poll's client (what the poll engine reads of one): every due feed is
    read once, whatever it costs (no request budget: `can_call` is always true), and a feed's 429 waits that feed
    alone, the others go on (`stopped`, the 429 that would end the walk, stays None)."""

    session: requests.Session
    keywords: list[str]
    limit: int
    now: datetime
    errors: list[AdapterError] = field(default_factory=list)
    read: int = 0  # feeds answered (a 304 included)
    made: int = 0  # requests made
    stopped: RateLimited | None = None

    def can_call(self) -> bool:
        return True

    def fresh(self, state: FeedState, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The entries of a feed's answer not handed over yet and wanted, oldest first. An entry without an id or a
        time is kept, for the parser to reject (and the poll to quarantine)."""
        found = []
        for raw in entries:
            raw.setdefault("seen_at", self.now.isoformat())  # a feed with no date at all: when the desk first saw it
            ident, moment = entry_id(raw), entry_time(raw)
            if not ident or moment is None:
                found.append(raw)
                continue
            second = int(moment.timestamp())
            if ident in state.seen or second < state.since:
                continue  # handed over before (an edit is not a new mention), or older than what the channel reads
            state.handed(ident, second)
            # The words only when there are keywords: making them reads the entry's HTML, which the parser does again.
            words = entry_words(raw) if self.keywords else ""
            if not self.keywords or any(k.casefold() in words for k in self.keywords):
                found.append(raw)
        return found[::-1]

    def one(self, key: str, state: FeedState) -> tuple[Parsed, int]:
        """Read one feed, its requests counted (`made`): (what it hands over, entries read)."""
        try:
            got = fetch_feed(self.session, state.url, etag=state.etag, modified=state.modified)
        except Gone as exc:
            self.made += 1
            state.gone = f"{self.now:%Y-%m-%d}: {exc}"
            logger.warning("feed: %s is gone, no longer read: %s", address_redacted(key), exc)
            self.errors.append(exc)
            return Parsed(), 0
        except RateLimited as exc:
            self.made += 1
            wait = exc.retry_after or RATE_LIMITED_WAIT
            state.failed(f"{exc} (next read after {wait:.0f} s)")
            state.not_before = int(self.now.timestamp() + wait)
            self.errors.append(exc)
            return Parsed(), 0
        except AdapterError as exc:
            self.made += 1
            return self._failed(key, state, exc), 0
        self.made += got.requests
        if got.moved and got.moved != state.url:
            was, now = address_redacted(state.url), address_redacted(got.moved)
            state.moved = f"{self.now:%Y-%m-%d}: moved permanently from {was} to {now}"
            logger.warning("feed: %s %s", was, state.moved)
            state.url = got.moved
        if got.not_modified:
            self.read += 1
            state.read_ok()
            return Parsed(), 0
        try:
            answer = feed_read(got.body, content_type=got.content_type, feed=got.url, limit=self.limit)
        except PayloadError as exc:  # named by its feed: the channel's last error says which one
            return self._failed(key, state, PayloadError(f"feed {address_redacted(got.url)}: {exc}")), 0
        self.read += 1
        state.read_ok()
        state.etag, state.modified = got.etag, got.modified
        if answer.lenient:
            logger.info("feed: %s read despite: %s", address_redacted(key), answer.lenient)
        if answer.cut:  # entries past the cut are not read: worth an admin's look
            logger.warning("feed: %s %s", address_redacted(key), answer.cut)
        return parse_entries(self.fresh(state, answer.entries)), len(answer.entries)

    def _failed(self, key: str, state: FeedState, exc: AdapterError) -> Parsed:
        state.failed(str(exc))
        self.errors.append(exc)
        logger.warning("feed: %s failed %d time(s) in a row: %s", address_redacted(key), state.failures, exc)
        return Parsed()


def status_lines(cursor: Cursor) -> dict[str, str]:
    """Each feed's state in a line, for the channel's page (its platform status)."""
    lines = {}
    for key, state in cursor.feeds.items():
        said = []
        if state.moved:
            said.append(f"{state.moved}: read there now (put the new address in the channel's feeds)")
        if state.gone:
            said.append(f"gone since {state.gone}; no longer read (remove it from the channel's feeds)")
        elif state.failures:
            said.append(f"failed {state.failures} time(s) in a row: {state.error}")
        lines[address_redacted(key)] = "; ".join(said) or "OK"
    return lines


def pages(walk: Reader, cursor: Cursor) -> Iterator[Page]:
    """One page a feed read that hands something over; a 304 and a failure hand nothing over, and their requests and
    state are stored with the next chunk or the closing one (which the poll engine adds when something changed after
    the last chunk)."""
    now = walk.now.timestamp()
    for key, state in cursor.feeds.items():
        if state.gone or state.not_before > now:
            continue
        parsed, reads = walk.one(key, state)
        if parsed.mentions or parsed.rejected:
            yield Page(parsed, reads=reads)


def poll_error(walk: Reader, cursor: Cursor) -> AdapterError | None:
    """What fails the poll, once its cursor is stored: the first feed's error when no feed could be read (each one
    gone, refused or failing), or `Gone` when every feed is gone, so the channel's health says why; None when any
    feed answered, or none was due (waiting out a 429)."""
    states = list(cursor.feeds.values())
    if states and all(state.gone for state in states) and not walk.errors:
        return Gone(f"every feed of the channel is gone: {'; '.join(state.gone for state in states)[:1500]}")
    if walk.read or not walk.errors:
        return None
    return walk.errors[0]
