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

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channels import clean

ISSUES_KEPT = 1000
SEEN_KEPT = 500


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class ProjectState:
    updated: datetime | None = None
    seen: set[int] = field(default_factory=set)
    issues: dict[int, int] = field(default_factory=dict)  # iid -> last note id handed over (0: none)

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

    def dump(self) -> dict[str, Any]:
        return {
            "updated": iso(self.updated) if self.updated else None,
            "seen": sorted(self.seen)[-SEEN_KEPT:],
            "issues": {str(k): v for k, v in self.issues.items()},
        }

    @classmethod
    def load(cls, raw: Any) -> ProjectState:
        raw = clean.mapping(raw)
        updated = clean.iso_time(raw.get("updated"))
        seen = {i for i in (clean.whole(v, minimum=1) for v in clean.items(raw.get("seen"))) if i is not None}
        issues: dict[int, int] = {}
        for key, value in clean.mapping(raw.get("issues")).items():
            iid, note = clean.whole(key, minimum=1), clean.whole(value, minimum=0)
            if iid is not None and note is not None:
                issues[iid] = note
        return cls(updated=updated.astimezone(UTC) if updated else None, seen=seen, issues=issues)


@dataclass
class Cursor:
    base_url: str
    projects: dict[str, ProjectState]

    def project(self, name: str) -> ProjectState:
        return self.projects.setdefault(name, ProjectState())

    @classmethod
    def load(cls, raw: Any, *, base_url: str) -> Cursor:
        raw = clean.mapping(raw)
        if raw.get("base_url") != base_url:
            return cls(base_url, {})
        projects = {str(k): ProjectState.load(v) for k, v in clean.mapping(raw.get("projects")).items()}
        return cls(base_url, projects)

    def dump(self) -> dict[str, Any]:
        return {
            "version": 1,
            "base_url": self.base_url,
            "projects": {name: state.dump() for name, state in self.projects.items()},
        }
