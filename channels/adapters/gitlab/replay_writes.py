"""What the demo's gitlab.com (replay.py) answers to the writes of our connected account, as GitLab answers them when
they are done; nothing is kept (the next poll serves the week as before).

The sends of the adapter (reply.py, media.py, issues.py) and the shapes followed:

- ``POST /api/v4/projects/:id/issues/:iid/notes`` with ``body`` (docs.gitlab.com, "Notes API", "Create new issue
  note"): 201 and the note, in the fields of the documented ``notes_list_docs.json`` (fixtures/SOURCES.md), by our
  account. A note on any issue of the project is taken (the real project has far more issues than the week); a
  missing ``body`` is Grape's 400 ``{"error": "body is missing"}``.
- ``POST /api/v4/projects/:id/uploads`` (multipart ``file``; "Project markdown uploads", "Upload a file"): 201 and
  ``{"id", "alt", "url": "/uploads/<32 hex>/<name>", "full_path": "/-/project/<id>/uploads/<32 hex>/<name>",
  "markdown"}``, as the reply-image tests (test_gitlab_reply_images.py) have it; no file is a 400.
- ``POST /api/v4/projects/:id/issues`` with ``title`` and ``description`` ("Issues API", "New issue"): 201 and
  the issue, in the fields of ``issue_new_docs.json``; no title is a 400 ``{"error": "title is missing"}``.

Without the token (``PRIVATE-TOKEN``, or ``Authorization: Bearer``: the demo spec's ``account_tokens``) a write
is GitLab's 401 ``{"message": "401 Unauthorized"}``; another project is ``{"message": "404 Project Not Found"}``.
What is made here has the millisecond it was made as its id (an issue's iid: above ``MADE_IID``), above every id
of the week (replay.py), so a later poll never takes a week note for our reply.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import requests

from channels.adapters.base import IncomingMention
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.router import form_parts, sent_json

from .replay import IID_BASE, PROJECT_ID, PROJECT_PATH, _Issue, issue_json, note_json

if TYPE_CHECKING:
    from channels.demo.replay import DemoPosts

TOKEN: str = DEMO_CHANNELS["gitlab"]["account_tokens"]["access_token"]
MADE_IID = 900_000  # an issue filed on the demo: its iid above every week issue's (replay.IID_BASE + index)
_WRITE_RE = re.compile(r"/api/v4/projects/([^/]+)/(?:issues/(\d+)/(notes)|(uploads)|(issues))")
_UNAUTHORIZED = {"message": "401 Unauthorized"}
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

Answer = tuple[int, Any]


def write(request: requests.PreparedRequest, issues: dict[int, _Issue], posts: DemoPosts) -> Answer:
    if not _authorised(request):
        return 401, _UNAUTHORIZED
    route = _WRITE_RE.fullmatch(urlsplit(request.url or "").path)
    if request.method != "POST" or route is None:
        return 404, {"error": "404 Not Found"}
    project, iid, notes, uploads, _ = route.groups()
    if unquote(project).casefold() not in (PROJECT_PATH, str(PROJECT_ID)):
        return 404, {"message": "404 Project Not Found"}
    stamp = int(posts.now.timestamp() * 1000)
    if notes:
        return noted(request, issues.get(int(iid)) or _stand_in(int(iid), posts), posts, stamp)
    if uploads:
        return uploaded(request, stamp)
    return filed(request, posts, stamp)


def _authorised(request: requests.PreparedRequest) -> bool:
    return TOKEN in (request.headers.get("PRIVATE-TOKEN"), (request.headers.get("Authorization") or "")[7:])


def _stand_in(iid: int, posts: DemoPosts) -> _Issue:
    """An issue of the project the week does not have (opened before the demo's week): its number is all a note on
    it needs."""
    return _Issue(iid - IID_BASE, (IncomingMention(external_id="", author_handle="", text="", created_at=posts.now),))


def noted(request: requests.PreparedRequest, issue: _Issue, posts: DemoPosts, stamp: int) -> Answer:
    body = sent_json(request.body).get("body")
    if not isinstance(body, str):
        return 400, {"error": "body is missing"}
    if not body.strip():
        return 400, {"message": {"note": ["can't be blank"]}}
    mention = IncomingMention(external_id="", author_handle=posts.our_account, text=body, created_at=posts.now)
    return 201, {**note_json(issue, 0, mention), "id": stamp}


def uploaded(request: requests.PreparedRequest, stamp: int) -> Answer:
    file = form_parts(request).get("file")
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


def filed(request: requests.PreparedRequest, posts: DemoPosts, stamp: int) -> Answer:
    sent = sent_json(request.body)
    title = sent.get("title")
    if not isinstance(title, str) or not title.strip():
        return 400, {"error": "title is missing"}
    description = str(sent.get("description") or "")
    iid = MADE_IID + stamp % 100_000
    opening = IncomingMention(
        external_id="", author_handle=posts.our_account, text=description, created_at=posts.now, title=title
    )
    return 201, {**issue_json(_Issue(iid - IID_BASE, (opening,))), "id": stamp}
