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

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import requests

from channels import clean

from ..base import FetchResult
from ..poll.adapter import PolledAdapter
from ..polling import marked_streams_walked, seen_pruned, streams_result
from . import config as config_module
from . import thread
from .client import Client
from .config import DEFAULTS, settings_of
from .cursor import SEEN_LIMIT, Cursor
from .paging import comments_read, due, streams_of, walk, watch
from .parse import parse_comments, parse_page, parse_stories

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "LobstersAdapter"]


# Watched threads (channels.adapters.watch): a story read whole, after our reply is marked.
class LobstersAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "lobsters"

    def fetch_chunks(self, *, channel: Channel, session: requests.Session) -> Iterator[FetchResult]:
        """The poll's new stories and the watched stories' new comments as one chunk, oldest first."""
        config = settings_of(channel.config)
        cursor = Cursor.load(channel.cursor)
        client = Client(session, budget=int(config["max_requests_per_poll"]))
        now = time.time()
        walked, cursor.streams = marked_streams_walked(
            streams_of(config), cursor.streams, lambda s, state: walk(client, s, state, cursor, now, config),
            can_call=client.can_call,
        )  # fmt: skip
        stories = [item for _stream, found in walked.found for item in found.stories]
        counts = {k: v for _stream, found in walked.found for k, v in found.counts.items()}
        watch(cursor, stories, now=int(now), days=int(config["watch_days"]))
        recheck = 60 * int(config["recheck_minutes"])
        ready = due(cursor, counts, now=int(now), recheck_seconds=recheck)
        comments = comments_read(client, cursor, ready, now=int(now))
        parsed = parse_stories(stories)
        found = parse_comments(comments)
        parsed.mentions.extend(found.mentions)
        parsed.rejected.extend(found.rejected)
        overlap = int(config["overlap_seconds"])
        cursor.seen = seen_pruned(cursor.seen, cursor.streams, mark_key="created_at", overlap=overlap, limit=SEEN_LIMIT)
        walked.stopped = walked.stopped or client.stopped
        status = {"checked_at": datetime.now(tz=UTC).isoformat(), "watched_stories": len(cursor.stories)}
        yield streams_result(
            "lobsters", channel, parsed, walked, cursor=cursor.dump(now=int(now)), requests_made=client.made,
            reads=sum(f.listed for _s, f in walked.found) + len(comments), not_before=None, status=status,
        )  # fmt: skip

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        stream = streams_of(settings_of(channel.config))[0]
        stories = Client(session, budget=1).stories(stream.url, page=1, what=stream.what)
        newest = clean.mapping(stories[0]).get("title") if stories else None
        said = f", the newest {clean.line(newest)[:80]!r}" if newest else ""
        return f"Lobsters answered: {len(stories)} {stream.what}{said}."

    # A page of stories, a story with its comments, or one comment (a dead letter), as mentions and rejected items.
    parse_page = staticmethod(parse_page)
