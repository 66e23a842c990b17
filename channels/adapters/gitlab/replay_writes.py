"""The writes of our connected account to the demo's gitlab.com (replay.py), answered as done
(channels.demo.replay_kit):

- ``POST /api/v4/projects/:id/issues/:iid/notes`` (``body``; "Notes API", "Create new issue note"): 201 and the note
  as ``notes_list_docs.json`` (fixtures/SOURCES.md), on any issue of the project; no ``body`` is Grape's 400.
- ``POST /api/v4/projects/:id/uploads`` (multipart ``file``; "Project markdown uploads"): 201 and ``{"id", "alt",
  "url", "full_path", "markdown"}`` as test_gitlab_reply_images.py has it; no file is a 400.
- ``POST /api/v4/projects/:id/issues`` (``title``, ``description``; "Issues API", "New issue"): 201 and the issue
  as ``issue_new_docs.json``; no title is a 400.

Without the token (``PRIVATE-TOKEN`` or ``Authorization: Bearer``) a write is 401 ``{"message": "401
Unauthorized"}``. A filed issue's iid is above ``MADE_IID``.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from channels.adapters.base import IncomingMention
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay_kit import Answer, Asked, stamp

from .replay import IID_BASE, PROJECT_ID, PROJECT_PATH, _Issue, issue_json, note_json

if TYPE_CHECKING:
    from channels.demo.replay import DemoPosts

TOKEN: str = DEMO_CHANNELS["gitlab"]["account_tokens"]["access_token"]
MADE_IID = 900_000  # an issue filed on the demo: its iid above every week issue's (replay.IID_BASE + index)
_WRITE_RE = re.compile(r"/api/v4/projects/([^/]+)/(?:issues/(\d+)/(notes)|(uploads)|(issues))")
_UNAUTHORIZED = {"message": "401 Unauthorized"}
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def write(asked: Asked, issues: dict[int, _Issue], posts: DemoPosts) -> Answer:
    if TOKEN not in (asked.header("PRIVATE-TOKEN"), asked.header("Authorization")[7:]):
        return 401, _UNAUTHORIZED
    route = _WRITE_RE.fullmatch(asked.path)
    if asked.method != "POST" or route is None:
        return 404, {"error": "404 Not Found"}
    project, iid, notes, uploads, _ = route.groups()
    if unquote(project).casefold() not in (PROJECT_PATH, str(PROJECT_ID)):
        return 404, {"message": "404 Project Not Found"}
    made = stamp(posts.now)
    if notes:
        return noted(asked, issues.get(int(iid)) or _stand_in(int(iid), posts), posts, made)
    if uploads:
        return uploaded(asked, made)
    return filed(asked, posts, made)


def _stand_in(iid: int, posts: DemoPosts) -> _Issue:
    """An issue of the project the week does not have (opened before the demo's week): its number is all a note on
    it needs."""
    return _Issue(iid - IID_BASE, (IncomingMention(external_id="", author_handle="", text="", created_at=posts.now),))


def noted(asked: Asked, issue: _Issue, posts: DemoPosts, stamp: int) -> Answer:
    body = asked.json.get("body")
    if not isinstance(body, str):
        return 400, {"error": "body is missing"}
    if not body.strip():
        return 400, {"message": {"note": ["can't be blank"]}}
    return 201, {**note_json(issue, 0, posts.ours(body)), "id": stamp}


def uploaded(asked: Asked, stamp: int) -> Answer:
    file = asked.parts.get("file")
    if file is None or not file.filename:
        return 400, {"error": "file is invalid"}
    name = _FILE_NAME_UNSAFE.sub("_", file.filename).strip("._") or "file"
    secret = hashlib.md5(file.data + str(stamp).encode(), usedforsecurity=False).hexdigest()
    url = f"/uploads/{secret}/{name}"
    alt = name.rpartition(".")[0] or name
    return 201, {
        "id": stamp % 10_000_000,
        "alt": alt,
        "url": url,
        "full_path": f"/-/project/{PROJECT_ID}/uploads/{secret}/{name}",
        "markdown": f"![{alt}]({url})",
    }


def filed(asked: Asked, posts: DemoPosts, stamp: int) -> Answer:
    sent = asked.json
    title = sent.get("title")
    if not isinstance(title, str) or not title.strip():
        return 400, {"error": "title is missing"}
    description = str(sent.get("description") or "")
    iid = MADE_IID + stamp % 100_000
    return 201, {**issue_json(_Issue(iid - IID_BASE, (posts.ours(description, title=title),))), "id": stamp}
