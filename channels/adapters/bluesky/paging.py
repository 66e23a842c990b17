"""Which pages one poll reads, stream by stream.

Streams: for each keyword a search of posts, `app.bsky.feed.searchPosts?q=…&sort=latest&since=…` (newest first,
paged with its `cursor`, an offset); and, unless `read_notifications` is off, the account's notifications that
are mentions and replies, `app.bsky.notification.listNotifications?reasons=mention&reasons=reply` (newest first,
paged with its `cursor`, a time).

A walk reads newest first, 100 a page, down to the stream's floor (its mark minus `overlap_seconds`, or
`backfill_hours` back on the first poll); items at or above the floor not handed over yet (`seen`) are kept, AT
URIs being the ids. A poll reads at most `max_requests_per_poll` pages in all and MAX_PAGES_PER_STREAM per stream.
A walk cut short keeps `resume` and the next poll, after its newest-first look at what is new, goes on below it,
down to the old floor: a search reads `until` the oldest time it reached (its offsets move as posts arrive), the
notifications from their own cursor. Nothing is skipped; what is read twice is dropped through `seen`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channels import clean

from ..base import PayloadError
from ..poll.engine import Page
from ..poll.stored import token
from ..poll.walks import MarkedWalk
from .client import Client
from .parse import post_uri, sort_time

PAGE_SIZE = 100  # the most searchPosts and listNotifications give a page
MAX_PAGES_PER_STREAM = 10
SEARCH = "app.bsky.feed.searchPosts"
NOTIFICATIONS = "app.bsky.notification.listNotifications"
REASONS = ("mention", "reply")


@dataclass(frozen=True)
class Stream:
    key: str
    nsid: str
    params: dict[str, Any]
    items_key: str

    @property
    def searches(self) -> bool:
        return self.nsid == SEARCH


@dataclass
class Found:
    state: dict[str, Any]
    entries: list[Any] = field(default_factory=list)  # new items, and items the parser is to reject
    uris: set[str] = field(default_factory=set)
    listed: int = 0


def streams_of(config: dict[str, Any]) -> list[Stream]:
    streams = [
        Stream(f"search:{keyword.casefold()}", SEARCH, {"q": keyword, "sort": "latest"}, "posts")
        for keyword in config["keywords"]
    ]
    if config["read_notifications"]:
        streams.append(Stream("notifications", NOTIFICATIONS, {"reasons": list(REASONS)}, "notifications"))
    return streams


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def walk(client: Client, stream: Stream, marked: MarkedWalk, seen: dict[str, int]) -> Found:
    """New items of one stream, newest first, then any backlog a capped poll left behind (`marked`)."""
    result = Found(state={})

    def page(point: dict[str, Any], lower: float, backlog: bool) -> tuple[bool, dict[str, Any], dict[str, Any]]:
        since = {"since": iso(lower)} if stream.searches else {}
        payload = client.get(stream.nsid, {**stream.params, **since, **point, "limit": PAGE_SIZE})
        items = payload.get(stream.items_key) if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise PayloadError(f"Bluesky {stream.nsid}: expected {stream.items_key!r}, got {clean.preview(payload)}")
        result.listed += len(items)
        complete, oldest = False, None
        for item in items:
            moment, uri = sort_time(item), post_uri(item.get("uri")) if isinstance(item, dict) else ""
            if moment is None or not uri:
                result.entries.append(item)  # the parser skips it (a like, a follow) or rejects it, with its payload
                continue
            oldest = moment if oldest is None else min(oldest, moment)
            if moment < lower:
                complete = True  # reached what an earlier poll covered
                continue
            marked.saw(moment)
            if uri not in seen and uri not in result.uris:
                result.entries.append(item)
                result.uris.add(uri)
        following = token(payload.get("cursor"), max_length=200)
        # A search goes on `until` the oldest time it reached (its offsets move as posts arrive).
        if stream.searches:
            resume = {"until": iso(oldest + 0.001)} if oldest is not None else {}
        else:
            resume = {"cursor": following} if following else {}
        return complete or not items or following is None, {"cursor": following} if following else {}, resume

    result.state = marked.run(page)
    return result


def handed(found: Found, uris: set[str]) -> Page:
    """A stream's page as the poll hands it over: its items less those an earlier stream of this poll found (a
    mention that also matches a keyword); `uris` (the poll's) notes the AT URIs kept."""
    items: list[Any] = []
    for entry in found.entries:
        uri = entry.get("uri") if isinstance(entry, dict) else None
        if isinstance(uri, str) and uri in uris:
            continue  # found by an earlier stream of this poll
        if isinstance(uri, str) and uri in found.uris:
            uris.add(uri)
        items.append(entry)
    return Page(items=items, reads=found.listed)
