"""Which listing pages one poll reads, stream by stream.

Streams: for each configured subreddit its newest posts (`/r/{sub}/new`) and, unless `include_comments` is
false, its newest comments (`/r/{sub}/comments`); for each keyword a site-wide search of posts
(`/search?q=…&sort=new&type=link`). Reddit's API cannot search comments, so a keyword finds posts anywhere and
comments only inside the configured subreddits.

Reddit lists newest first and pages towards older items with `after`. A walk reads the newest 100 of a
stream with no `before` and pages back only while everything on the page is unseen and newer than the
stream's floor (`mark - overlap_seconds`, or `backfill_hours` back on the first poll). An item counts as seen
here if it was handed over and is not newer than this stream's mark: one first found by another stream does
not end the walk.

Backlog: a poll reads at most `max_requests_per_poll` pages in all and MAX_PAGES_PER_STREAM per stream. A
walk cut short keeps `resume` (the `after` of the last page read and the floor still to reach) and the next
poll, after its newest-first check of what is new, goes on below it, down to the old floor: a backlog larger
than one poll's budget drains over successive polls, each poll's items handed over oldest first with the
cursor just after them, nothing skipped (what is read twice is dropped through `seen`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..base import PayloadError
from ..poll.engine import Page
from ..poll.stored import token
from ..poll.walks import MarkedWalk
from .client import Client
from .parse import KINDS, created_of, fullname, page_entries, signature, thing_of

PAGE_SIZE = 100  # Reddit's maximum `limit`
MAX_PAGES_PER_STREAM = 10  # listings end after about 1,000 items anyway


@dataclass(frozen=True)
class Stream:
    key: str
    path: str
    params: dict[str, Any]


@dataclass
class Found:
    state: dict[str, Any]
    # (entry, escaped) in reading order: new or changed items, and entries the parser is to reject
    entries: list[tuple[Any, bool]] = field(default_factory=list)
    signatures: dict[str, int] = field(default_factory=dict)
    listed: int = 0


def streams_of(config: dict[str, Any]) -> list[Stream]:
    streams = []
    for sub in config["subreddits"]:
        streams.append(Stream(f"r/{sub.lower()}/new", f"/r/{sub}/new", {}))
        if config["include_comments"]:
            streams.append(Stream(f"r/{sub.lower()}/comments", f"/r/{sub}/comments", {}))
    for keyword in config["keywords"]:
        search = {"q": keyword, "sort": "new", "type": "link", "t": "all"}
        streams.append(Stream(f"search:{keyword}", "/search", search))
    return streams


def next_after(payload: dict[str, Any]) -> str | None:
    return token(clean.mapping(payload.get("data")).get("after"), max_length=100)  # a plain fullname, to be stored


def walk(client: Client, stream: Stream, marked: MarkedWalk, seen: dict[str, list[int]]) -> Found:
    """New items of one stream, newest first, then any backlog a capped poll left behind (`marked`)."""
    result = Found(state={})

    def page(point: dict[str, Any], lower: float, backlog: bool) -> tuple[bool, dict[str, Any], dict[str, Any]]:
        payload = client.get(stream.path, {**stream.params, "limit": PAGE_SIZE, **point})
        if not isinstance(payload, dict) or payload.get("kind") != "Listing":
            raise PayloadError(f"Reddit {stream.path}: expected a Listing, got {clean.preview(payload)}")
        entries, escaped = page_entries(payload)
        result.listed += len(entries)
        things = 0
        complete = False
        for entry in entries:
            thing = thing_of(entry)
            if thing is None:
                result.entries.append((entry, escaped))  # rejected by the parser, with its payload
                continue
            things += 1
            kind, data = thing
            if kind not in KINDS:
                continue
            created, name = created_of(data), fullname(kind, data)
            if created is None or not name:
                result.entries.append((entry, escaped))  # rejected by the parser
                continue
            if created < lower:
                complete = True  # reached what an earlier poll covered (the page may be out of order)
                continue
            marked.saw(created)
            state_now = signature(kind, data)
            handed_over = seen.get(name)
            # An item handed over before ends the newest-first walk (not a backlog's: the gap lies below it).
            if handed_over is not None and not backlog and marked.mark is not None and created <= marked.mark:
                complete = True
            if (handed_over is None or handed_over[1] != state_now) and name not in result.signatures:
                result.entries.append((entry, escaped))  # new, or edited or deleted since handed over
                result.signatures[name] = state_now
        following = next_after(payload)
        if not things or following is None:
            return True, {}, {}
        return complete, {"after": following}, {"after": following}

    result.state = marked.run(page)
    return result


def handed(found: Found, signatures: dict[str, int]) -> Page:
    """A stream's page as the poll hands it over: its entries, each with whether its page was escaped, less the items
    an earlier stream of this poll found; `signatures` (the poll's) notes the edit signature of each item kept."""
    items: list[tuple[Any, bool]] = []
    for entry, is_escaped in found.entries:
        thing = thing_of(entry)
        name = fullname(*thing) if thing else ""
        if name and name in signatures:
            continue  # found by an earlier stream of this poll
        if name and name in found.signatures:
            signatures[name] = found.signatures[name]
        items.append((entry, is_escaped))
    return Page(items=items, reads=found.listed)
