"""One poll of a polled adapter, the same for every platform (`PolledAdapter.fetch_chunks`): the adapter makes the
poll's client and reads its cursor, and says which streams the poll walks (a keyword's search, a subreddit, a
repository, an article's comments...), each an iterator of `Page`s read while the budget lasts. The engine walks them
one after the other, taking each only when it is reached (so a stream may depend on those before it), and hands over
what they read in one of two ways (the adapter's `hand_over`):

- "page": each page as a chunk, with the cursor just after it, stored before the next is read (a backlog of any size
  drains); then a closing chunk when one is owed (`_closing_owed`).
- "poll": the whole poll as one chunk, its items de-duplicated by the adapter's `item_key` (a post two streams found
  counts once) and handed over oldest first, for platforms whose items join up only once all are read (a reply
  found by one stream and the post another stream found).

Either way the budget or a 429 may cut the walk short (`PollStopped` out of the client): what was read is handed over,
the stream cut keeps its place in the cursor, and the poll says it has more. A 429 before anything was read fails the
poll (`RateLimited`), so the scheduler waits what the platform asked. Every chunk carries the platform's status: when
it was checked, the wait a 429 asked for, whether a backlog is left, and the adapter's own figures (`status`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from ..base import FetchResult, IncomingMention, PollStopped, RateLimited
from ..guard import Parsed

if TYPE_CHECKING:
    from channels.models import Channel


class PollClient(Protocol):
    """What the engine reads of a platform's client (channels.http.PollBudget has it): the requests it made, whether
    it may call again, and the 429 that ended the walk, which it keeps."""

    made: int
    stopped: RateLimited | None

    def can_call(self) -> bool: ...


@dataclass
class Page:
    """One page a stream hands over: what it parsed, or, for a poll handed over whole, the platform's raw items still
    to be parsed together (`items`, read by the adapter's `parse_items`); whether the stream has more to read (the
    scheduler polls again sooner); how many items it read from the platform."""

    parsed: Parsed = field(default_factory=Parsed)
    more: bool = False
    reads: int = 0
    items: list[Any] = field(default_factory=list)
    front_page_ids: frozenset[str] | None = None  # Hacker News: the stories on the front page now


class Declared(Protocol):
    """What the engine asks of the adapter whose poll it walks (channels.adapters.poll.adapter.PolledAdapter says what
    each part is; this names them without importing it, which imports the engine)."""

    @property
    def kind(self) -> str: ...
    @property
    def hand_over(self) -> str: ...
    def streams(self, poll: Poll[Any, Any]) -> Iterable[Iterator[Page]]: ...
    def parse_items(self, poll: Poll[Any, Any], items: list[Any]) -> Parsed: ...
    def item_key(self, mention: IncomingMention) -> str: ...
    def handed_over(self, poll: Poll[Any, Any], parsed: Parsed) -> None: ...
    def cursor_dump(self, poll: Poll[Any, Any]) -> dict[str, Any]: ...
    def status(self, poll: Poll[Any, Any]) -> dict[str, Any]: ...
    def not_before(self, poll: Poll[Any, Any]) -> datetime | None: ...
    def backlog(self, poll: Poll[Any, Any]) -> bool: ...
    def closes(self, poll: Poll[Any, Any]) -> bool: ...
    def front_page_ids(self, poll: Poll[Any, Any]) -> frozenset[str] | None: ...
    def failure(self, poll: Poll[Any, Any]) -> Exception | None: ...


CL = TypeVar("CL", bound=PollClient)
CU = TypeVar("CU")


@dataclass
class Poll(Generic[CL, CU]):
    """One poll of one channel: its settings, the client and cursor the adapter made for it, and the second it began
    (every stream's "now"). `stopped` is the 429 that cut the walk, `cut` whether anything cut it."""

    channel: Channel
    config: dict[str, Any]
    client: CL
    cursor: CU
    now: float
    cut: bool = False
    stopped: RateLimited | None = None


T = TypeVar("T")


def budgeted(client: PollClient, call: Callable[..., T], *args: Any) -> T | None:
    """`call(*args)`, one of the client's requests, when the poll's budget allows it; None when the budget is spent or a
    429 after an answered call ended the walk (`PollStopped`): the stream stops short there, keeping its mark, and the
    poll says it has more."""
    if not client.can_call():
        return None
    try:
        return call(*args)
    except PollStopped:
        return None


def rate_limited_until(platform: str, channel: Channel, stopped: RateLimited, *, now: datetime) -> datetime:
    """When a poll that a 429 (`stopped`) ended early may call again: after the wait it asked for, a minute when it
    named none. Logged on the adapter's own logger."""
    logging.getLogger(f"channels.adapters.{platform}").info(
        "%s: channel=%s stopped early, rate-limited: %s", platform, channel.slug, stopped
    )
    return now + timedelta(seconds=stopped.retry_after or 60)


def polled(adapter: Declared, poll: Poll[Any, Any]) -> Iterator[FetchResult]:
    """The poll's chunks, as the adapter's `hand_over` says (the module's docstring)."""
    streams = adapter.streams(poll)
    if adapter.hand_over == "page":
        yield from _by_page(adapter, poll, _walked(poll, streams))
    else:
        yield _whole(adapter, poll, list(_walked(poll, streams, reached=poll.client.can_call)))
    failure = adapter.failure(poll)  # raised once every chunk is handed over: the poll's cursor is stored first
    if failure is not None:
        raise failure


def _walked(poll: Poll[Any, Any], streams: Iterable[Iterator[Page]], *, reached: Any = None) -> Iterator[Page]:
    """Every stream's pages, one stream after the other, until the walk is cut (the module's docstring). With
    `reached`, a stream is begun only while it says so (the budget left: the streams after it wait for the next
    poll, and the poll says it has more)."""
    read = False
    for stream in streams:
        if reached is not None and not reached():
            poll.cut = True
            return
        try:
            for page in stream:
                read = True
                yield page
        except PollStopped:
            poll.cut = True
        except RateLimited as exc:
            if not read:
                raise
            poll.cut, poll.stopped = True, exc
            return


def _parsed(adapter: Declared, poll: Poll[Any, Any], pages: list[Page]) -> Parsed:
    """What the pages parsed, and their raw items parsed together by the adapter (`parse_items`)."""
    parsed = Parsed()
    for page in pages:
        parsed.extend(page.parsed)
    items = [item for page in pages for item in page.items]
    if items:
        parsed.extend(adapter.parse_items(poll, items))
    return parsed


def _result(adapter: Declared, poll: Poll[Any, Any], page: Page, parsed: Parsed, made: int) -> FetchResult:
    """A chunk with the cursor just after it; a 429 that ended the walk asks the scheduler to wait what it said."""
    now = datetime.now(tz=UTC)
    stopped = poll.stopped or poll.client.stopped
    wait = None if stopped is None else rate_limited_until(adapter.kind, poll.channel, stopped, now=now)
    own = adapter.not_before(poll)
    not_before = max(w for w in (wait, own) if w is not None) if wait or own else None
    return FetchResult(
        mentions=parsed.mentions,
        cursor=adapter.cursor_dump(poll),
        requests_made=made,
        more=page.more,
        rejected=parsed.rejected,
        not_before=not_before,
        reads=page.reads,
        platform_status={
            "checked_at": now.isoformat(),
            "rate_limited_until": wait.isoformat() if wait else None,
            "backlog": page.more,
            **adapter.status(poll),
        },
        front_page_ids=page.front_page_ids,
    )


def _by_page(adapter: Declared, poll: Poll[Any, Any], pages: Iterator[Page]) -> Iterator[FetchResult]:
    """Each page as a chunk with the requests made since the one before (so the poll's requests are counted once),
    then the closing chunk when one is owed, with what the adapter asks once the walk is over (`front_page_ids`)."""
    counted = 0
    last: FetchResult | None = None
    for page in pages:
        last = _result(adapter, poll, page, _parsed(adapter, poll, [page]), poll.client.made - counted)
        counted = poll.client.made
        yield last
    closing = Page(more=poll.cut or adapter.backlog(poll), front_page_ids=adapter.front_page_ids(poll))
    final = _result(adapter, poll, closing, Parsed(), poll.client.made - counted)
    if _closing_owed(last, final) or poll.cut or adapter.closes(poll):
        yield final


def _closing_owed(last: FetchResult | None, final: FetchResult) -> bool:
    """A closing chunk without items is owed when nothing was handed over, requests were made after the last chunk (a
    429 that ended a walk, a page with nothing new), or the cursor moved since (a watch list trimmed, a backoff). A
    wait is not compared: a 429's is counted from the moment each result is made, and it comes with a request."""
    return last is None or final.requests_made > 0 or final.cursor != last.cursor


def _whole(adapter: Declared, poll: Poll[Any, Any], pages: list[Page]) -> FetchResult:
    """The poll as one chunk: every page's items, parsed together where they came raw, each item once (the first
    stream's), oldest first; `more` when the walk was cut or a stream or the adapter keeps a backlog."""
    parsed = _parsed(adapter, poll, pages)
    keys: set[str] = set()
    mentions: list[IncomingMention] = []
    for mention in parsed.mentions:
        key = adapter.item_key(mention)
        if key not in keys:
            keys.add(key)
            mentions.append(mention)
    mentions.sort(key=lambda m: (m.created_at, len(m.external_id), m.external_id))
    parsed.mentions = mentions
    adapter.handed_over(poll, parsed)
    whole = Page(
        more=poll.cut or any(p.more for p in pages) or adapter.backlog(poll),
        reads=sum(p.reads for p in pages),
        front_page_ids=next((p.front_page_ids for p in pages if p.front_page_ids is not None), None),
    )
    return _result(adapter, poll, whole, parsed, poll.client.made)
