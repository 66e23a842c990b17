"""Which posts one poll reads and hands over, in chunks that each carry the cursor just after them.

Latest mode. ``GET /posts.json`` lists the newest public posts, 50 a page, and ``before=<id>`` lists the 50
newest below an id (older versions include the id itself). Post ids only grow, so the forum's posts above the
cursor's ``high`` mark are read oldest first in windows: ``before=high+step+1`` returns every visible post of
the window ``(high, high+step]`` when the window holds fewer posts than a page, which a step of one page less
one guarantees (the step doubles while windows come back half empty: private messages and deleted posts leave
holes in the ids). Each window is one chunk, handed over with ``high`` moved to the window's top, so a backlog
of any size drains over successive polls, oldest first, and a poll cut short (budget, 429) loses nothing.

A poll starts with the newest page. When it reaches ``high`` there is no backlog: its new posts are the chunk.
Otherwise the ids between ``high`` and the lowest id on that page are the backlog, remembered as ``gap``
(``{"top": lowest id of the newest page, "low": high}``); windows walk it, and the newest page is handed over
once they reach it. While a gap is open, a poll goes straight to the windows (no newest page: a budget of one
request still drains). The first poll hands over at most ``backfill_posts`` of the newest posts instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from channels import clean

from ..base import PayloadError, PollStopped, Rejected
from ..guard import Parsed
from ..poll.engine import Page, budgeted
from .client import LATEST, SEARCH, Client
from .config import PAGE_SIZE
from .cursor import STEP_MAX, Cursor, Gap
from .fields import whole_of as _int
from .parse import Chosen, Found, entry_found, is_skipped, search_entries, signature

logger = logging.getLogger(__name__)


@dataclass
class _Page:
    posts: dict[int, dict[str, Any]]  # by id
    rejected: list[Rejected]


def _latest_page(client: Client, before: int | None) -> _Page:
    data = client.get(LATEST, {"before": before} if before is not None else None)
    if not isinstance(data, dict) or not isinstance(data.get("latest_posts"), list):
        raise PayloadError(f'Discourse {LATEST}: no "latest_posts" list in the answer: {clean.preview(data)}')
    posts: dict[int, dict[str, Any]] = {}
    rejected = []
    for post in data["latest_posts"]:
        post_id = _int(post.get("id")) if isinstance(post, dict) else None
        if post_id is None:
            error = f"PayloadError: no usable post id: {clean.preview(post)}"
            rejected.append(Rejected(external_id="", error=error, raw=clean.raw(post)))
            continue
        posts.setdefault(post_id, post)
    return _Page(posts, rejected)


def _chunk(chosen: list[Chosen], *, reads: int, rejected: list[Rejected], more: bool = False) -> Page:
    """Posts to hand over (`Page.items`, made mentions by the adapter's `parse_items`), with what reading them
    cost and the entries without an id; the cursor has already moved past them. `more`: posts remain to be read
    (a backlog, or a walk cut short)."""
    return Page(Parsed(rejected=rejected), more=more, reads=reads, items=list(chosen))


def latest_chunks(client: Client, cursor: Cursor, *, backfill: int) -> Iterator[Page]:
    state = cursor.latest
    if state.high is None:
        yield _backfill(client, cursor, backfill)
        return
    newest: _Page | None = None
    while True:
        if state.gap is None:
            newest = budgeted(client, _latest_page, client, None)
            if newest is None:
                return
            if not newest.posts or min(newest.posts) <= state.high + 1:
                yield _final(cursor, newest)
                return
            # The newest page is a full page (there is more below it): its length is the server's page size.
            step = max(1, min(len(newest.posts), PAGE_SIZE) - 1)
            state.gap = Gap(top=min(newest.posts), low=state.high, step=step)
        ignored_before = yield from _windows(client, cursor)
        if ignored_before:
            return
        if state.gap is not None:
            return  # budget used or rate-limited: the next poll goes on from `high`
        if newest is not None:
            yield _final(cursor, newest)
            return
        # The gap of an earlier poll is closed: read the newest page now (the loop's next turn).


def _windows(client: Client, cursor: Cursor) -> Generator[Page, None, bool]:
    """Windows of the gap, oldest first, while the budget lasts. Returns True if the server ignored `before`."""
    state = cursor.latest
    while state.gap is not None and client.can_call():
        high, top, step = state.high, state.gap.top, state.gap.step
        assert high is not None  # a gap lies above `high`: there is one only once `high` is known
        before = min(high + step + 1, top)
        page = budgeted(client, _latest_page, client, before)
        if page is None:
            return False
        ids = sorted(page.posts)
        if ids and ids[-1] > before:
            # A server that ignores `before` cannot be walked: hand over what is new and close the gap, loudly.
            logger.warning(
                "discourse: %s ignored before=%s; the backlog below is skipped", client.site.base_url, before
            )
            state.gap = None
            yield _final(cursor, page)
            return True
        # The window is read whole when the page reaches below it. If it does not, the window held more posts
        # than a page: ask again with a window one page wide, which cannot (unless the forum has no posts left
        # below it: then the page is whole too).
        if ids and ids[0] > high + 1 and step > len(ids) - 1:
            state.gap.step = max(1, len(ids) - 1)
            continue
        fresh = [i for i in ids if high < i < before]

        # This window's bounds bound now (a lambda's defaults are not typed).
        def is_new(i: int, low: int = high, up: int = before) -> bool:
            return low < i < up

        chunk = _choose(cursor, page, is_new=is_new)
        state.high = before - 1
        if len(fresh) <= (step + 1) // 2:
            step = min(step * 2, STEP_MAX)  # few posts in the window (holes in the ids): a wider one next
        state.gap = Gap(top=top, low=state.high, step=step) if state.high < top - 1 else None
        chunk.more = True
        yield chunk
    return False


def _final(cursor: Cursor, page: _Page) -> Page:
    """The newest page, once everything below it has been handed over."""
    state = cursor.latest
    high = state.high or 0
    chunk = _choose(cursor, page, is_new=lambda i: i > high)
    if page.posts:
        state.high = max(high, max(page.posts))
    state.gap = None
    return chunk


def _backfill(client: Client, cursor: Cursor, backfill: int) -> Page:
    """The first poll: at most `backfill` of the newest posts (best effort: what the budget reaches)."""
    state = cursor.latest
    read: dict[int, dict[str, Any]] = {}
    rejected: list[Rejected] = []
    before: int | None = None
    while (page := budgeted(client, _latest_page, client, before)) is not None:
        rejected += page.rejected
        fresh = [i for i in page.posts if i not in read]
        for post_id in fresh:
            read[post_id] = page.posts[post_id]
        if not fresh or sum(not is_skipped(p) for p in read.values()) >= backfill:
            break
        if before is not None and min(fresh) >= before:
            logger.warning("discourse: %s ignored before=%s; stopping the walk", client.site.base_url, before)
            break
        before = min(fresh)
    chosen: list[Chosen] = []
    for post_id in sorted(read, reverse=True):
        if not is_skipped(read[post_id]) and len(chosen) < backfill:
            chosen.append(Chosen(post_id, read[post_id], signature=signature(read[post_id])))
    if read:
        state.high = max(read)
    state.gap = None
    return _chunk(chosen, reads=len(read), rejected=rejected if chosen else [])


def _choose(cursor: Cursor, page: _Page, *, is_new: Callable[[int], bool]) -> Page:
    """The posts of a page to hand over: new ones, and ones handed over before that changed since."""
    recent = cursor.latest.recent
    chosen = []
    for post_id in sorted(page.posts):
        post = page.posts[post_id]
        if is_skipped(post):
            continue
        sig = signature(post)
        handed_over = recent.get(str(post_id))
        if handed_over is not None:
            if handed_over != sig:  # edited or deleted since we handed it over
                chosen.append(Chosen(post_id, post, signature=sig, changed=True))
        elif is_new(post_id):
            chosen.append(Chosen(post_id, post, signature=sig))
    # Entries without an id are reported with the chunk that has new posts (not at every re-read of a page).
    rejected = page.rejected if any(is_new(i) for i in page.posts) else []
    return _chunk(chosen, reads=len(page.posts), rejected=rejected)


# --- search mode ---------------------------------------------------------------------------------


def search_chunks(client: Client, cursor: Cursor, *, query: str, backfill: int) -> Iterator[Page]:
    """Search mode's poll: one chunk (`search_chunk`)."""
    yield search_chunk(client, cursor, query=query, backfill=backfill)


def search_chunk(client: Client, cursor: Cursor, *, query: str, backfill: int) -> Page:
    """``GET /search.json?q=<query> order:latest after:<day before newest>&page=N``, newest first, following
    ``more_full_page_results``; what was handed over before (``seen``) is dropped. A walk cut short keeps the
    page it reached (``resume``), so the next poll goes on from there instead of re-reading the same pages."""
    state = cursor.search
    first = state.newest is None
    search = f"{query} order:latest"
    if state.newest is not None:
        search += f" after:{(state.newest.date() - timedelta(days=1)).isoformat()}"
    read: dict[int, Found] = {}
    rejected: list[Rejected] = []
    complete = False
    page = state.resume or 1
    while client.can_call():
        try:
            data = client.get(SEARCH, {"q": search, "page": page})
        except PollStopped:
            break
        entries = search_entries(data, label=f"Discourse {SEARCH}")
        found = []
        for entry in entries:
            try:
                found.append(entry_found(entry))
            except PayloadError as exc:
                rejected.append(Rejected(external_id="", error=f"PayloadError: {exc}", raw=clean.raw(entry.item)))
        fresh = [f for f in found if f.post_id not in read]
        for item in fresh:
            read[item.post_id] = item
        if not found or not fresh:
            complete = True  # the end, or a server that ignores `page`
            break
        if first and len(read) >= backfill:
            complete = True
            break
        if not _more_search_pages(data, len(entries)):
            complete = True
            break
        page += 1

    chosen: list[Chosen] = []
    newest = state.newest
    walk_newest = state.walk_newest
    for item in sorted(read.values(), key=lambda f: f.post_id, reverse=True):
        if item.created is None or is_skipped(item.post):
            continue
        walk_newest = item.created if walk_newest is None else max(walk_newest, item.created)
        if str(item.post_id) in state.seen:
            continue
        if first and len(chosen) >= backfill:
            continue
        chosen.append(Chosen(item.post_id, item.post, found=item))
    if complete or first:
        if walk_newest is not None:
            newest = walk_newest if newest is None else max(newest, walk_newest)
        state.resume, state.walk_newest = None, None
    else:
        state.resume, state.walk_newest = page, walk_newest
    state.newest = newest
    for item in read.values():
        if item.created is not None:
            state.seen[str(item.post_id)] = int(item.created.timestamp())
    return _chunk(chosen, reads=len(read), rejected=rejected, more=not complete)


def _more_search_pages(data: dict[str, Any], count: int) -> bool:
    grouped = data.get("grouped_search_result")
    if isinstance(grouped, dict) and "more_full_page_results" in grouped:
        return bool(grouped["more_full_page_results"])
    return count >= PAGE_SIZE  # Discourse before 2.x did not say
