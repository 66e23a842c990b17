"""What a Discourse channel remembers between polls (`Channel.cursor`): the latest-mode high mark and the
signatures of recent posts (to see edits), the search-mode window, and the posts of recently active topics
(to thread replies)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from ..poll.stored import Reading, Stored, kept, keyed, moment, nested, text, whole
from .fields import whole_of as _int

RECENT_LIMIT = 500
SEARCH_SEEN_LIMIT = 2000
TOPIC_LIMIT = 400
POSTS_PER_TOPIC = 6  # the first post handed over and the last five
RELATED_LIMIT = 6
STEP_DEFAULT = 49  # one page of /posts.json (50) less one: a window that size is read whole by one request
STEP_MAX = 50 * 64


class Topics:
    """Post ids handed over, per topic: {topic id: {post number: post id}}."""

    def __init__(self, posts: dict[int, dict[int, int]] | None = None) -> None:
        self.posts = posts or {}

    def links(
        self,
        topic_id: int | None,
        post_number: int | None,
        reply_to: int | None,
        post_id: int,
        stream: tuple[int, ...] = (),
    ) -> tuple[str, tuple[str, ...]]:
        """(parent id, related ids nearest first) of a post, from the posts of its topic we know."""
        known = self.posts.get(topic_id, {}) if topic_id is not None else {}
        parent = known.get(reply_to) if reply_to is not None else None
        number = post_number if post_number is not None else math.inf
        candidates = [pid for n, pid in sorted(known.items(), reverse=True) if n < number]
        candidates += [pid for n, pid in sorted(known.items()) if n > number]
        earliest = known[min(known)] if known else None
        if post_id in stream:
            position = stream.index(post_id)
            candidates += reversed(stream[max(0, position - RELATED_LIMIT) : position])
            earliest = stream[0] if position else earliest
        related: list[int] = []
        for pid in candidates:
            if pid not in (post_id, parent, earliest) and pid not in related:
                related.append(pid)
        related = related[: RELATED_LIMIT - 1]
        if earliest is not None and earliest not in (post_id, parent):
            related.append(earliest)
        return (str(parent) if parent is not None else ""), tuple(str(pid) for pid in related)

    def add(self, topic_id: int | None, post_number: int | None, post_id: int) -> None:
        if topic_id is not None and post_number is not None:
            self.posts.setdefault(topic_id, {})[post_number] = post_id

    def pruned(self) -> Topics:
        """The TOPIC_LIMIT most recently active topics, each with its first post and its last few."""
        newest = sorted(self.posts.items(), key=lambda kv: max(kv[1].values(), default=0), reverse=True)
        kept: dict[int, dict[int, int]] = {}
        for topic_id, posts in newest[:TOPIC_LIMIT]:
            numbers = sorted(posts)
            keep = {numbers[0], *numbers[-(POSTS_PER_TOPIC - 1) :]}
            kept[topic_id] = {n: posts[n] for n in sorted(keep)}
        return Topics(kept)

    def dump(self) -> dict[str, list[list[int]]]:
        return {str(t): [[n, pid] for n, pid in sorted(posts.items())] for t, posts in self.posts.items()}

    @classmethod
    def load(cls, raw: Any) -> Topics:
        posts: dict[int, dict[int, int]] = {}
        for topic, rows in (raw if isinstance(raw, dict) else {}).items():
            topic_id = _int(topic)
            if topic_id is None or not isinstance(rows, list):
                continue
            # Read as numbers: a post number kept as text ("5") would not sort beside the others when pruned.
            read = (tuple(map(_int, row)) for row in rows if isinstance(row, list) and len(row) == 2)
            pairs = {n: pid for n, pid in read if n is not None and pid is not None}
            if pairs:
                posts[topic_id] = pairs
        return cls(posts)


class Gap(Stored):
    """Post ids not read yet: below `top` (the lowest id of the newest page) and above `low`, read in windows
    of `step` ids."""

    top: int = kept(Reading(_int))
    low: int = kept(Reading(_int))
    step: int = kept(Reading(_int), default=STEP_DEFAULT)


def _post_id(key: Any) -> str | None:
    return str(key) if _int(key) is not None else None


class LatestState(Stored):
    high: int | None = kept(
        Reading(_int), default=None
    )  # every post id up to here has been read (new ones handed over)
    gap: Gap | None = kept(nested(Gap), default=None)  # a backlog: ids in (low, top) not read yet; low == high
    recent: dict[str, str] = kept(
        Reading(
            keyed(text(), key=_post_id).read,
            lambda recent: dict(sorted(recent.items(), key=lambda kv: int(kv[0]), reverse=True)[:RECENT_LIMIT]),
        ),
        default_factory=dict,
    )

    @classmethod
    def load(cls, raw: Any) -> Self:
        state = super().load(raw)
        gap, state.gap = state.gap, None
        if state.high is not None and gap is not None and gap.top > gap.low:
            if gap.low == state.high:
                state.gap = Gap(gap.top, gap.low, gap.step if 1 <= gap.step <= STEP_MAX else STEP_DEFAULT)
            elif gap.low < state.high:
                # A gap written before backlogs were read oldest first (its high was above the gap): go back to
                # the gap's bottom; what was handed over already is known to `recent` and to the ingest.
                state.high = gap.low
        return state


class SearchState(Stored):
    query: str = kept(text())
    newest: datetime | None = kept(moment(timespec="milliseconds"), default=None)
    seen: dict[str, int] = kept(
        keyed(Reading(lambda at: at if isinstance(at, int) else None), key=_post_id), default_factory=dict
    )
    # a walk cut short goes on from this page at the next poll
    resume: int | None = kept(whole(minimum=2, maximum=10_000), default=None, optional=True)
    walk_newest: datetime | None = kept(moment(timespec="milliseconds"), default=None)  # that walk's newest post so far

    def dump(self) -> dict[str, Any]:
        seen = self.seen
        if self.newest is not None:
            # The next search starts the day before `newest`; Discourse reads that date in the forum's time
            # zone, so one more day is kept.
            floor = datetime.combine(self.newest.date() - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
            seen = {k: t for k, t in seen.items() if t >= floor.timestamp()}
        newest_first = sorted(seen.items(), key=lambda kv: (kv[1], int(kv[0])), reverse=True)[:SEARCH_SEEN_LIMIT]
        dumped = {**super().dump(), "seen": dict(newest_first)}
        if self.resume is None:
            del dumped["walk_newest"]
        return dumped


@dataclass
class Cursor:
    """Hand-written: its state is kept under the key its mode names, and read back only for the same site and mode."""

    base_url: str
    mode: str
    latest: LatestState
    search: SearchState
    topics: Topics

    @classmethod
    def load(cls, raw: Any, *, base_url: str, config: dict[str, Any]) -> Cursor:
        """Tolerant: a missing or damaged part starts again (the ingest drops what it already has)."""
        mode = config["mode"]
        query = config.get("query", "")
        if not isinstance(raw, dict) or raw.get("base_url") != base_url:
            return cls(base_url, mode, LatestState(), SearchState(query), Topics())
        same_mode = raw.get("mode") == mode
        search = SearchState.loaded(raw.get("search")) if same_mode else None
        return cls(
            base_url=base_url,
            mode=mode,
            latest=LatestState.load(raw.get("latest") if same_mode else None),
            search=search if search is not None and search.query == query else SearchState(query),
            topics=Topics.load(raw.get("topics")),
        )

    def prune(self) -> None:
        self.topics = self.topics.pruned()

    def dump(self) -> dict[str, Any]:
        state = self.search.dump() if self.mode == "search" else self.latest.dump()
        return {
            "version": 1,
            "base_url": self.base_url,
            "mode": self.mode,
            self.mode: state,
            "topics": self.topics.dump(),
        }
