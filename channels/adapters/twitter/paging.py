"""Which pages one poll reads, handed over in chunks that each carry the cursor just after them.

X returns newest first: mentions timeline and recent search, ``since_id`` held fixed while the walk follows
``pagination_token``/``next_token`` back to it. What one poll reads of a source's walk (at most
MAX_PAGES_PER_SOURCE pages) is one chunk, its posts oldest first, so a reply on a newer page is stored after the
post it answers on an older one and joins its ticket. The chunk is stored with a cursor holding the walk's
place (``pending``: the next token, the first page's newest id, the since_id), so a walk longer than one
poll's budget goes on in the next poll from the page after the last one stored: nothing is read twice or
skipped. Only across polls (a backlog of more than MAX_PAGES_PER_SOURCE pages) are newer posts stored before
older ones. A call that fails after pages were read hands those pages over first. When the walk reaches its
end, the source's mark moves to the first page's newest id and the pending walk is dropped.

Budget: at most MAX_PAGES_PER_SOURCE pages per source and poll; a source whose endpoint answered
``x-rate-limit-remaining: 0`` is not called again in this poll (``not_before`` = the reset time).

First poll (no mark): only the first page (up to ``max_results`` posts): no deep backfill, because X bills
every post it returns and the mentions timeline only reaches back about 800 posts anyway.

Recent search reaches back 7 days and refuses (HTTP 400) a ``since_id`` older than that. A quiet query keeps
its old mark, so once the mark is out of reach the walk goes without ``since_id``: the whole 7-day window.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.utils import timezone

from channels import clean

from ..base import AdapterError, PayloadError, RateLimited
from ..guard import Parsed
from ..poll.engine import Page
from .client import DEFAULT_RATE_LIMIT_WAIT, Calls, x_get
from .config import Source
from .cursor import Cursor, Resume
from .ids import FIRST_SNOWFLAKE_ID, as_id, max_id, snowflake_time
from .parse import edits_in, page_posts, parse_page, version_of

logger = logging.getLogger(__name__)

# A poll walks at most this many pages per source; the rest waits in cursor["pending"].
MAX_PAGES_PER_SOURCE = 10
# Recent search refuses a since_id older than 7 days; an hour of margin for clocks and slow polls.
SEARCH_REACH = timedelta(days=7) - timedelta(hours=1)


def since_accepted(source: Source, since_id: str | None) -> bool:
    """Recent search answers 400 to a since_id older than 7 days; timelines take any."""
    if source.endpoint != "search" or not since_id:
        return True
    return int(since_id) >= FIRST_SNOWFLAKE_ID and snowflake_time(since_id) > timezone.now() - SEARCH_REACH


def source_pages(calls: Calls, source: Source, cursor: Cursor) -> Iterator[Page]:
    """Read one source's walk as far as this poll goes, and hand it over as one chunk, oldest first (a reply
    on a newer page after the post it answers on an older one); the cursor is already past it. Should a call
    fail after pages were read, those pages are handed over first (with the walk's place after them)."""
    since_id = cursor.marks.get(source.key)
    walk = cursor.pending.get(source.key)
    if walk is not None and not since_accepted(source, walk.since_id):
        walk = None  # parked too long: its since_id went out of reach, start the walk again
        cursor.pending.pop(source.key, None)
    if walk is None:
        # Out of search's reach, the whole 7-day window is newer than the mark: walk it all.
        walk = Resume(next_token="", newest_id=None, since_id=since_id if since_accepted(source, since_id) else None)
    walk_all = since_id is not None or bool(walk.next_token)  # first poll (no mark): the first page only
    bodies: list[dict[str, Any]] = []
    try:
        while source.endpoint not in calls.exhausted and len(bodies) < MAX_PAGES_PER_SOURCE:
            params = dict(source.params)
            if walk.since_id:
                params["since_id"] = walk.since_id
            if walk.next_token:
                params[source.page_param] = walk.next_token
            try:
                body = x_get(calls, source.endpoint, source.url, params)
            except RateLimited as exc:
                if not calls.answered:
                    raise  # nothing read in this poll: the poll fails and waits (RateLimited.retry_after)
                # Later in a poll: keep what was read, stop calling this endpoint, come back after the reset.
                until = timezone.now() + timedelta(seconds=exc.retry_after or DEFAULT_RATE_LIMIT_WAIT)
                calls.exhausted[source.endpoint] = max(calls.exhausted.get(source.endpoint, until), until)
                logger.info("twitter: %s rate-limited mid-poll, stopped until the reset: %s", source.endpoint, exc)
                break
            calls.answered += 1
            if not isinstance(body, dict):
                raise PayloadError(f"X {source.endpoint}: not an X API v2 response: {clean.preview(body)}")
            page_posts(body)  # a page that is not the documented shape fails here, before the cursor moves
            bodies.append(body)
            if walk.newest_id is None:
                walk.newest_id = newest_id(body)
            token = next_token(body)
            if not token or not walk_all:
                cursor.mark_done(source.key, walk.newest_id)
                break
            walk.next_token = token
            cursor.pending[source.key] = walk
    except AdapterError:
        if bodies:
            yield read_pages(bodies, cursor)
        raise
    if bodies:
        yield read_pages(bodies, cursor)


def read_pages(bodies: list[dict[str, Any]], cursor: Cursor) -> Page:
    """The pages' posts as mentions, oldest first; the edit histories they show go into the cursor. The poll has
    more while any source's walk is pending (this one's, or one an earlier poll parked)."""
    parsed: Parsed = parse_page(bodies, edits=cursor.edits)
    cursor.remember_edits(edits_in(bodies))
    parsed.mentions.sort(key=lambda m: (int(m.external_id), version_of(m)))
    reads = sum(len(page_posts(body)) for body in bodies)
    return Page(parsed, more=bool(cursor.pending), reads=reads)


def next_token(body: Any) -> str | None:
    token = clean.mapping(clean.mapping(body).get("meta")).get("next_token")
    return token if isinstance(token, str) and token and len(token) <= 500 else None


def newest_id(body: Any) -> str | None:
    """The newest post id of a page, compared as numbers. Only the posts' own ids count (`meta.newest_id`
    says the same on a sound page), and none from the future: a mark beyond every real id would hide
    every post to come."""
    data = clean.mapping(body).get("data")
    posts = clean.objects(data if isinstance(data, list) else [data])
    return max_id(*(i for t in posts if (i := as_id(t.get("id"))) and _not_future(i)))


def _not_future(tweet_id: str) -> bool:
    return int(tweet_id) < FIRST_SNOWFLAKE_ID or snowflake_time(tweet_id) <= timezone.now() + timedelta(days=1)
