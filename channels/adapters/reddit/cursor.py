"""What a Reddit channel remembers between polls (`Channel.cursor`)::

    {"streams": {"r/gitlab/new": {"created_utc": 1696754768.0, "polled_at": 1696754800.0,
                                  "resume": {"after": "t3_x", "floor": 1696750000.0}}, ...},
     "seen": {"t3_abc": [1696754768, 0], ...}}

Never a `before` fullname: when the item it names is deleted, Reddit answers an empty listing forever (see
fixtures/reddit/subreddit_comments_empty_before.json). Each stream keeps its own `created_utc` high-water
mark, and `resume` (the listing's `after` to go on from, down to `floor`) while a walk cut short by the request
budget has a backlog left. `seen` maps recently handed-over fullnames to [created_utc, signature] (signature:
-1 deleted, else the edit time, 0 = never edited), so a repeat in the overlap is dropped and an edited or
deleted item is handed over again. It keeps only what the next floors can still reach, at most SEEN_LIMIT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..poll.stored import token
from ..poll.walks import MarkedCursor, configured, marked_states
from .paging import Stream

SEEN_LIMIT = 1000
_EPOCH_MAX = 2**40


def _stamp(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -1 <= value < _EPOCH_MAX


def _point(resume: dict[str, Any]) -> dict[str, Any]:
    """Where a cut-short walk goes on: the listing's `after`."""
    after = token(resume.get("after"), max_length=100)
    return {"after": after} if after else {}


def load_states(raw: Any) -> dict[str, dict[str, Any]]:
    """The streams' states, each with a usable mark, poll time and resume (or without them)."""
    return marked_states(raw, "created_utc", _point)


def load_seen(raw: Any) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for name, value in clean.mapping(clean.mapping(raw).get("seen")).items():
        if isinstance(value, list) and len(value) == 2 and all(_stamp(v) for v in value) and clean.ident(name):
            seen[clean.ident(name)] = value
    return seen


@dataclass
class Cursor(MarkedCursor):
    """The streams' states and `seen` (`MarkedCursor`), and, for the poll only, the edit signature of each item it
    hands over (by fullname), noted in `seen` once handed over. Hand-written, as `MarkedCursor` is."""

    signatures: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, raw: Any, streams: Sequence[Stream], *, overlap: int) -> Cursor:
        """What the channel remembered, for the streams configured now."""
        states = configured(load_states(raw), streams)
        return cls(states, load_seen(raw), mark_key="created_utc", overlap=overlap, limit=SEEN_LIMIT)
