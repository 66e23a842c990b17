"""What a Stack Exchange channel remembers between polls (`Channel.cursor`).

    {"version": 1,
     "tags": {"gitlab": {"since": 1700000000, "seen": {"q77": 1700000000}}},
     "watch": {"questions": [[question_id, created], ...], "answers": [[answer_id, question_id, created], ...]},
     "answers": {"since": 1700000100, "seen": {"a78": 1700000100}},
     "comments": {"since": 1700000200, "seen": {"c79": 1700000200}},
     "backoff": {"/questions": 1700000260.5}}

A stream whose walk stopped short (request budget, backoff, throttle) also says where it goes on from, so a
backlog of any size drains over successive polls: a tag's mark gets ``"resume": t`` (the next poll reads
from ``t``, the newest question read, without the overlap) and, rarely, ``"page"`` (a page of questions all in
the same second); a follow-up stream gets ``"walk"``: ``{"ids": [...], "start": t, "chunk": i, "from": t, "page": p,
"newest": t}`` (the vectorised ids it walks, 100 a call, and where it stands) and ``"pending"``: the earliest
creation time of posts watched after that walk began, read by the next walk.

Loading is tolerant: a missing or damaged part starts again (the ingest drops what it already has).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Self

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, nested, whole
from .fields import id_of

WATCH_QUESTIONS = 500
WATCH_ANSWERS = 500
IDS_PER_CALL = 100
_SEEN_MAX = 5000


def _epoch(value: Any) -> int | None:
    """A time kept in the cursor: whole epoch seconds (0 .. year 2100)."""
    return clean.whole(value, minimum=0, maximum=4_102_444_800)


def _rows(raw: Any, width: int, limit: int) -> list[list[int]]:
    """The first `limit` stored rows of `width` ids each (a question and its time...); a row with a value that is
    no id is dropped (0 stands for it, which all() refuses)."""
    rows = ([id_of(v) or 0 for v in clean.items(row)] for row in clean.items(raw)[:limit])
    return [row for row in rows if len(row) == width and all(row)]


def _seen(raw: Any) -> dict[str, int]:
    seen = {str(k)[:40]: t for k, t in clean.mapping(raw).items() if _epoch(t) is not None}
    return {k: int(t) for k, t in list(seen.items())[:_SEEN_MAX]}


def _ids(raw: Any) -> list[int] | None:
    return [i for i in (id_of(v) for v in clean.items(raw)[: 2 * (WATCH_QUESTIONS + WATCH_ANSWERS)]) if i] or None


class FollowUp(Stored):
    """A follow-up walk over vectorised ids that may take several polls: id chunk `chunk` is read next from
    `from_` (page `page`); every chunk starts at `start`; `newest` is the newest item read by the walk."""

    ids: list[int] = kept(Reading(_ids))
    start: int = kept(Reading(_epoch))
    chunk: int = kept(whole(minimum=0), default=0)
    from_: int = kept(Reading(_epoch), key="from", default=0)
    page: int = kept(whole(minimum=1, maximum=10_000), default=1)
    newest: int | None = kept(Reading(_epoch), default=None)

    @classmethod
    def loaded(cls, raw: Any) -> Self | None:
        """None without ids or a start, or once every chunk is read."""
        walk = super().loaded(raw)
        if walk is not None:
            walk.chunk = walk.chunk if walk.chunk <= len(walk.ids) else 0
            walk.from_ = max(walk.start, walk.from_ or walk.start)
        return None if walk is None or walk.done() else walk

    def chunk_ids(self) -> list[int]:
        return self.ids[self.chunk * IDS_PER_CALL : (self.chunk + 1) * IDS_PER_CALL]

    def done(self) -> bool:
        return self.chunk * IDS_PER_CALL >= len(self.ids)


class Mark(Stored):
    """One stream's position: read from ``since - overlap`` (or from ``resume``/``walk`` when a walk stopped
    short); ``seen``: ids handed over, with their time."""

    since: int = kept(Reading(_epoch))
    seen: dict[str, int] = kept(Reading(_seen), default_factory=dict)
    # a tag's walk stopped short: the next poll reads from here (page `page`)
    resume: int | None = kept(Reading(_epoch), default=None, optional=True)
    page: int = kept(whole(minimum=1, maximum=10_000), default=1, optional=True)
    walk: FollowUp | None = kept(nested(FollowUp), default=None, optional=True)
    pending: int | None = kept(Reading(_epoch), default=None, optional=True)

    def remember(self, returned: dict[str, int], *, overlap: int) -> None:
        merged = {**self.seen, **returned}
        low = min(self.since, self.pending if self.pending is not None else self.since) - overlap
        if self.walk is not None:
            low = min(low, self.walk.start)
        kept = sorted(((t, k) for k, t in merged.items() if t >= low), reverse=True)[:_SEEN_MAX]
        self.seen = {k: t for t, k in sorted(kept, key=lambda pair: pair[1])}


def _backoff(until: Any) -> float | None:
    seconds = clean.number(until)
    return seconds if seconds is not None and seconds > 0 else None


class Cursor(Stored):
    VERSION = 1
    tags: dict[str, Mark] = kept(keyed(nested(Mark), key=str), default_factory=dict)
    questions: dict[int, int] = field(default_factory=dict)  # question id -> created ("watch", below)
    answers_watched: dict[int, tuple[int, int]] = field(default_factory=dict)  # answer id -> (question id, created)
    answers: Mark | None = kept(nested(Mark), default=None)
    comments: Mark | None = kept(nested(Mark), default=None)
    # method -> epoch seconds
    backoff: dict[str, float] = kept(
        keyed(Reading(_backoff, lambda until: round(until, 3)), key=lambda method: str(method)[:80]),
        default_factory=dict,
    )
    full_pages: bool = False  # not kept: a follow-up page of this poll said has_more (`backlog`)

    @classmethod
    def load(cls, raw: Any) -> Self:
        cursor = super().load(raw)
        watch = clean.mapping(clean.mapping(raw).get("watch"))
        cursor.questions = {row[0]: row[1] for row in _rows(watch.get("questions"), 2, WATCH_QUESTIONS)}
        cursor.answers_watched = {a: (q, t) for a, q, t in _rows(watch.get("answers"), 3, WATCH_ANSWERS)}
        return cursor

    def backlog(self) -> bool:
        """A backlog remains: a tag's walk stopped short, or a follow-up walk stopped short after a full page
        (more follow-ups than a page). A follow-up walk that only ran out of budget for its id chunks is not a
        backlog but a watch list larger than the budget: it goes on at the next regular poll (re-polling soon
        would spend the daily quota on empty pages)."""
        open_tags = any(mark.resume is not None for mark in self.tags.values())
        walks = any(m is not None and m.walk is not None for m in (self.answers, self.comments))
        return open_tags or (walks and self.full_pages)

    def posts(self) -> dict[int, tuple[str, str]]:
        """Watched post id -> (parent id, thread id) of a comment on it."""
        found: dict[int, tuple[str, str]] = {q: (f"q{q}", f"q{q}") for q in self.questions}
        found.update({a: (f"a{a}", f"q{q}") for a, (q, _t) in self.answers_watched.items()})
        return found

    def dump(self) -> dict[str, Any]:
        return {
            **super().dump(),
            "watch": {
                "questions": [[q, t] for q, t in self.questions.items()],
                "answers": [[a, q, t] for a, (q, t) in self.answers_watched.items()],
            },
        }
