"""Lobsters (https://lobste.rs), through its public JSON pages: new stories by tag or all of them, kept by keyword,
and the comments of the stories kept.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "tags": ["vcs"],              # read the stories of these tags (one listing: /t/vcs,git.json)
        "newest": false,              # or read every new story (/newest.json)
        "keywords": ["gitlab"],       # keep the stories whose title, text, link or tags hold one (none: keep all)
        "watch_days": 3,              # a kept story's new comments are read this long
        "recheck_minutes": 60,        # the least time between two reads of one watched story
        "overlap_seconds": 600,       # each listing walk reads this much again
        "backfill_hours": 24,         # how far back the first poll reads
        "max_requests_per_poll": 5,
    }

Polling (`paging.py`): each listing is walked newest first down to the last poll's mark, a backlog going on over
polls; Lobsters' search answers HTML only, so keywords are matched by the desk against the listed stories (the
decision is in docs/platforms/lobsters.md). Then, with what is left of the poll's requests, the kept stories
being watched are read (``/s/<id>.json``) and their new comments handed over, each threaded under its parent
comment or its story. A poll is one chunk, handed over oldest first with the cursor just after it (`cursor.py`).

Politeness: a descriptive User-Agent (`client.py`), a few requests a poll, and a budget of 60 an hour for the whole
deployment (`platform.py`), so an automatic interval of 10 minutes; a 429 (Lobsters sends Retry-After) fails a
poll's first request (the scheduler waits what it said) and ends a later one's walk, keeping what was read.

Our accounts: ``Channel.our_accounts`` holds our Lobsters usernames. Replies are not posted from the desk: Lobsters
has no write API; an advocate answers on the site and marks the ticket replied.

Failures: 429 -> ``RateLimited``; 5xx, timeouts -> ``TransientError``; a watched story gone (404) is dropped; an
answer that is not a list of stories -> ``PayloadError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from ..poll.walks import by_last_poll, configured, seen_pruned
from . import config as config_module
from . import thread
from .client import Client
from .config import DEFAULTS, settings_of
from .cursor import SEEN_LIMIT, Cursor
from .paging import comment_pages, listing_pages, streams_of
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "LobstersAdapter"]


# Watched threads (channels.adapters.watch): a story read whole, after our reply is marked.
class LobstersAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "lobsters"

    cursor_type = Cursor
    hand_over = "poll"  # a comment on a story this poll found joins it: the poll is one chunk

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, budget=int(config["max_requests_per_poll"]))

    def streams(self, poll: Poll[Client, Cursor]) -> Iterator[Iterator[Page]]:
        """The poll's new stories and the watched stories' new comments as one chunk, oldest first. The stories
        listing by listing (the ones a capped poll did not reach first, as `by_last_poll` orders them; a
        listing no longer configured is forgotten), then, with what is left of the poll's requests, the comments:
        taken only once the listings are read, whose comment counts say which watched stories are due. No request
        left is no backlog: the due stories wait for the next poll."""
        config, client, cursor = poll.config, poll.client, poll.cursor
        listings = streams_of(config)
        cursor.streams = configured(cursor.streams, listings)
        counts: dict[str, int] = {}
        for stream in by_last_poll(listings, cursor.streams):
            yield listing_pages(client, stream, cursor, counts, now=poll.now, config=config)
        if client.can_call():
            yield comment_pages(client, cursor, counts, now=poll.now, config=config)

    def handed_over(self, poll: Poll[Client, Cursor], parsed: Parsed) -> None:
        """The stories handed over that a later walk can still meet are kept (`seen_pruned`)."""
        overlap = int(poll.config["overlap_seconds"])
        cursor = poll.cursor
        cursor.seen = seen_pruned(cursor.seen, cursor.streams, mark_key="created_at", overlap=overlap, limit=SEEN_LIMIT)

    def cursor_dump(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.cursor.dump(now=int(poll.now))

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return {"watched_stories": len(poll.cursor.stories)}

    def backlog(self, poll: Poll[Client, Cursor]) -> bool:
        """A listing keeps a backlog a capped walk left (its `resume`)."""
        return any("resume" in state for state in poll.cursor.streams.values())

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        stream = streams_of(settings_of(channel.config))[0]
        stories = Client(session, budget=1).stories(stream.url, page=1, what=stream.what)
        newest = clean.mapping(stories[0]).get("title") if stories else None
        said = f", the newest {clean.line(newest)[:80]!r}" if newest else ""
        return f"Lobsters answered: {len(stories)} {stream.what}{said}."

    # A page of stories, a story with its comments, or one comment (a dead letter), as mentions and rejected items.
    parse_page = staticmethod(parse_page)
