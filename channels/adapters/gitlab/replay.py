"""gitlab.com's REST API (v4) for the demo desk (channels.demo.replay): the demo week's GitLab threads answered as
the issues of the demo channel's project and their notes, so the demo channel is polled through the real adapter
(``updated_after`` and its inclusive mark, the pages, the per-issue note cursor, the parser, intake).

Endpoints, each in the shape of GitLab's documented example responses (``tests/fixtures``, SOURCES.md):

- ``GET /api/v4/projects/:id/issues``: the issues as ``issues_list_docs.json`` (docs.gitlab.com, "Issues API",
  "List project issues"), filtered by ``updated_after`` / ``updated_before`` / ``created_after`` /
  ``created_before`` (inclusive), ``labels`` (all of them), ``confidential``, ``state`` and ``search``, ordered by
  ``order_by`` (``created_at`` or ``updated_at``) and ``sort`` (default ``created_at`` ``desc``).
- ``GET /api/v4/projects/:id/issues/:iid``: one issue, as ``issue_new_docs.json``.
- ``GET /api/v4/projects/:id/issues/:iid/notes``: its notes as ``notes_list_docs.json`` ("Notes API", "List
  project issue notes"), ``sort`` / ``order_by`` honoured (default ``created_at`` ``desc``).
- ``GET /api/v4/projects/:id``: the project (the adapter's test_connection reads ``name_with_namespace``).

Our connected account's writes (a note, an image upload, an issue filed from the desk) are answered as done and
kept nowhere by ``replay_writes.py``, which says which shapes it follows.

Lists are paged by ``page`` and ``per_page`` (default 20, at most 100) with the headers docs.gitlab.com documents
("REST API", "Pagination"): ``X-Page``, ``X-Per-Page``, ``X-Total``, ``X-Total-Pages``, ``X-Next-Page``,
``X-Prev-Page`` (empty on the last / first page) and ``Link`` (rel="next", "prev", "first", "last"). Anything
else is GitLab's 404: ``{"message": "404 Project Not Found"}`` for another project, ``{"message": "404 Not
found"}`` for an issue not opened yet, ``{"error": "404 Not Found"}`` for an unknown route or method.

Ids (stable between polls: from the thread's index in channels.demo.week and the post's place in it): the project
is gitlab-org/gitlab (id ``PROJECT_ID``, also asked for by its path); thread ``i`` is issue ``IID_BASE + i`` (global
id ``ISSUE_ID_BASE + i``), its follow-up ``k`` note ``NOTE_ID_BASE + 1000 i + k``. An issue's ``updated_at`` is its
newest post's time by now (a comment touches its issue), ``user_notes_count`` its notes by now, ``labels`` the
thread's tags. Notes by ``posts.our_account`` are ordinary notes of that user: the channel's ``our_accounts``
make them our replies.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import requests

from channels.demo.week import THREADS

if TYPE_CHECKING:
    from channels.adapters.base import IncomingMention
    from channels.demo.replay import DemoPosts

HOSTS = ("gitlab.com",)
WEB = "https://gitlab.com"
API = f"{WEB}/api/v4"
PROJECT_PATH = "gitlab-org/gitlab"
PROJECT_ID = 278964
IID_BASE = 580_000
ISSUE_ID_BASE = 176_000_000
NOTE_ID_BASE = 2_950_000_000
PER_PAGE_DEFAULT, PER_PAGE_MAX = 20, 100

_ID_RE = re.compile(r"demo-[a-z]+-(\d+)(?:-(\d+))?")
_ROUTE_RE = re.compile(r"/api/v4/projects/([^/]+)(?:/issues(?:/(\d+)(/notes)?)?)?")
_NOT_FOUND = {"error": "404 Not Found"}

Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]


@dataclass(frozen=True)
class _Issue:
    index: int  # the thread's index in THREADS
    posts: tuple[IncomingMention, ...]  # opening post first

    @property
    def iid(self) -> int:
        return IID_BASE + self.index

    @property
    def created(self) -> datetime:
        return self.posts[0].created_at

    @property
    def updated(self) -> datetime:
        return max(p.created_at for p in self.posts)

    @property
    def web_url(self) -> str:
        return f"{WEB}/{PROJECT_PATH}/-/issues/{self.iid}"


def _place(external_id: str) -> tuple[int, int]:
    """(thread index, follow-up number) of a demo post's external id ("demo-gitlab-16-1" -> (16, 1))."""
    match = _ID_RE.fullmatch(external_id)
    if match is None:
        raise ValueError(f"not a demo post id: {external_id!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def _issues(posts: DemoPosts) -> dict[int, _Issue]:
    """The issues opened by now, by iid."""
    found: dict[int, _Issue] = {}
    for thread in posts.threads():
        ordered = tuple(sorted(thread, key=lambda m: _place(m.external_id)[1]))
        issue = _Issue(_place(ordered[0].external_id)[0], ordered)
        found[issue.iid] = issue
    return found


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> Answer:
    parts = urlsplit(request.url or "")
    if request.method != "GET":
        from .replay_writes import write  # our account's writes: a module of their own, which imports this one

        return write(request, _issues(posts), posts)
    route = _ROUTE_RE.fullmatch(parts.path)
    if route is None:
        return 404, _NOT_FOUND
    project, iid, notes = unquote(route.group(1)), route.group(2), route.group(3)
    if project.casefold() not in (PROJECT_PATH, str(PROJECT_ID)):
        return 404, {"message": "404 Project Not Found"}
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    issues = _issues(posts)
    if "/issues" not in parts.path:
        return 200, project_json()
    if iid is None:
        chosen = sorted(_filtered(issues.values(), query), key=_order(query, ("created_at", "updated_at")))
        return _paged(parts.path, query, [issue_json(i) for i in chosen])
    issue = issues.get(int(iid))
    if issue is None:
        return 404, {"message": "404 Not found"}
    if not notes:
        return 200, issue_json(issue)
    made = [note_json(issue, k, post) for k, post in enumerate(issue.posts) if k > 0]
    made.sort(key=lambda n: (n[_order_field(query, ("created_at", "updated_at"))], n["id"]))
    if query.get("sort", "desc") != "asc":
        made.reverse()
    return _paged(parts.path, query, made)


def _filtered(issues: Any, query: dict[str, str]) -> list[_Issue]:
    bounds = {
        key: _time(query.get(key)) for key in ("updated_after", "updated_before", "created_after", "created_before")
    }
    labels = [label.strip().casefold() for label in query.get("labels", "").split(",") if label.strip()]
    wanted = []
    for issue in issues:
        tags = {t.casefold() for t in _labels(issue.index)}
        if (
            (bounds["updated_after"] and issue.updated < bounds["updated_after"])
            or (bounds["updated_before"] and issue.updated > bounds["updated_before"])
            or (bounds["created_after"] and issue.created < bounds["created_after"])
            or (bounds["created_before"] and issue.created > bounds["created_before"])
            or any(label not in tags for label in labels if label not in ("any", "none"))
            or query.get("confidential") == "true"  # the demo's issues are all public
            or query.get("state", "all") not in ("all", "opened")
            or query.get("search", "").casefold() not in f"{issue.posts[0].title}\n{issue.posts[0].text}".casefold()
        ):
            continue
        wanted.append(issue)
    return wanted


def _order_field(query: dict[str, str], fields: tuple[str, ...]) -> str:
    field = query.get("order_by", "")
    return field if field in fields else fields[0]


def _order(query: dict[str, str], fields: tuple[str, ...]) -> Any:
    field, descending = _order_field(query, fields), query.get("sort", "desc") != "asc"

    def key(issue: _Issue) -> tuple[float, int]:
        moment = (issue.updated if field == "updated_at" else issue.created).timestamp()
        return (-moment, -issue.iid) if descending else (moment, issue.iid)

    return key


def _paged(path: str, query: dict[str, str], items: list[Any]) -> Answer:
    """One page of `items` with GitLab's offset-pagination headers."""
    per_page = min(max(_whole(query.get("per_page")) or PER_PAGE_DEFAULT, 1), PER_PAGE_MAX)
    page = max(_whole(query.get("page")) or 1, 1)
    pages = max(math.ceil(len(items) / per_page), 1)
    shown = items[(page - 1) * per_page : page * per_page]

    def link(number: int) -> str:
        return f"{WEB}{path}?{urlencode({**query, 'page': number, 'per_page': per_page})}"

    rels = [(page - 1, "prev")] if page > 1 else []
    rels += [(page + 1, "next")] if page < pages else []
    rels += [(1, "first"), (pages, "last")]
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Total": str(len(items)),
        "X-Total-Pages": str(pages),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
        "Link": ", ".join(f'<{link(n)}>; rel="{rel}"' for n, rel in rels),
    }
    return 200, shown, headers


