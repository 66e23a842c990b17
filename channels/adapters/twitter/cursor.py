"""The channel cursor: per source, the mark (newest post handed over) and a walk in progress; and the
edit histories of recent posts, so a reply to an edited post finds the id it is stored under.

    {"mentions:2244994945": "1861000000000000000",          # since_id of the next walk
     "search:gitlab": "1861000000000000001",
     "pending": {"search:gitlab": {"next_token": "b26v89c19zqg8o3f", "newest_id": "18610…", "since_id": "18600…"}},
     "edits": {"<later version id>": "<original id>", ...}}

A walk (X returns newest first) is stored in ``pending`` after each page, so the next page, in this poll or
the next, goes on from there: next tokens do not expire. Its source's mark moves to ``newest_id`` (the
first page's newest post) only when the walk reaches its end.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Self

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, nested
from .ids import as_id, max_id

# Edited posts remembered (each later version -> the original id). A post can be edited for 30 minutes after
# posting; replies come later, so this keeps the versions of the most recent edited posts.
EDITS_KEPT = 500


class Resume(Stored):
    next_token: str = kept(Reading(lambda token: token if isinstance(token, str) and 0 < len(token) <= 500 else None))
    newest_id: str | None = kept(Reading(as_id), default=None)
    since_id: str | None = kept(Reading(as_id), default=None)


class Cursor(Stored):
    marks: dict[str, str] = field(default_factory=dict)  # each source's: the cursor's own top-level keys (`load`)
    pending: dict[str, Resume] = kept(keyed(nested(Resume), key=str), default_factory=dict, optional=True)
    edits: dict[str, str] = kept(keyed(Reading(as_id), key=as_id), default_factory=dict, optional=True)

    @classmethod
    def load(cls, raw: Any) -> Self:
        cursor = super().load(raw)
        for key, mark in clean.mapping(raw).items():
            if isinstance(key, str) and key.startswith(("mentions:", "search:")) and as_id(mark):
                cursor.marks[key] = as_id(mark) or ""
        cursor.remember_edits({})  # trimmed to EDITS_KEPT
        return cursor

    def dump(self) -> dict[str, Any]:
        return {**self.marks, **super().dump()}

    def keep_only(self, keys: set[str]) -> None:
        """Forget the marks and walks of sources no longer configured (a removed query's parked walk would
        otherwise say "more to read" at every poll)."""
        self.marks = {k: v for k, v in self.marks.items() if k in keys}
        self.pending = {k: v for k, v in self.pending.items() if k in keys}

    def mark_done(self, key: str, newest: str | None) -> None:
        """A walk reached its end: the source's mark moves to the newest post it saw."""
        self.pending.pop(key, None)
        mark = max_id(self.marks.get(key), newest)
        if mark:
            self.marks[key] = mark

    def remember_edits(self, histories: dict[str, str]) -> None:
        """Later version id -> original id, newest versions kept."""
        self.edits.update(histories)
        if len(self.edits) > EDITS_KEPT:
            keep = sorted(self.edits, key=int)[-EDITS_KEPT:]
            self.edits = {k: self.edits[k] for k in keep}
