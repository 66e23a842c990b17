"""RSS and Atom feeds: blogs, newsletters, podcasts, other projects' changelogs and releases. Read only.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "feeds": ["https://github.com/renovatebot/renovate/releases.atom"],   # one or more feed addresses
        "keywords": ["gitlab"],          # keep entries that say one of these words; empty: every entry
        "backfill_hours": 168,           # how far back the first poll reads
        "max_entries_per_feed": 100,     # the newest entries of a feed read per poll
    }

Each poll reads every feed once with a conditional GET (`client.py`: its ETag and Last-Modified sent back; a 304
hands nothing over and changes nothing), and hands over the entries not handed over before (`cursor.py`), those that
say a keyword when the channel has any (a feed of our own name's mentions needs none; another project's changelog
usually does), oldest first, one chunk a feed (`walk.py`). An entry's link is its permalink; its id is its id/guid,
else its link, else a digest of its title and time (`parse.py`). An edited entry keeps its id and is not a new
mention. Our accounts: ``Channel.our_accounts`` holds the author names of our own posts (an entry by one of them is
ours, never a ticket).

Failures, per feed (the others are read all the same; the channel's page lists each feed's state): a permanent
redirect (301, 308) moves the feed, read at its new address from then on; a 410 stops it being read; a malformed
feed, a 404 or a timeout is counted and tried again next poll; a 429 waits its Retry-After. When no feed can be read
the poll fails with the reason: 5xx, timeouts, 429 and malformed feeds back off; a 410, a 404 or an address the fetch
guard refuses mark the channel failing, for an admin.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from ..base import AdapterError
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from .client import fetch_feed
from .config import DEFAULTS, settings_of
from .cursor import Cursor
from .parse import feed_read, parse_page
from .walk import Reader, pages, poll_error, status_lines

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "FeedAdapter"]


class FeedAdapter(PolledAdapter, config=config_module):
    kind = "feed"

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Reader:
        now = datetime.fromtimestamp(int(time.time()), tz=UTC)
        return Reader(session, keywords=config["keywords"], limit=int(config["max_entries_per_feed"]), now=now)

    def cursor(self, channel: Channel, config: dict[str, Any], client: Reader, now: float) -> Cursor:
        since = int(client.now.timestamp()) - int(config["backfill_hours"]) * 3600
        return Cursor.read_back(channel.cursor, feeds=config["feeds"], since=since)

    def streams(self, poll: Poll[Reader, Cursor]) -> list[Iterator[Page]]:
        """Each due feed read once, one chunk a feed that hands something over (`walk`)."""
        return [pages(poll.client, poll.cursor)]

    def status(self, poll: Poll[Reader, Cursor]) -> dict[str, Any]:
        """Each feed's state in a line, for the channel's page."""
        return {"feeds": status_lines(poll.cursor)}

    def failure(self, poll: Poll[Reader, Cursor]) -> AdapterError | None:
        """No feed could be read (`walk.poll_error`): the poll fails once its cursor is stored."""
        return poll_error(poll.client, poll.cursor)

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = settings_of(channel.config)
        said = []
        for url in config["feeds"]:
            got = fetch_feed(session, url)
            answer = feed_read(got.body, content_type=got.content_type, feed=got.url)
            moved = f" (moved permanently to {got.moved})" if got.moved else ""
            said.append(f"{answer.title or url}{moved}: {len(answer.entries)} entries")
        return "The feeds answered: " + "; ".join(said) + "."

    # A saved feed (its XML), or its entries as the dead-letter table keeps them.
    parse_page = staticmethod(parse_page)

    def parse_file(self, data: bytes, *, channel: Channel) -> Parsed:
        """A saved feed (`manage.py ingest_payload`): its XML, or a JSON list of entries as dead letters keep them."""
        if data.lstrip()[:1] in (b"[", b"{"):
            return super().parse_file(data, channel=channel)
        return parse_page(data)
