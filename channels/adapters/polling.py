"""What the polled adapters do the same way: a poll's chunks merged for a caller that stores a poll in one
transaction, a saved payload's mentions, a chunk's result when a 429 ended the walk early, and the walk itself:
a poll's streams (a keyword, a hashtag, a subreddit...) read one after the other while the budget lasts
(`streams_walked`), each paged newest first from its mark (`MarkedWalk`), which one poll's result then
records (`streams_result`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .base import FetchResult, PollStopped, RateLimited
from .guard import Parsed
from .poll.engine import Page, rate_limited_until
from .poll.walks import MarkedWalk as MarkedWalk
from .poll.walks import seen_pruned as seen_pruned

if TYPE_CHECKING:
    from channels.http import PollBudget
    from channels.models import Channel

T = TypeVar("T")


def budgeted(client: PollBudget, call: Callable[..., T], *args: Any) -> T | None:
    """`call(*args)`, one of the client's requests, when the poll's budget allows it; None when the budget is spent or a
    429 after an answered call ended the walk (`PollStopped`): the stream stops short there, keeping its
    mark, and the poll says it has more."""
    if not client.can_call():
        return None
    try:
        return call(*args)
    except PollStopped:
        return None


class Chunk(Protocol):
    more: bool
    reads: int


def chunk_result(
    platform: str,
    channel: Channel,
    parsed: Parsed,
    chunk: Chunk,
    cursor: dict[str, Any],
    *,
    stopped: RateLimited | None,
    requests_made: int,
) -> FetchResult:
    """One chunk's result with the cursor just after it; `stopped`, the 429 that ended the walk early, asks the
    scheduler to wait what it said (a minute when it said nothing)."""
    now = datetime.now(tz=UTC)
    not_before = None if stopped is None else rate_limited_until(platform, channel, stopped, now=now)
    return FetchResult(
        mentions=parsed.mentions,
        cursor=cursor,
        requests_made=requests_made,
        more=chunk.more,
        rejected=parsed.rejected,
        not_before=not_before,
        reads=chunk.reads,
        platform_status={
            "checked_at": now.isoformat(),
            "rate_limited_until": not_before.isoformat() if not_before else None,
            "backlog": chunk.more,
        },
    )


C = TypeVar("C")  # a chunk of a walk


def chunk_results(
    chunks: Iterable[C],
    result: Callable[[C, int], FetchResult],
    *,
    made: Callable[[], int],
    closing: Callable[[], C],
    closes: Callable[[], bool] = lambda: False,
) -> Iterator[FetchResult]:
    """A poll handed over chunk by chunk: each chunk's `result` with the requests made since the one before (so
    the poll's requests are counted once), then a closing chunk without items (`closing()`) when one is owed:
    nothing was handed over, requests were made after the last chunk (a 429 that ended a walk, a page with
    nothing new), or the cursor moved since (a watch list trimmed, a backoff); or the adapter's own reason,
    asked once the walk is over (`closes`: Hacker News's front page, a wait Disqus knew without asking). A
    wait is not compared: a 429's is counted from the moment each result is made, and it comes with a
    request."""
    counted = 0
    last: FetchResult | None = None
    for chunk in chunks:
        last = result(chunk, made() - counted)
        counted = made()
        yield last
    final = result(closing(), made() - counted)
    owed = last is None or final.requests_made > 0 or final.cursor != last.cursor
    if owed or closes():
        yield final


def cut_short_results(
    streams: Iterable[Iterator[Page]], result: Callable[[Page, int], FetchResult], *, made: Callable[[], int]
) -> Iterator[FetchResult]:
    """`chunk_results` over walks read one after the other (taken from `streams` only when reached, so a walk may
    depend on those before it), any of which the poll's budget, a quota or a 429 may end early (`PollStopped`): what
    it read is handed over, the walks after it are still asked (the client then stops at once), and the closing page
    says there is more."""
    cut = [False]

    def walked() -> Iterator[Page]:
        for stream in streams:
            try:
                yield from stream
            except PollStopped:
                cut[0] = True

    def closing() -> Page:
        return Page(Parsed(), more=cut[0])

    yield from chunk_results(walked(), result, made=made, closing=closing, closes=lambda: cut[0])


S = TypeVar("S")  # a stream
W = TypeVar("W")  # what walking one stream found


@dataclass
class Walked(Generic[S, W]):
    """A poll's streams as far as it went: each stream walked with what it found, and the 429 that ended the
    poll early (None when it did not)."""

    streams: int
    found: list[tuple[S, W]] = field(default_factory=list)
    stopped: RateLimited | None = None

    @property
    def short(self) -> bool:
        """A stream was not reached (the budget, a 429): the next poll goes on with it."""
        return len(self.found) < self.streams


def streams_walked(streams: Sequence[S], walk: Callable[[S], W], *, can_call: Callable[[], bool]) -> Walked[S, W]:
    """Walk the streams in turn while `can_call` (the poll's budget). A 429 (`RateLimited`) out of a walk ends
    the poll: on the first stream it fails the poll (nothing was read); later, what the streams walked before
    found is kept, and the stream it cut keeps its mark. A client's `PollStopped` (its budget, or its 429 after
    an answered call, which the client keeps) ends the walk the same way."""
    walked: Walked[S, W] = Walked(len(streams))
    for stream in streams:
        if not can_call():
            break
        try:
            found = walk(stream)
        except RateLimited as exc:
            if not walked.found:
                raise
            walked.stopped = exc
            break
        except PollStopped:
            break
        walked.found.append((stream, found))
    return walked


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


class _Stated(Protocol):
    @property
    def state(self) -> dict[str, Any]: ...


K = TypeVar("K", bound=_Keyed)
F = TypeVar("F", bound=_Stated)


def marked_streams_walked(
    streams: Sequence[K],
    stored: dict[str, dict[str, Any]],
    walk: Callable[[K, dict[str, Any]], F],
    *,
    can_call: Callable[[], bool],
) -> tuple[Walked[K, F], dict[str, dict[str, Any]]]:
    """`streams_walked` over streams that keep their state in the cursor by their `key` (`stored`: a mark, the
    last poll's time, a resume): the streams a capped poll did not reach go first, a stream no longer configured
    is forgotten. The walk and the streams' states after it."""
    states = {s.key: stored[s.key] for s in streams if s.key in stored}
    ordered = sorted(streams, key=lambda s: states.get(s.key, {}).get("polled_at") or 0.0)
    walked = streams_walked(ordered, lambda s: walk(s, states.get(s.key, {})), can_call=can_call)
    for stream, found in walked.found:
        states[stream.key] = found.state
    return walked, states


def streams_result(
    platform: str,
    channel: Channel,
    parsed: Parsed,
    walked: Walked[Any, Any],
    *,
    cursor: dict[str, Any],
    requests_made: int,
    reads: int,
    not_before: datetime | None,
    status: dict[str, Any],
) -> FetchResult:
    """A poll of `MarkedWalk` streams as one result, oldest first: `more` while a stream was not reached or keeps
    a backlog; a 429 that ended it early adds its wait to the platform's own (`not_before`)."""
    if walked.stopped is not None:
        wait = rate_limited_until(platform, channel, walked.stopped, now=datetime.now(tz=UTC))
        not_before = max(not_before or wait, wait)
    parsed.mentions.sort(key=lambda m: (m.created_at, m.external_id))
    states = cursor["streams"].values()
    return FetchResult(
        mentions=parsed.mentions,
        cursor=cursor,
        requests_made=requests_made,
        more=walked.short or any("resume" in state for state in states),
        rejected=parsed.rejected,
        not_before=not_before,
        reads=reads,
        platform_status=status,
    )
