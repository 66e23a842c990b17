"""Which pages one poll reads, stream by stream, each page with the cursor moved just after it.

Streams (`streams_of`): the mentions of the token's account (``GET /api/v1/notifications?types[]=mention``, 80 a
page); that account's own replies (``GET /api/v1/accounts/:id/statuses?exclude_reblogs=true``, 40 a page, only
its posts that answer another: a reply written in a Mastodon app is then our reply too); each hashtag's timeline
(``GET /api/v1/timelines/tag/:hashtag``, 40 a page: the public posts the instance knows, its own and other
servers'); each keyword's search (``GET /api/v2/search?type=statuses&q=...``, 40 a page; full-text search answers
only where the instance runs it, and only with posts that allow being found).

Mastodon pages by id (docs.joinmastodon.org, "Paginating through API responses"). A stream with a mark (the
newest id it handed over, `cursor.py`) is read forward: ``min_id=<mark>`` gives the page immediately newer than the
mark, newest first within the page; the page is one `Page` of raw items (the adapter hands a poll's pages over
together, oldest first) and the mark moves to its newest id. The next page is the ``Link`` header's rel="prev"
(``min_id=<newest>``), or the same query with the newest id where an endpoint sends no ``Link`` (search). A page
shorter than its limit is the last. ``since_id`` is not used: with more new items than a page it answers the
newest page and leaves a gap below it.

A stream without a mark (a new channel, a new hashtag) is read backwards from the newest page (``max_id`` the
oldest id read) until it reaches ``backfill_hours`` back, at most `BACKFILL_PAGES` pages, as one page; its
mark is then the newest id. A poll reads at most ``max_requests_per_poll`` pages in all,
and a 429 or a low remaining count (`client.py`) ends it: a stream cut short keeps its mark, `more` says so, and
the next poll goes on from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from channels import clean

from ..base import PayloadError
from ..poll.engine import Page, budgeted
from .client import Client
from .cursor import Cursor, usable_id
from .parse import once, page_items, sort_key, status_of

BACKFILL_PAGES = 5


@dataclass(frozen=True)
class Stream:
    key: str  # its mark's name in the cursor
    path: str
    params: dict[str, str]
    limit: int  # the endpoint's largest page
    replies_only: bool = False  # our account's own posts: only its replies are of the desk's business


def streams_of(config: dict[str, Any], *, own_account: str = "") -> list[Stream]:
    streams = []
    if config["mentions"]:
        streams.append(Stream("mentions", "/api/v1/notifications", {"types[]": "mention"}, 80))
    if own_account:
        path, params = f"/api/v1/accounts/{own_account}/statuses", {"exclude_reblogs": "true"}
        streams.append(Stream(f"own:{own_account}", path, params, 40, replies_only=True))
    for tag in config["hashtags"]:
        streams.append(Stream(f"tag:{tag.casefold()}", f"/api/v1/timelines/tag/{quote(tag, safe='')}", {}, 40))
    for keyword in config["keywords"]:
        streams.append(Stream(f"search:{keyword.casefold()}", "/api/v2/search", {"q": keyword, "type": "statuses"}, 40))
    return streams


def _list(data: Any, path: str) -> list[Any]:
    if isinstance(data, dict) and "statuses" in data:
        return page_items(data)  # a search result: its statuses
    if not isinstance(data, list):
        raise PayloadError(f"Mastodon {path}: expected a JSON list, got {clean.preview(data)}")
    return data


def _ids(items: list[Any]) -> list[str]:
    """The items' own ids (a notification's, or a status's), usable as a page cursor, newest first."""
    found = [i for i in (usable_id(clean.mapping(item).get("id")) for item in items) if i]
    return sorted(found, key=sort_key, reverse=True)


def _wanted(stream: Stream, items: list[Any]) -> list[Any]:
    """The items the desk takes from a page: of our account's own posts, only its replies."""
    if not stream.replies_only:
        return items
    return [item for item in items if not isinstance(item, dict) or item.get("in_reply_to_id") is not None]


def _created(item: Any) -> datetime | None:
    return clean.iso_time(status_of(item).get("created_at"))


def stream_pages(client: Client, cursor: Cursor, stream: Stream, *, since: datetime, seen: set[str]) -> Iterator[Page]:
    """The stream's new items as pages of raw statuses or notifications (`Page.items`), each with `cursor` moved
    just after it (`seen`: the poll's status ids and uris handed over so far, updated)."""
    if not cursor.mark(stream.key):
        yield _backfill(client, cursor, stream, since=since, seen=seen)
        return
    params: dict[str, Any] | None = {**stream.params, "limit": stream.limit, "min_id": cursor.mark(stream.key)}
    while params is not None:
        page = budgeted(client, client.get, stream.path, params)
        if page is None:
            yield Page(more=True)
            return
        items = _list(page.data, stream.path)
        ids = _ids(items)
        chunk = Page(items=once(_wanted(stream, items), seen), reads=len(items))
        cursor.advance(stream.key, ids[0] if ids else "")
        params = None
        if ids and len(items) >= stream.limit:
            params = page.newer or {**stream.params, "limit": stream.limit, "min_id": ids[0]}
        chunk.more = params is not None
        yield chunk


def _backfill(client: Client, cursor: Cursor, stream: Stream, *, since: datetime, seen: set[str]) -> Page:
    """A stream's first read: newest page first, back to `since`, as one page."""
    chunk = Page()
    read: list[Any] = []
    params: dict[str, Any] | None = {**stream.params, "limit": stream.limit}
    newest = ""
    for _ in range(BACKFILL_PAGES):
        if params is None or not client.can_call():
            break
        page = budgeted(client, client.get, stream.path, params)
        if page is None:
            chunk.more = True
            break
        items = _list(page.data, stream.path)
        ids = _ids(items)
        newest = newest or (ids[0] if ids else "")
        read.extend(items)
        chunk.reads += len(items)
        reached = any((_created(item) or since) < since for item in items)
        params = None if reached or not ids or len(items) < stream.limit else {**params, "max_id": ids[-1]}
    wanted = [item for item in _wanted(stream, read) if (_created(item) or since) >= since]
    chunk.items = once(wanted, seen)
    cursor.advance(stream.key, newest)
    return chunk
