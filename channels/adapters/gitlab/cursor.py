"""What a GitLab channel remembers between polls (`Channel.cursor`), per project::

    {"version": 1, "base_url": "https://gitlab.com",
     "projects": {"gitlab-org/gitlab": {"updated": "2026-01-21T23:43:09.090Z", "seen": [9001, 9002],
                                        "issues": {"4417": 1650012345, "4420": 0}}}}

``updated`` is the newest ``updated_at`` of the issues handled, ``seen`` the issue ids handled at exactly that
instant: the next poll asks ``updated_after=<updated>`` (inclusive, so an issue updated in the same millisecond
is not lost) and skips those. ``issues`` maps each issue handed over (newest activity last, at most
`ISSUES_KEPT`) to the id of the last note handed over, so each note is handed over once. Another ``base_url``
starts again; a damaged part starts that part again (the ingest drops what it already has)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, moment, nested, text, whole

ISSUES_KEPT = 1000
SEEN_KEPT = 500


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ProjectState(Stored):
    updated: datetime | None = kept(moment(timespec="milliseconds"), default=None)
    seen: set[int] = kept(
        Reading(
            lambda raw: {i for i in (clean.whole(v, minimum=1) for v in clean.items(raw)) if i is not None},
            lambda seen: sorted(seen)[-SEEN_KEPT:],
        ),
        default_factory=set,
    )
    # iid -> last note id handed over (0: none)
    issues: dict[int, int] = kept(
        keyed(whole(minimum=0), key=lambda iid: clean.whole(iid, minimum=1)), default_factory=dict
    )

    def handled(self, issue_id: int, updated: datetime) -> None:
        """The issue (id, updated_at) is handled: move the mark forward, remember the ids at the mark."""
        if self.updated is None or updated > self.updated:
            self.updated, self.seen = updated, {issue_id}
        elif updated == self.updated:
            self.seen.add(issue_id)

    def skips(self, issue_id: int, updated: datetime) -> bool:
        return self.updated is not None and (
            updated < self.updated or (updated == self.updated and issue_id in self.seen)
        )

    def remember(self, iid: int, last_note: int) -> None:
        self.issues.pop(iid, None)
        self.issues[iid] = last_note
        while len(self.issues) > ISSUES_KEPT:
            self.issues.pop(next(iter(self.issues)))


class Cursor(Stored):
    VERSION = 1
    base_url: str = kept(text())
    projects: dict[str, ProjectState] = kept(keyed(nested(ProjectState), key=str), default_factory=dict)

    def project(self, name: str) -> ProjectState:
        return self.projects.setdefault(name, ProjectState())

    @classmethod
    def read_back(cls, raw: Any, *, base_url: str) -> Cursor:
        stored = cls.cleaned(raw)
        return cls(**stored) if stored.get("base_url") == base_url else cls(base_url)
