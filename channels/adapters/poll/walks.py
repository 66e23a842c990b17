"""The walk of a platform that lists newest first, down to a mark (Bluesky, Reddit; Lobsters its
listings): each stream (a keyword's search, a subreddit, the notifications...) paged from the
newest down to its mark (`MarkedWalk`), a backlog a capped poll left going on over the next polls. The channel keeps
each stream's state by its key and the items handed over that a later walk can still meet (`MarkedCursor`); the
streams a capped poll did not reach go first in the next (`marked_walks`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from channels import clean

from .engine import Page, Poll

_EPOCH_MAX = 2**40

# A page reader: (where to read from, the floor, whether this is a backlog left by an earlier poll) ->
# (nothing older is needed, where the next page is, where a later poll would go on from).
PageReader = Callable[[dict[str, Any], float, bool], tuple[bool, dict[str, Any], dict[str, Any]]]


class MarkedWalk:
    """One stream's walk for a platform that lists newest first: pages from the newest down to the stream's floor
    (its mark, the newest creation time handed over, minus `overlap_seconds`; `backfill_hours` back on its first
    poll), at most `max_pages` while `can_call`. A walk cut short keeps `resume` (where to go on, and the lowest
    floor still to reach), and the next poll, after its own newest-first look, goes on below it: a backlog larger
    than a poll drains over successive polls, nothing skipped. The page reader (`run`) reads the items and tells
    the walk each one's time (`saw`)."""

    def __init__(
        self,
        state: dict[str, Any],
        *,
        mark_key: str,
        now: float,
        config: dict[str, Any],
        max_pages: int,
        can_call: Callable[[], bool],
    ) -> None:
        self.state, self.mark_key, self.now = state, mark_key, now
        self.overlap = int(config["overlap_seconds"])
        self.mark: float | None = state.get(mark_key)
        backfill = now - int(config["backfill_hours"]) * 3600
        self.floor: float = self.mark - self.overlap if self.mark is not None else backfill
        self.newest = self.mark
        self.pages = 0
        self.max_pages, self.can_call = max_pages, can_call

    def saw(self, moment: float) -> None:
        """An item created at `moment` was read. One stamped in the future must not carry the mark past items
        to come."""
        moment = min(moment, self.now)
        self.newest = moment if self.newest is None else max(self.newest, moment)

    def can_read(self) -> bool:
        return self.pages < self.max_pages and self.can_call()

    def _page(self, read: PageReader, point: dict[str, Any], floor: float, *, backlog: bool) -> tuple:
        answer = read(point, floor, backlog)
        self.pages += 1
        return answer

    def run(self, read: PageReader) -> dict[str, Any]:
        """Walk the stream; its new state (mark, poll time, and `resume` while a backlog is left)."""
        complete = False
        point: dict[str, Any] = {}
        resume_point: dict[str, Any] = {}
        while not complete and self.can_read():
            complete, point, resume_point = self._page(read, point, self.floor, backlog=False)
        resume = self.state.get("resume")
        new_resume: dict[str, Any] | None = None
        if not complete:
            # Cut short: the next poll goes on below the last page read, down to the lowest floor not reached yet.
            lowest = min(self.floor, resume["floor"]) if resume else self.floor
            new_resume = {"floor": lowest, **resume_point} if resume_point else None
        elif resume:
            # Backlog from an earlier capped poll; the newest-first walk has read everything above it. Seen items
            # do not end it: they were read by the newest-first walks, the gap lies below them.
            point = {k: v for k, v in resume.items() if k != "floor"}
            done = False
            while not done and self.can_read() and point:
                done, _next, point = self._page(read, point, resume["floor"], backlog=True)
            new_resume = None if done or not point else {"floor": resume["floor"], **point}
        mark = self.newest if self.newest is not None else self.floor + self.overlap
        return {self.mark_key: mark, "polled_at": self.now, **({"resume": new_resume} if new_resume else {})}


def _moment(value: Any) -> float | None:
    number = clean.number(value)
    return number if number is not None and 0 <= number < _EPOCH_MAX else None


