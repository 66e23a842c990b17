"""One poll's reads: the listings (every new story, and the channel's tags in one listing), then the comments of
the matched stories being watched.

Listings. Lobsters lists newest first, 25 stories a page, ``?page=N``. Each listing is a `MarkedWalk` stream
(channels.adapters.poll.walks): from page 1 down to its floor (the newest story handed over, minus
``overlap_seconds``; ``backfill_hours`` back on the first poll), at most MAX_PAGES a poll; a walk cut short by the
budget or a 429 keeps the page it goes on from, and the next poll drains the backlog below its newest-first look.
New stories only push older ones to later pages, so going on from a page number skips none; what is read twice
is dropped through ``seen``.

Keywords. Lobsters' search (``/search?q=…``) answers HTML only, so the desk does not scrape it: a listing's
stories are kept when their title, text, link or tags hold one of the channel's keywords (all are kept without
keywords); the rest are read and passed over.

Watching. A story kept is watched for ``watch_days``: each poll, after the listings and within what is left of its
budget, the watched stories not read for ``recheck_minutes`` are read (``/s/<id>.json``, the story with every
comment), least recently read first, and their comments not handed over yet are. A story this poll's listings
show with the comment count of its last read is not read again; a story gone from Lobsters (404) is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..base import Gone, PayloadError, PollStopped
from ..poll.engine import Page
from ..poll.stored import epoch_of
from ..poll.walks import MarkedWalk
from .client import NEWEST_URL, PAGE_SIZE, Client, tag_url
from .cursor import Cursor, Watched
from .parse import parse_comments, parse_stories, placed_comments, tags_of

logger = logging.getLogger(__name__)
MAX_PAGES = 4  # pages one listing may read in one poll


@dataclass(frozen=True)
class Stream:
    key: str
    url: str
    what: str


@dataclass
class Found:
    state: dict[str, Any]
    stories: list[Any] = field(default_factory=list)  # new stories the channel keeps, and items to reject
    counts: dict[str, int] = field(default_factory=dict)  # each listed story's comment count
    listed: int = 0


def streams_of(config: dict[str, Any]) -> list[Stream]:
    streams = []
    if config["newest"]:
        streams.append(Stream("newest", NEWEST_URL, "newest stories"))
    if config["tags"]:
        tags = sorted(config["tags"])
        streams.append(Stream(f"t/{','.join(tags)}", tag_url(tags), f"stories tagged {', '.join(tags)}"))
    return streams


def kept(item: dict[str, Any], keywords: list[str]) -> bool:
    """Whether the channel wants the story: one of its keywords in its title, text, link or tags (a tag listing
    holds only the channel's tags already)."""
    own = tags_of(item)
    fields = ("title", "description_plain", "description", "url")
    text = " ".join([*(clean.text(item.get(name)) for name in fields), *own]).lower()
    return not keywords or any(k in text for k in keywords)


def walk(client: Client, stream: Stream, state: dict[str, Any], cursor: Cursor, now: float, config: dict) -> Found:
    """New stories of one listing, newest first, then any backlog a capped poll left behind."""
    marked = MarkedWalk(
        state, mark_key="created_at", now=now, config=config, max_pages=MAX_PAGES, can_call=client.can_call
    )
    result = Found(state={})

    def page(point: dict[str, Any], lower: float, backlog: bool) -> tuple[bool, dict[str, Any], dict[str, Any]]:
        number = int(point.get("page", 1))
        try:
            items = client.stories(stream.url, page=number, what=stream.what)
        except PollStopped:  # a 429 after an answered request: this page is where the next poll goes on
            return False, point, {"page": number}
        result.listed += len(items)
        complete = False
        for item in items:
            short_id = clean.ident(item.get("short_id")) if isinstance(item, dict) else ""
            created = epoch_of(item.get("created_at")) if isinstance(item, dict) else None
            if not short_id or created is None:
                result.stories.append(item)  # rejected by the parser, with its payload
                continue
            count = clean.whole(item.get("comment_count"), minimum=0)
            if count is not None:
                result.counts[short_id] = count
            if created < lower:
                complete = True  # reached what an earlier walk covered
                continue
            marked.saw(created)
            if short_id in cursor.seen:
                # Handed over before: the newest-first walk has reached what it read last time (a backlog's has not).
                complete = complete or (not backlog and marked.mark is not None and created <= marked.mark)
                continue
            cursor.seen[short_id] = created
            if kept(item, config["keywords"]):
                result.stories.append(item)
        if len(items) < PAGE_SIZE:
            return True, {}, {}
        return complete, {"page": number + 1}, {"page": number + 1}

    result.state = marked.run(page)
    return result


def listing_pages(
    client: Client, stream: Stream, cursor: Cursor, counts: dict[str, int], *, now: float, config: dict[str, Any]
) -> Iterator[Page]:
    """One listing's walk (`walk`) as one page of the stories it keeps, its state kept in `cursor` and the stories
    watched (`watch`); the comment counts it saw are added to `counts` (a watched story showing the count of its
    last read is not read again)."""
    found = walk(client, stream, cursor.streams.get(stream.key, {}), cursor, now, config)
    cursor.streams[stream.key] = found.state
    counts.update(found.counts)
    watch(cursor, found.stories, now=int(now), days=int(config["watch_days"]))
    yield Page(parse_stories(found.stories), reads=found.listed)


def comment_pages(
    client: Client, cursor: Cursor, counts: dict[str, int], *, now: float, config: dict[str, Any]
) -> Iterator[Page]:
    """The new comments of the watched stories due now (`due`, `comments_read`), as one page."""
    ready = due(cursor, counts, now=int(now), recheck_seconds=60 * int(config["recheck_minutes"]))
    comments = comments_read(client, cursor, ready, now=int(now))
    yield Page(parse_comments(comments), reads=len(comments))


def watch(cursor: Cursor, stories: list[Any], *, now: int, days: int) -> None:
    """Watch the comments of the stories handed over now, for `days`."""
    for item in stories:
        short_id = clean.ident(item.get("short_id")) if isinstance(item, dict) else ""
        if days and short_id and short_id not in cursor.stories:
            cursor.stories[short_id] = Watched(until=now + days * 86_400)


def due(cursor: Cursor, counts: dict[str, int], *, now: int, recheck_seconds: int) -> list[str]:
    """The watched stories to read now, least recently read first."""
    ready = [
        (w.read, short_id)
        for short_id, w in cursor.stories.items()
        if w.until > now and w.read <= now - recheck_seconds and counts.get(short_id) != w.count
    ]
    return [short_id for _read, short_id in sorted(ready)]


def comments_read(client: Client, cursor: Cursor, stories: list[str], *, now: int) -> list[Any]:
    """The new comments of `stories`, read while the budget lasts, each placed in its story."""
    found: list[Any] = []
    for short_id in stories:
        if not client.can_call():
            break
        watched = cursor.stories[short_id]
        try:
            story = client.story(short_id)
        except PollStopped:
            break
        except Gone as exc:
            logger.warning("lobsters: %s; no longer watched", exc)
            del cursor.stories[short_id]
            continue
        except PayloadError as exc:
            logger.warning("lobsters: %s; read again at the next check", exc)
            watched.read = now
            continue
        watched.read = now
        count = clean.whole(story.get("comment_count"), minimum=0)
        watched.count = count if count is not None else -1
        for comment in placed_comments(story):
            own = clean.ident(comment.get("short_id")) if isinstance(comment, dict) else ""
            if own and own in watched.comments:
                continue
            if own:
                watched.comments[own] = epoch_of(comment.get("created_at")) or now
            found.append(comment)
    return found
