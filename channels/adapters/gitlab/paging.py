"""Which issues and notes one poll reads and hands over, per project, in chunks that each carry the cursor just
after them.

``GET /projects/:id/issues?updated_after=<mark>&order_by=updated_at&sort=asc&per_page=100`` lists the project's
issues touched since the mark, oldest touch first; a new comment touches its issue, so this one list finds new
issues and new comments alike. Each issue not handled at the mark already (`ProjectState.skips`) is handled:
an issue the channel wants (`Filters.issue_wanted`) is handed over the first time it is seen, and its notes
(``GET /projects/:id/issues/:iid/notes?sort=asc&order_by=created_at&per_page=100``) after the last one handed
over. Pages follow ``Link: rel="next"`` or ``X-Next-Page``. Each page of issues is one chunk. A walk cut short by
the request budget or the rate limit stops at an issue boundary: the cursor covers only what was handed over,
and the next poll goes on from there.

The first poll of a project reads the issues touched in the last ``backfill_hours``; of an old issue touched in
that window it hands over the issue (the ticket needs it) and only the notes written in the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from ..poll.engine import Page, budgeted
from .client import Client
from .config import project_ref
from .cursor import Cursor, ProjectState, iso
from .parse import Filters, issue_mention, moment, note_mention, whole

PER_PAGE = 100


@dataclass
class _Found:
    """What a page of issues hands over, raw until the page is read (`parsed`)."""

    issues: list[Any] = field(default_factory=list)  # raw issues to hand over
    notes: list[Any] = field(default_factory=list)  # raw notes to hand over
    urls: dict[str, str] = field(default_factory=dict)  # issue key -> web_url, for the notes' links

    def parsed(self, filters: Filters) -> Parsed:
        parsed = parse_each(self.issues, issue_mention, id_keys=("iid", "id"), platform="gitlab")
        notes = parse_each(
            self.notes, lambda n: _note_or_none(n, self.urls, filters), id_keys=("id",), platform="gitlab"
        )
        parsed.extend(notes)
        return parsed


def _note_or_none(note: Any, urls: dict[str, str], filters: Filters) -> IncomingMention | None:
    if isinstance(note, dict) and not filters.note_wanted(note):
        return None  # a system note, an internal one, a note on something else
    return note_mention(note, issue_urls=urls)


class _Incomplete(Exception):
    """An issue's notes could not all be read within the budget: the issue waits for the next poll."""


def _list(data: Any, label: str) -> list[Any]:
    if not isinstance(data, list):
        raise PayloadError(f"GitLab {label}: expected a JSON list, got {clean.preview(data)}")
    return data


def project_streams(
    client: Client, cursor: Cursor, projects: list[str], *, filters: Filters, since: datetime
) -> Iterator[Iterator[Page]]:
    """Each project's pages in turn. A page that leaves more when the client may call no more ends the walk there
    (budget or rate limit): the other projects wait for the next poll."""
    cut = False

    def pages(project: str) -> Iterator[Page]:
        nonlocal cut
        for page in project_pages(client, cursor, project, filters=filters, since=since):
            yield page
            if page.more and not client.can_call():
                cut = True
                return

    for project in projects:
        if cut:
            return
        yield pages(project)


def project_pages(client: Client, cursor: Cursor, project: str, *, filters: Filters, since: datetime) -> Iterator[Page]:
    state = cursor.project(project)
    start = state.updated or since
    query: dict[str, Any] = {"updated_after": iso(start), "order_by": "updated_at", "sort": "asc", "per_page": PER_PAGE}
    if filters.labels:
        query["labels"] = ",".join(filters.labels)
    if not filters.include_confidential:
        query["confidential"] = "false"
    params: dict[str, Any] | None = query
    path = f"/projects/{project_ref(project)}/issues"
    while params is not None:
        page = budgeted(client, client.get, path, params)
        if page is None:
            yield Page(more=True)
            return
        found = _Found()
        reads = 0
        stopped = False
        for issue in _list(page.data, path):
            reads += 1
            try:
                _handle(client, project, state, issue, found, filters=filters, window_start=since)
            except _Incomplete:
                stopped = True
                break
        yield Page(found.parsed(filters), more=stopped or page.next_params is not None, reads=reads)
        if stopped:
            return
        params = page.next_params


def _handle(
    client: Client,
    project: str,
    state: ProjectState,
    issue: Any,
    found: _Found,
    *,
    filters: Filters,
    window_start: datetime,
) -> None:
    fields = clean.mapping(issue)
    issue_id, iid, updated = whole(fields.get("id")), whole(fields.get("iid")), moment(fields.get("updated_at"))
    if issue_id is None or iid is None or updated is None:
        found.issues.append(issue)  # the parser rejects it with its raw payload; the mark does not move
        return
    if state.skips(issue_id, updated):
        return
    if filters.issue_wanted(fields):
        first = iid not in state.issues
        after = state.issues.get(iid, 0)
        notes = []
        if clean.whole(fields.get("user_notes_count"), minimum=0) != 0 or not first:
            notes = _notes(client, project, iid, after=after, since=window_start if first else None)
        if first:
            found.issues.append(issue)
        found.notes.extend(notes)
        url = clean.url(fields.get("web_url"))
        project_id = whole(fields.get("project_id"))
        if url and project_id is not None:
            found.urls[f"{project_id}/issues/{iid}"] = url
        last = max([after, *(whole(clean.mapping(n).get("id")) or 0 for n in notes)])
        state.remember(iid, last)
    state.handled(issue_id, updated)


def _notes(client: Client, project: str, iid: int, *, after: int, since: datetime | None) -> list[Any]:
    """The issue's notes after note `after` (and, for an issue seen the first time, written since `since`)."""
    path = f"/projects/{project_ref(project)}/issues/{iid}/notes"
    params: dict[str, Any] | None = {"sort": "asc", "order_by": "created_at", "per_page": PER_PAGE}
    found: list[Any] = []
    while params is not None:
        page = budgeted(client, client.get, path, params)
        if page is None:
            raise _Incomplete
        for note in _list(page.data, path):
            fields = clean.mapping(note)
            note_id = whole(fields.get("id"))
            created = moment(fields.get("created_at"))
            if note_id is not None and note_id <= after:
                continue
            if since is not None and created is not None and created < since:
                continue
            found.append(note)
        params = page.next_params
    return found
