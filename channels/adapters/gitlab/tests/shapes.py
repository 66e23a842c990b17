"""GitLab issues and notes for the tests, built from the documented example responses in `fixtures/`
(SOURCES.md): a copy of the documented object with the fields a test is about replaced, nothing added."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import responses

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://gitlab.example.com"
API = BASE + "/api/v4"
PROJECT = "my-group/my-project"
PROJECT_PATH = "my-group%2Fmy-project"
ISSUES_URL = f"{API}/projects/{PROJECT_PATH}/issues"
CONFIG: dict[str, Any] = {"base_url": BASE, "projects": [PROJECT], "backfill_hours": 24 * 30 * 1}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def issue(iid: int, *, at: str, created: str | None = None, notes: int = 0, **fields: Any) -> dict[str, Any]:
    """The documented issue (`issues_list_docs.json`) as issue `iid` of project 4, touched at `at`."""
    found = copy.deepcopy(load("issues_list_docs.json")[0])
    found.update(
        id=1000 + iid,
        iid=iid,
        updated_at=at,
        created_at=created or at,
        user_notes_count=notes,
        title=f"Runner fails on job {iid}",
        web_url=f"{BASE}/{PROJECT}/-/issues/{iid}",
        **fields,
    )
    return found


def note(note_id: int, iid: int, *, at: str, system: bool = False, username: str = "pipin", **fields: Any) -> dict:
    """The documented note (`notes_list_docs.json`) as note `note_id` on issue `iid` of project 4."""
    found = copy.deepcopy(load("notes_list_docs.json")[0])
    found.update(
        id=note_id,
        body=f"Comment {note_id}",
        created_at=at,
        updated_at=at,
        system=system,
        project_id=4,
        noteable_iid=iid,
        **fields,
    )
    found["author"] = {**found["author"], "username": username}
    return found


def add_issues(items: list[dict], *, headers: dict[str, str] | None = None, **match: str) -> None:
    matcher = [responses.matchers.query_param_matcher(match, strict_match=False)] if match else []
    responses.get(ISSUES_URL, json=items, headers=headers or {}, match=matcher)


def add_notes(iid: int, items: list[dict], *, headers: dict[str, str] | None = None, **match: str) -> None:
    matcher = [responses.matchers.query_param_matcher(match, strict_match=False)] if match else []
    responses.get(f"{ISSUES_URL}/{iid}/notes", json=items, headers=headers or {}, match=matcher)