def _labels(index: int) -> list[str]:
    """The thread's tags (none for a thread not in the week: the tests' own)."""
    return list(THREADS[index].tags) if index < len(THREADS) else []


def _user(handle: str) -> dict[str, Any]:
    return {
        "id": 9_000_000 + zlib.crc32(handle.casefold().encode()) % 1_000_000,
        "username": handle,
        "name": handle,
        "state": "active",
        "locked": False,
        "avatar_url": f"{WEB}/uploads/-/system/user/avatar/{handle}/avatar.png",
        "web_url": f"{WEB}/{handle}",
    }


def issue_json(issue: _Issue) -> dict[str, Any]:
    opening = issue.posts[0]
    issue_id = ISSUE_ID_BASE + issue.index
    api = f"{API}/projects/{PROJECT_ID}/issues/{issue.iid}"
    return {
        "id": issue_id,
        "iid": issue.iid,
        "project_id": PROJECT_ID,
        "title": opening.title,
        "description": opening.text,
        "state": "opened",
        "created_at": _iso(issue.created),
        "updated_at": _iso(issue.updated),
        "closed_at": None,
        "closed_by": None,
        "labels": _labels(issue.index),
        "milestone": None,
        "assignees": [],
        "author": _user(opening.author_handle),
        "type": "ISSUE",
        "assignee": None,
        "user_notes_count": len(issue.posts) - 1,
        "merge_requests_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "due_date": None,
        "confidential": False,
        "discussion_locked": None,
        "issue_type": "issue",
        "web_url": issue.web_url,
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_tasks": False,
        "_links": {
            "self": api,
            "notes": f"{api}/notes",
            "award_emoji": f"{api}/award_emoji",
            "project": f"{API}/projects/{PROJECT_ID}",
        },
        "references": {"short": f"#{issue.iid}", "relative": f"#{issue.iid}", "full": f"{PROJECT_PATH}#{issue.iid}"},
        "severity": "UNKNOWN",
        "moved_to_id": None,
        "service_desk_reply_to": None,
    }


def note_json(issue: _Issue, k: int, post: IncomingMention) -> dict[str, Any]:
    at = _iso(post.created_at)
    return {
        "id": NOTE_ID_BASE + 1000 * issue.index + k,
        "type": None,
        "body": post.text,
        "attachment": None,
        "author": _user(post.author_handle),
        "created_at": at,
        "updated_at": at,
        "system": False,
        "noteable_id": ISSUE_ID_BASE + issue.index,
        "noteable_type": "Issue",
        "project_id": PROJECT_ID,
        "resolvable": False,
        "confidential": False,
        "internal": False,
        "noteable_iid": issue.iid,
        "commands_changes": {},
        "imported": False,
        "imported_from": "none",
    }


def project_json() -> dict[str, Any]:
    return {
        "id": PROJECT_ID,
        "name": "GitLab",
        "name_with_namespace": "GitLab.org / GitLab",
        "path": "gitlab",
        "path_with_namespace": PROJECT_PATH,
        "web_url": f"{WEB}/{PROJECT_PATH}",
        "default_branch": "master",
        "visibility": "public",
    }


def _time(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def _whole(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
