"""From GitLab payloads to `IncomingMention`s: issues (docs.gitlab.com, "Issues API") and their notes ("Notes
API"), as the API returns them.

A payload is a list of issues (``GET /projects/:id/issues``), a list of notes
(``GET /projects/:id/issues/:iid/notes``, each carrying ``project_id`` and ``noteable_iid``), one issue or one
note, or a list of such lists. Something else is a `PayloadError`; inside one, each item is parsed on its own
(`guard.parse_each`): an item that cannot be read is rejected with its raw payload, the others are kept.

Ids. An issue is ``<project id>/issues/<iid>`` (its iid is what the API and its address use), a note
``<project id>/notes/<note id>``. An issue's thread is itself; a note's thread and parent are its issue, so the
issue's comments follow up on its ticket. System notes (``"system": true``: "changed the label", "closed") are
not mentions; nor are notes on anything but an issue. Confidential issues and internal notes are skipped unless
the channel's ``include_confidential`` says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, nested_items, parse_each

_ID_MAX = 2**63 - 1
_NOT_GITLAB = (
    "expected GitLab issues (GET /projects/:id/issues) or notes (GET /projects/:id/issues/:iid/notes): "
    "a JSON list of them, or one"
)


def whole(value: Any) -> int | None:
    return clean.whole(value, minimum=1, maximum=_ID_MAX)


def moment(value: Any) -> datetime | None:
    found = clean.iso_time(value)
    return found.astimezone(UTC) if found is not None else None


def issue_key(project_id: int, iid: int) -> str:
    return f"{project_id}/issues/{iid}"


def is_issue(item: Any) -> bool:
    return isinstance(item, dict) and "iid" in item and "title" in item and "noteable_type" not in item


def is_note(item: Any) -> bool:
    return isinstance(item, dict) and "noteable_type" in item and "body" in item


@dataclass
class Filters:
    """Which issues and notes a channel wants. Empty keywords and labels: every one."""

    keywords: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    include_confidential: bool = False

    @classmethod
    def of(cls, config: dict[str, Any]) -> Filters:
        return cls(
            keywords=list(config.get("keywords") or []),
            labels=list(config.get("labels") or []),
            include_confidential=bool(config.get("include_confidential", False)),
        )

    def issue_wanted(self, issue: dict[str, Any]) -> bool:
        if issue.get("confidential") is True and not self.include_confidential:
            return False
        labels = {label.casefold() for label in clean.strings(issue.get("labels"), max_length=255)}
        if any(label.casefold() not in labels for label in self.labels):
            return False
        if self.keywords:
            words = f"{clean.line(issue.get('title'), max_length=1000)}\n{clean.text(issue.get('description'))}"
            return any(keyword.casefold() in words.casefold() for keyword in self.keywords)
        return True

    def note_wanted(self, note: dict[str, Any]) -> bool:
        if note.get("system") is True or note.get("noteable_type") != "Issue":
            return False
        hidden = note.get("internal") is True or note.get("confidential") is True
        return self.include_confidential or not hidden


def _author(item: dict[str, Any]) -> dict[str, Any]:
    return clean.mapping(item.get("author"))


def issue_mention(issue: Any) -> IncomingMention:
    if not isinstance(issue, dict):
        raise PayloadError(f"An entry is not an issue object: {clean.preview(issue)}")
    project_id, iid = whole(issue.get("project_id")), whole(issue.get("iid"))
    if project_id is None or iid is None:
        raise PayloadError(f"Issue without a usable project_id and iid: {clean.preview(issue)}")
    created = moment(issue.get("created_at"))
    if created is None:
        raise PayloadError(f"Issue {iid} has no usable created_at ({clean.preview(issue.get('created_at'), 40)}).")
    title = clean.line(issue.get("title"), max_length=clean.TITLE_MAX)
    author = _author(issue)
    key = issue_key(project_id, iid)
    return IncomingMention(
        external_id=key,
        created_at=created,
        text=clean.text(issue.get("description")) or title,
        title=title,
        author_handle=clean.handle(author.get("username")),
        author_name=clean.line(author.get("name")),
        author_url=clean.url(author.get("web_url")),
        permalink=clean.url(issue.get("web_url")),
        thread_id=key,
        raw=issue,
    )


def note_mention(note: Any, *, issue_urls: dict[str, str] | None = None) -> IncomingMention:
    """`issue_urls`: the web address of the issues known, by issue key, for the note's link (``#note_<id>``)."""
    if not isinstance(note, dict):
        raise PayloadError(f"An entry is not a note object: {clean.preview(note)}")
    note_id, project_id, iid = whole(note.get("id")), whole(note.get("project_id")), whole(note.get("noteable_iid"))
    if note_id is None or project_id is None or iid is None:
        raise PayloadError(f"Note without a usable id, project_id and noteable_iid: {clean.preview(note)}")
    created = moment(note.get("created_at"))
    if created is None:
        raise PayloadError(f"Note {note_id} has no usable created_at ({clean.preview(note.get('created_at'), 40)}).")
    author = _author(note)
    issue = issue_key(project_id, iid)
    issue_url = (issue_urls or {}).get(issue, "")
    updated = moment(note.get("updated_at"))
    return IncomingMention(
        external_id=f"{project_id}/notes/{note_id}",
        created_at=created,
        text=clean.text(note.get("body")),
        author_handle=clean.handle(author.get("username")),
        author_name=clean.line(author.get("name")),
        author_url=clean.url(author.get("web_url")),
        permalink=clean.url(f"{issue_url}#note_{note_id}") if issue_url else "",
        parent_id=issue,
        thread_id=issue,
        edited_at=updated if updated is not None and updated > created else None,
        raw=note,
    )


def page_items(payload: Any) -> list[Any]:
    """The issues and notes of a payload, or `PayloadError` when it is neither."""
    return nested_items(payload, _object_items, not_items=_NOT_GITLAB)


def _object_items(payload: dict[str, Any]) -> list[Any] | None:
    if is_issue(payload) or is_note(payload):
        return [payload]
    if "message" in payload or "error" in payload:
        raise PayloadError(f"this is a GitLab error response ({clean.preview(payload)}), not issues or notes.")
    return None


def parse_page(payload: Any, *, filters: Filters | None = None) -> Parsed:
    """Every wanted issue and note of a payload, issues first (a note then joins its issue's ticket)."""
    filters = filters or Filters()
    items = page_items(payload)
    issues = [i for i in items if is_issue(i)]
    notes = [i for i in items if is_note(i)]
    others = [i for i in items if not is_issue(i) and not is_note(i)]
    urls = {
        issue_key(p, n): clean.url(i.get("web_url"))
        for i in issues
        if (p := whole(i.get("project_id"))) is not None and (n := whole(i.get("iid"))) is not None
    }

    def parse_issue(issue: Any) -> IncomingMention | None:
        return issue_mention(issue) if filters.issue_wanted(issue) else None

    def parse_note(note: Any) -> IncomingMention | None:
        return note_mention(note, issue_urls=urls) if filters.note_wanted(note) else None

    def reject(item: Any) -> IncomingMention:
        raise PayloadError(f"Neither a GitLab issue nor a note: {clean.preview(item)}")

    parsed = parse_each(issues, parse_issue, id_keys=("iid", "id"), platform="gitlab")
    notes.sort(key=lambda n: whole(n.get("id")) or 0)
    parsed.extend(parse_each(notes, parse_note, id_keys=("id",), platform="gitlab"))
    parsed.extend(parse_each(others, reject, id_keys=("id",), platform="gitlab"))
    return parsed