def marked_states(
    raw: Any, mark_key: str, point: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The `MarkedWalk` states a cursor keeps under "streams", cleaned: each stream's mark (`mark_key`) and poll
    time when they are epoch seconds, and its `resume` when it has a floor and `point` finds in it where the
    platform's walk goes on (`point` answers {} when that is unusable)."""
    states: dict[str, dict[str, Any]] = {}
    for key, value in clean.mapping(clean.mapping(raw).get("streams")).items():
        value = clean.mapping(value)
        state: dict[str, Any] = {
            name: moment for name in (mark_key, "polled_at") if (moment := _moment(value.get(name))) is not None
        }
        resume = clean.mapping(value.get("resume"))
        floor, where = _moment(resume.get("floor")), point(resume)
        if floor is not None and where:
            state["resume"] = {"floor": floor, **where}
        states[str(key)] = state
    return states


def seen_pruned(
    seen: dict[str, Any], states: dict[str, dict[str, Any]], *, mark_key: str, overlap: int, limit: int
) -> dict[str, Any]:
    """The handed-over items a later poll can still meet (created at or after the lowest floor of the streams'
    `MarkedWalk`s), newest first, at most `limit`: anything older is below every floor and never read again.
    `seen` maps an item's id to its creation time, or to a list that starts with it."""

    def created(value: Any) -> Any:
        return value[0] if isinstance(value, list) else value

    floors = [s[mark_key] - overlap for s in states.values() if s.get(mark_key) is not None]
    floors += [s["resume"]["floor"] for s in states.values() if isinstance(s.get("resume"), dict)]
    lowest = min(floors) - 1 if floors else None
    kept = [(key, value) for key, value in seen.items() if lowest is None or created(value) >= lowest]
    kept.sort(key=lambda item: (created(item[1]), item[0]), reverse=True)
    return dict(kept[:limit])


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


def configured(stored: dict[str, dict[str, Any]], streams: Sequence[_Keyed]) -> dict[str, dict[str, Any]]:
    """The stored states of the streams still configured (`MarkedCursor.streams`): a stream no longer configured
    is forgotten."""
    return {s.key: stored[s.key] for s in streams if s.key in stored}


KS = TypeVar("KS", bound=_Keyed)


def by_last_poll(streams: Sequence[KS], states: dict[str, dict[str, Any]]) -> list[KS]:
    """The streams in the order a poll walks them: those a capped poll did not reach (read longest ago) first."""
    return sorted(streams, key=lambda s: states.get(s.key, {}).get("polled_at") or 0.0)


@dataclass
class MarkedCursor:
    """What a channel whose streams are each a `MarkedWalk` remembers: each stream's state by its key (a mark, the
    last poll's time, a resume), and the items handed over (`seen`: an item's id to its creation time, or to a list
    that starts with it), kept as the cursor is dumped only as far as the next walks can still meet them
    (`seen_pruned`, at most `limit`). Hand-written, not a `Stored`: both are read for the streams configured now, by the
    platform's own readers (`marked_states`, a `seen` reader), with the walk's mark key, overlap and limit."""

    streams: dict[str, dict[str, Any]]
    seen: dict[str, Any]
    mark_key: str  # the key of a stream's mark in its state
    overlap: int  # the config's `overlap_seconds`
    limit: int  # items `seen` keeps at the most

    @property
    def backlog(self) -> bool:
        """A stream's walk was cut short and keeps where to go on: the next poll comes soon."""
        return any("resume" in state for state in self.streams.values())

    def dump(self) -> dict[str, Any]:
        kept = seen_pruned(self.seen, self.streams, mark_key=self.mark_key, overlap=self.overlap, limit=self.limit)
        return {"streams": self.streams, "seen": kept}


class _Walked(Protocol):
    """What walking one stream found: at least the stream's state after it."""

    @property
    def state(self) -> dict[str, Any]: ...


K = TypeVar("K", bound=_Keyed)
W = TypeVar("W", bound=_Walked)
MC = TypeVar("MC", bound=MarkedCursor)


def marked_walks(
    poll: Poll[Any, MC],
    streams: Sequence[K],
    walk: Callable[[K, MarkedWalk], W],
    *,
    max_pages: int,
    page: Callable[[W], Page],
) -> list[Iterator[Page]]:
    """The poll's streams, each read by `walk` through its own `MarkedWalk` within the client's budget: the
    streams a capped poll did not reach go first (ordered by their last poll). A stream walked whole notes its
    new state in the cursor and hands over one page (`page`, from what it found); a stream a 429 cuts hands over
    nothing and keeps its state, so the next poll reads it again."""
    cursor = poll.cursor
    ordered = by_last_poll(streams, cursor.streams)

    def walked(stream: K) -> Iterator[Page]:
        marked = MarkedWalk(
            cursor.streams.get(stream.key, {}),
            mark_key=cursor.mark_key,
            now=poll.now,
            config=poll.config,
            max_pages=max_pages,
            can_call=poll.client.can_call,
        )
        found = walk(stream, marked)
        cursor.streams[stream.key] = found.state
        yield page(found)

    return [walked(stream) for stream in ordered]


class MarkedHooks:
    """What an adapter whose streams are `marked_walks` (Reddit, Bluesky) answers the engine the same way, put before
    `PolledAdapter` in its bases: a backlog is a stream's `resume` in the cursor, and the platform's figures and own
    wait are its client's."""

    def backlog(self, poll: Poll[Any, Any]) -> bool:
        backlog: bool = poll.cursor.backlog
        return backlog

    def status(self, poll: Poll[Any, Any]) -> dict[str, Any]:
        status: dict[str, Any] = poll.client.status()
        return status

    def not_before(self, poll: Poll[Any, Any]) -> datetime | None:
        wait: datetime | None = poll.client.not_before
        return wait
