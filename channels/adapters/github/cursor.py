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

from dataclasses import field
from datetime import UTC, datetime
from typing import Any

from channels import clean

from ..poll.stored import Reading, Stored, ident, kept, keyed, line, nested

NUMBERS_KEPT = 2000
SEEN_KEPT = 200


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def moment(value: Any) -> datetime | None:
    found = clean.iso_time(value)
    return found.astimezone(UTC) if found is not None else None


def _resume(raw: Any) -> dict[str, Any]:
    found = clean.mapping(raw)
    if not (clean.ident(found.get("after"), max_length=500) and moment(found.get("top"))):
        return {}
    at_top = [s for s in (clean.ident(v) for v in clean.items(found.get("seen"))) if s][:SEEN_KEPT]
    return {"after": clean.ident(found["after"], max_length=500), "top": found["top"], "seen": at_top}


class ListMark(Stored):
    """One list walked oldest first (issues, comments) or newest first (discussions). What it skips is decided by
    the mark it started from (`floor`, `floor_seen`), whatever order a page comes in; `mark` moves as it goes."""

    mark: datetime | None = kept(Reading(moment, iso), default=None)
    seen: set[str] = kept(
        Reading(
            lambda raw: {s for s in (clean.ident(v) for v in clean.items(raw)) if s},
            lambda seen: sorted(seen)[:SEEN_KEPT],
        ),
        default_factory=set,
    )
    query: str = kept(Reading(lambda raw: clean.text(raw, max_length=2000)), default="")
    etag: str = kept(line(max_length=200), default="")
    resume: dict[str, Any] = kept(Reading(_resume), default_factory=dict, optional=True)
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
        found = super().dump()
        if not (self.query and self.etag):  # the list asked is kept with GitHub's ETag for it, or not at all
            del found["query"], found["etag"]
        return found


class RepoState(Stored):
    issues: ListMark = kept(nested(ListMark), default_factory=ListMark)
    comments: ListMark = kept(nested(ListMark), default_factory=ListMark)
    discussions: ListMark = kept(nested(ListMark), default_factory=ListMark)
    numbers: dict[int, str] = kept(  # issue number -> node id
        keyed(ident(), key=lambda number: clean.whole(number, minimum=1, maximum=2**31)), default_factory=dict
    )

    def remember(self, number: int, node_id: str) -> None:
        self.numbers.pop(number, None)
        self.numbers[number] = node_id
        while len(self.numbers) > NUMBERS_KEPT:
            self.numbers.pop(next(iter(self.numbers)))


class Cursor(Stored):
    VERSION = 1
    repos: dict[str, RepoState] = kept(keyed(nested(RepoState), key=lambda name: str(name)[:200]), default_factory=dict)

    def repo(self, name: str) -> RepoState:
        for known in self.repos:
            if known.casefold() == name.casefold():
                return self.repos[known]
        return self.repos.setdefault(name, RepoState())
