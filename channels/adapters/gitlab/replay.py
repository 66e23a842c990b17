"""gitlab.com's REST API (v4) for the demo (channels.demo.replay_kit says what every replay shares): the week's GitLab
threads as the issues of gitlab-org/gitlab (``PROJECT_ID``, also asked for by its path) and their notes.

Shapes, after docs.gitlab.com's example responses (``tests/fixtures``, SOURCES.md):

- ``GET /api/v4/projects/:id/issues``: as ``issues_list_docs.json`` ("List project issues"), filtered by
  ``updated_after``/``updated_before``/``created_after``/``created_before`` (inclusive), ``labels`` (all),
  ``confidential``, ``state``, ``search``, ordered by ``order_by`` and ``sort`` (default ``created_at`` ``desc``);
  ``.../issues/:iid``: as ``issue_new_docs.json``; ``.../issues/:iid/notes``: as ``notes_list_docs.json``;
  ``GET /api/v4/projects/:id``: the project (test_connection).
- Lists are paged by ``page`` and ``per_page`` (20, at most 100) with the headers of "REST API", "Pagination":
  ``X-Page``, ``X-Per-Page``, ``X-Total``, ``X-Total-Pages``, ``X-Next-Page``, ``X-Prev-Page``, ``Link``.
- 404s: ``{"message": "404 Project Not Found"}`` (another project), ``{"message": "404 Not found"}`` (an issue not
  opened yet), ``{"error": "404 Not Found"}`` (an unknown route). Writes: replay_writes.py.

Thread ``i`` is issue ``IID_BASE + i`` (id ``ISSUE_ID_BASE + i``), its follow-up ``k`` note ``NOTE_ID_BASE + 1000 i +
k``; an issue's ``updated_at`` is its newest post's time, ``labels`` the thread's tags.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import requests

from channels.demo import replay_kit as kit
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

_ROUTE = r"/api/v4/projects/([^/]+)(?:/issues(?:/(\d+)(/notes)?)?)?"
_NOT_FOUND = {"error": "404 Not Found"}
_BOUNDS = ("updated_after", "updated_before", "created_after", "created_before")


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


def _issues(posts: DemoPosts) -> dict[int, _Issue]:
    """The issues opened by now, by iid."""
    found: dict[int, _Issue] = {}
    for thread in posts.threads():
        ordered = tuple(sorted(thread, key=lambda m: kit.place(m.external_id)[1]))
        issue = _Issue(kit.place(ordered[0].external_id)[0], ordered)
        found[issue.iid] = issue
    return found


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> kit.Answer:
    asked = kit.Asked(request)
    if asked.method != "GET":
        from .replay_writes import write  # our account's writes: a module of their own, which imports this one

        return write(asked, _issues(posts), posts)
    route = re.fullmatch(_ROUTE, asked.path)
    if route is None:
        return 404, _NOT_FOUND
    project, iid, notes = unquote(route.group(1)), route.group(2), route.group(3)
    if project.casefold() not in (PROJECT_PATH, str(PROJECT_ID)):
        return 404, {"message": "404 Project Not Found"}
    query, issues = asked.query, _issues(posts)
    descending = query.get("sort", "desc") != "asc"
    by_update = query.get("order_by") == "updated_at"
    if "/issues" not in asked.path:
        return 200, project_json()
    if iid is None:
        chosen = sorted(
            _filtered(issues.values(), query),
            key=lambda i: ((i.updated if by_update else i.created).timestamp(), i.iid),
            reverse=descending,
        )
        return _paged(asked, [issue_json(i) for i in chosen])
    issue = issues.get(int(iid))
    if issue is None:
        return 404, {"message": "404 Not found"}
    if not notes:
        return 200, issue_json(issue)
    made = [note_json(issue, k, post) for k, post in enumerate(issue.posts) if k > 0]
    made.sort(key=lambda n: (n["updated_at" if by_update else "created_at"], n["id"]), reverse=descending)
    return _paged(asked, made)


def _filtered(issues: Any, query: dict[str, str]) -> list[_Issue]:
    bounds = {key: kit.moment_of(query.get(key)) for key in _BOUNDS}
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


def _paged(asked: kit.Asked, items: list[Any]) -> kit.Answer:
    """One page of `items` with GitLab's offset-pagination headers."""
    per_page = kit.limit_of(asked.query.get("per_page"), PER_PAGE_DEFAULT, PER_PAGE_MAX)
    shown, page, pages = kit.numbered_page(items, kit.whole(asked.query.get("page")), per_page)
    rels = [("prev", page - 1)] if page > 1 else []
    rels += [("next", page + 1)] if page < pages else []
    rels += [("first", 1), ("last", pages)]
    links = [(rel, {"page": n, "per_page": per_page}) for rel, n in rels]
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Total": str(len(items)),
        "X-Total-Pages": str(pages),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
        "Link": kit.link_header(WEB + asked.path, asked.query, links),
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
        "created_at": kit.zulu(issue.created),
        "updated_at": kit.zulu(issue.updated),
        "labels": _labels(issue.index),
        "assignees": [],
        "author": _user(opening.author_handle),
        "type": "ISSUE",
        "user_notes_count": len(issue.posts) - 1,
        **kit.fixed("closed_at closed_by milestone assignee due_date discussion_locked moved_to_id"),
        "service_desk_reply_to": None,
        **kit.fixed("merge_requests_count upvotes downvotes", 0),
        **kit.fixed("confidential has_tasks", False),
        "issue_type": "issue",
        "web_url": issue.web_url,
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "task_completion_status": {"count": 0, "completed_count": 0},
        "_links": {
            "self": api,
            "notes": f"{api}/notes",
            "award_emoji": f"{api}/award_emoji",
            "project": f"{API}/projects/{PROJECT_ID}",
        },
        "references": {"short": f"#{issue.iid}", "relative": f"#{issue.iid}", "full": f"{PROJECT_PATH}#{issue.iid}"},
        "severity": "UNKNOWN",
    }


def note_json(issue: _Issue, k: int, post: IncomingMention) -> dict[str, Any]:
    at = kit.zulu(post.created_at)
    return {
        "id": NOTE_ID_BASE + 1000 * issue.index + k,
        "body": post.text,
        "author": _user(post.author_handle),
        "created_at": at,
        "updated_at": at,
        "noteable_id": ISSUE_ID_BASE + issue.index,
        "noteable_type": "Issue",
        "project_id": PROJECT_ID,
        "noteable_iid": issue.iid,
        **kit.fixed("type attachment"),
        **kit.fixed("system resolvable confidential internal imported", False),
        "commands_changes": {},
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
