"""What a GitHub channel remembers between polls (`Channel.cursor`), per repository::

    {"version": 1, "repos": {"octo-org/octo-repo": {
        "issues":      {"mark": "2026-01-21T23:43:09Z", "seen": ["I_kwDO..."], "query": "...", "etag": "W/\\"...\\""},
        "comments":    {"mark": "...", "seen": ["IC_kwDO..."], "query": "...", "etag": "..."},
        "discussions": {"mark": "...", "seen": ["D_kwDO..."], "resume": {"after": "Y3Vy...", "top": "...", "seen": []}},
        "numbers":     {"1136": "MDU6SXNzdWU0NTQ4MjI0MTE="}}}}

A walk's ``mark`` is the newest ``updated_at`` handed over and ``seen`` the node ids handed over at exactly that
instant: the next poll asks ``since=<mark>`` (GitHub counts an item updated at the mark as after it) and skips
those, so nothing updated in the same second is lost and nothing is handed over twice. ``query`` and ``etag`` are
the last list asked and GitHub's ETag for it: asked again unchanged, it goes with ``If-None-Match`` and a 304
costs no rate limit. Discussions are read newest first (GraphQL has no ``since``): ``resume`` is where a walk cut
short goes on, ``top`` the newest ``updatedAt`` of that walk (and ``seen`` the ids updated then), the next mark
once it reaches the old one.
``numbers`` maps each issue handed over (newest last, at most `NUMBERS_KEPT`) to its node id, which a comment
(carrying only the issue's number) needs to join the issue's ticket. A damaged part starts that part again: the
ingest drops what it already has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channels import clean

NUMBERS_KEPT = 2000
SEEN_KEPT = 200


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def moment(value: Any) -> datetime | None:
    found = clean.iso_time(value)
    return found.astimezone(UTC) if found is not None else None


@dataclass
class ListMark:
    """One list walked oldest first (issues, comments) or newest first (discussions). What it skips is decided by
    the mark it started from (`floor`, `floor_seen`), whatever order a page comes in; `mark` moves as it goes."""

    mark: datetime | None = None
    seen: set[str] = field(default_factory=set)
    query: str = ""
    etag: str = ""
    resume: dict[str, Any] = field(default_factory=dict)
    floor: datetime | None = field(default=None, init=False)
    floor_seen: frozenset[str] = field(default=frozenset(), init=False)

    def __post_init__(self) -> None:
        self.floor, self.floor_seen = self.mark, frozenset(self.seen)

    def skips(self, node_id: str, updated: datetime) -> bool:
        """Handed over by an earlier poll: updated before the mark it started from, or at it and seen there."""
        floor = self.floor
        return floor is not None and (updated < floor or (updated == floor and node_id in self.floor_seen))

    def handled(self, node_id: str, updated: datetime) -> None:
        """The item is handed over: the mark moves forward, the ids at the mark are remembered."""
        if self.mark is None or updated > self.mark:
            self.mark, self.seen = updated, {node_id}
        elif updated == self.mark:
            self.seen.add(node_id)

    def dump(self) -> dict[str, Any]:
        found: dict[str, Any] = {"mark": iso(self.mark) if self.mark else None, "seen": sorted(self.seen)[:SEEN_KEPT]}
        if self.query and self.etag:
            found |= {"query": self.query, "etag": self.etag}
        if self.resume:
            found["resume"] = dict(self.resume)
        return found

    @classmethod
    def load(cls, raw: Any) -> ListMark:
        raw = clean.mapping(raw)
        seen = {s for s in (clean.ident(v) for v in clean.items(raw.get("seen"))) if s}
        found = clean.mapping(raw.get("resume"))
        resume: dict[str, Any] = {}
        if clean.ident(found.get("after"), max_length=500) and moment(found.get("top")):
            at_top = [s for s in (clean.ident(v) for v in clean.items(found.get("seen"))) if s][:SEEN_KEPT]
            resume = {"after": clean.ident(found["after"], max_length=500), "top": found["top"], "seen": at_top}
        return cls(
            mark=moment(raw.get("mark")),
            seen=seen,
            query=clean.text(raw.get("query"), max_length=2000),
            etag=clean.line(raw.get("etag"), max_length=200),
            resume=resume,
        )


@dataclass
class RepoState:
    issues: ListMark = field(default_factory=ListMark)
    comments: ListMark = field(default_factory=ListMark)
    discussions: ListMark = field(default_factory=ListMark)
    numbers: dict[int, str] = field(default_factory=dict)  # issue number -> node id

    def remember(self, number: int, node_id: str) -> None:
        self.numbers.pop(number, None)
        self.numbers[number] = node_id
        while len(self.numbers) > NUMBERS_KEPT:
            self.numbers.pop(next(iter(self.numbers)))

    def dump(self) -> dict[str, Any]:
        return {
            "issues": self.issues.dump(),
            "comments": self.comments.dump(),
            "discussions": self.discussions.dump(),
            "numbers": {str(k): v for k, v in self.numbers.items()},
        }

    @classmethod
    def load(cls, raw: Any) -> RepoState:
        raw = clean.mapping(raw)
        numbers: dict[int, str] = {}
        for key, value in clean.mapping(raw.get("numbers")).items():
            number, node = clean.whole(key, minimum=1, maximum=2**31), clean.ident(value)
            if number is not None and node:
                numbers[number] = node
        walks = {name: ListMark.load(raw.get(name)) for name in ("issues", "comments", "discussions")}
        return cls(numbers=numbers, **walks)


@dataclass
class Cursor:
    repos: dict[str, RepoState]

    def repo(self, name: str) -> RepoState:
        for known in self.repos:
            if known.casefold() == name.casefold():
                return self.repos[known]
        return self.repos.setdefault(name, RepoState())

    @classmethod
    def load(cls, raw: Any) -> Cursor:
        repos = clean.mapping(clean.mapping(raw).get("repos"))
        return cls({str(name)[:200]: RepoState.load(state) for name, state in repos.items()})

    def dump(self) -> dict[str, Any]:
        return {"version": 1, "repos": {name: state.dump() for name, state in self.repos.items()}}
