"""api.github.com for the demo desk (channels.demo.replay): the demo week's GitHub threads answered as the issues and
discussions of the demo channel's repository, so the demo channel is polled through the real adapter (``since``
marks, ``Link`` pages, ETags and 304s, the GraphQL walk, the parser, intake).

The week's GitHub threads alternate: the first is an issue, the second a discussion, and so on. Shapes follow the
recorded responses in ``tests/fixtures`` (SOURCES.md):

- ``GET /repos/{owner}/{repo}``: the repository (``full_name``, ``private``), for test_connection.
- ``GET /repos/{owner}/{repo}/issues``: the issues as ``issues_with_pulls.json`` (PyGithub's recording), with
  ``since`` (updated at or after), ``sort`` (``created`` or ``updated``), ``direction``, ``per_page`` (default 30,
  at most 100) and ``page``; ``Link`` rel="next"/"last" as ``issues_page1.json`` (octokit/fixtures) has them.
- ``GET /repos/{owner}/{repo}/issues/comments`` and ``.../issues/{number}/comments``: comments as
  ``issue_comments_page1.json``, the same parameters; ``.../issues/{number}``: one issue.
- ``POST /graphql``: ``repository.discussions`` (newest updated first, ``first``/``after``, ``pageInfo``) and
  ``repository.discussion(number)``, the nodes as the adapter's query selects them (``discussions_page.json``).

Writes, as the adapter's sends call them (`reply.py`), answered as done in GitHub's documented shapes (docs.github.com
rest/issues/comments "Create an issue comment", rest/reactions, graphql mutations) and kept nowhere: ``POST
.../issues/{number}/comments`` (201, the comment as our account's), ``POST .../issues/{number}/reactions`` and
``.../issues/comments/{id}/reactions`` (201, the reaction), ``DELETE .../issues/comments/{id}`` (204), and the
mutations ``addDiscussionComment``, ``addReaction`` and ``deleteDiscussionComment``.

Every REST answer carries an ``ETag`` (a digest of its body) and GitHub's ``x-ratelimit-*`` headers; a request
whose ``If-None-Match`` is the ETag is answered 304 with no body. Anything else is GitHub's 404 (``{"message":
"Not Found", ...}``). Posts by ``posts.our_account`` are written by that login (``author_association``
``MEMBER``); the channel's ``our_accounts`` make them our replies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import time
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

if TYPE_CHECKING:
    from channels.adapters.base import IncomingMention
    from channels.demo.replay import DemoPosts

HOSTS = ("api.github.com",)
API = "https://api.github.com"
WEB = "https://github.com"
REPO = "gitlabhq/terraform-provider-gitlab"
REPO_ID = 91_000_123
NUMBER_BASE = 6_000
COMMENT_ID_BASE = 2_400_000_000
_NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
_ID_RE = re.compile(r"demo-[a-z]+-(\d+)(?:-(\d+))?")
_ROUTE_RE = re.compile(r"/repos/([^/]+/[^/]+)(?:/issues(?:/(comments|\d+)(/comments)?)?)?")
_WRITE_RE = re.compile(r"/repos/([^/]+/[^/]+)/issues/(?:(\d+)/(comments|reactions)|comments/(\d+)(/reactions)?)")

Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]


def _place(external_id: str) -> tuple[int, int]:
    """(thread index, follow-up number) of a demo post's id ("demo-github-40-1" -> (40, 1))."""
    match = _ID_RE.fullmatch(external_id)
    if match is None:
        raise ValueError(f"not a demo post id: {external_id!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def _threads(posts: DemoPosts) -> list[tuple[int, bool, list[IncomingMention]]]:
    """(thread index, is a discussion, posts opening first) of the threads opened by now. A thread's kind is its place
    among the week's threads of the kind, opened or not: the first an issue, the second a discussion, and so on."""
    from channels.demo.week import THREADS

    week = [i for i, t in enumerate(THREADS) if t.kind == posts.kind]
    found = []
    for thread in posts.threads():
        ordered = sorted(thread, key=lambda m: _place(m.external_id)[1])
        index = _place(ordered[0].external_id)[0]
        position = week.index(index) if index in week else index
        found.append((index, position % 2 == 1, ordered))
    return sorted(found, key=lambda found: found[0])


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> Answer:
    parts = urlsplit(request.url or "")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    threads = _threads(posts)
    if request.method == "POST" and parts.path == "/graphql":
        sent = json.loads(request.body or b"{}")
        if str(sent.get("query", "")).lstrip().startswith("mutation"):
            return 200, mutation(sent, posts), _limits("graphql")
        return 200, graphql(sent, threads, posts), _limits("graphql")
    if request.method in ("POST", "DELETE"):
        return write(request, parts.path, posts)
    route = _ROUTE_RE.fullmatch(parts.path)
    if request.method != "GET" or route is None or route.group(1).casefold() != REPO:
        return 404, _NOT_FOUND
    section, comments = route.group(2), route.group(3)
    issues = {NUMBER_BASE + i: t for i, discussion, t in threads if not discussion}
    if parts.path == f"/repos/{route.group(1)}":
        return _rest(request, {"id": REPO_ID, "full_name": REPO, "private": False, "html_url": f"{WEB}/{REPO}"})
    if section is None:
        items = [issue_json(n, t, posts) for n, t in issues.items()]
    elif section == "comments":
        items = [comment_json(n, t, k, posts) for n, t in issues.items() for k in range(1, len(t))]
    elif int(section) not in issues:
        return 404, _NOT_FOUND
    elif not comments:
        return _rest(request, issue_json(int(section), issues[int(section)], posts))
    else:
        thread = issues[int(section)]
        items = [comment_json(int(section), thread, k, posts) for k in range(1, len(thread))]
    return _listed(request, parts.path, query, items)


def _listed(request: requests.PreparedRequest, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> Answer:
    since = _time(query.get("since"))
    field = "updated_at" if query.get("sort") == "updated" else "created_at"
    chosen = [i for i in items if since is None or i["updated_at"] >= _iso(since)]
    chosen.sort(key=lambda i: (i[field], i["id"]), reverse=query.get("direction", "desc") != "asc")
    per_page = min(max(_whole(query.get("per_page")) or 30, 1), 100)
    page = max(_whole(query.get("page")) or 1, 1)
    pages = max(math.ceil(len(chosen) / per_page), 1)
    links = [(page + 1, "next"), (pages, "last")] if page < pages else []
    link = ", ".join(f'<{API}{path}?{urlencode({**query, "page": n})}>; rel="{rel}"' for n, rel in links)
    status, body, headers = _rest(request, chosen[(page - 1) * per_page : page * per_page])
    return status, body, {**headers, **({"Link": link} if link else {})}


def _rest(request: requests.PreparedRequest, body: Any) -> tuple[int, Any, dict[str, str]]:
    etag = 'W/"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
    headers = {**_limits("core"), "ETag": etag}
    if request.headers.get("If-None-Match") == etag:
        return 304, b"", headers
    return 200, body, headers


def write(request: requests.PreparedRequest, path: str, posts: DemoPosts) -> Answer:
    """A comment, a reaction or a deletion by our account, answered as GitHub does when it is done."""
    route = _WRITE_RE.fullmatch(path)
    if route is None or route.group(1).casefold() != REPO:
        return 404, _NOT_FOUND
    number, part, comment_id, reactions = route.groups()[1:]
    headers = _limits("core")
    if request.method == "DELETE":
        return (204, b"", headers) if comment_id and not reactions else (404, _NOT_FOUND)
    sent = json.loads(request.body or b"{}")
    now = _iso(datetime.now(tz=UTC))
    if part == "comments":
        if not str(sent.get("body") or "").strip():
            return 422, {"message": "Validation Failed", "errors": [{"field": "body", "code": "missing_field"}]}
        new_id = COMMENT_ID_BASE + 900_000_000 + int(time.time() * 1000) % 99_999_999
        comment = {
            "url": f"{API}/repos/{REPO}/issues/comments/{new_id}",
            "html_url": f"{WEB}/{REPO}/issues/{number}#issuecomment-{new_id}",
            "issue_url": f"{API}/repos/{REPO}/issues/{number}",
            "id": new_id,
            "node_id": f"IC_kwDOdemo{new_id}",
            "user": _user(posts.our_account),
            "created_at": now,
            "updated_at": now,
            "author_association": "MEMBER",
            "body": sent["body"],
        }
        return 201, comment, headers
    reaction_id = 140_000_000 + int(time.time()) % 9_999_999
    reaction = {"id": reaction_id, "node_id": f"REA_demo{reaction_id}", "user": _user(posts.our_account)}
    return 201, {**reaction, "content": sent.get("content") or "+1", "created_at": now}, headers


def mutation(body: dict[str, Any], posts: DemoPosts) -> Any:
    """The discussion's writes: a comment (or a reply to one), a reaction, a deletion, each answered as done."""
    query, given = str(body.get("query", "")), (body.get("variables") or {}).get("input") or {}
    now = _iso(datetime.now(tz=UTC))
    if "addDiscussionComment" in query:
        node = f"DC_kwDOdemo{int(time.time() * 1000)}"
        author = {"login": posts.our_account, "url": f"{WEB}/{posts.our_account}"}
        url = f"{WEB}/{REPO}/discussions#discussioncomment-{node}"
        comment = {"id": node, "url": url, "createdAt": now, "body": given.get("body", ""), "author": author}
        return {"data": {"addDiscussionComment": {"comment": comment}}}
    if "addReaction" in query:
        reaction = {"content": given.get("content", "THUMBS_UP")}
        return {"data": {"addReaction": {"reaction": reaction, "subject": {"id": given.get("subjectId")}}}}
    if "deleteDiscussionComment" in query:
        return {"data": {"deleteDiscussionComment": {"comment": {"id": given.get("id")}}}}
    return {"errors": [{"type": "NOT_FOUND", "message": "The demo answers no such mutation"}]}


def _limits(resource: str) -> dict[str, str]:
    reset = (int(time.time()) // 3600 + 1) * 3600
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4990",
        "x-ratelimit-used": "10",
        "x-ratelimit-reset": str(reset),
        "x-ratelimit-resource": resource,
    }


def graphql(body: dict[str, Any], threads: list[tuple[int, bool, list[IncomingMention]]], posts: DemoPosts) -> Any:
    query, variables = str(body.get("query", "")), body.get("variables") or {}
    if f"{variables.get('owner')}/{variables.get('name')}".casefold() != REPO:
        return {
            "data": {"repository": None},
            "errors": [{"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}],
        }
    found = [discussion_json(NUMBER_BASE + i, t, posts) for i, discussion, t in threads if discussion]
    if "discussion(number" in query:
        one = next((d for d in found if d["number"] == variables.get("number")), None)
        return {"data": {"repository": {"discussion": one}}}
    found.sort(key=lambda d: (d["updatedAt"], d["number"]), reverse=True)
    start = int(base64.b64decode(variables["after"]).decode()) if variables.get("after") else 0
    first = int(variables.get("first") or 10)
    shown = found[start : start + first]
    cursor = base64.b64encode(str(start + len(shown)).encode()).decode()
    info = {"hasNextPage": start + first < len(found), "endCursor": cursor if shown else None}
    return {"data": {"repository": {"discussions": {"pageInfo": info, "nodes": shown}}}}


def _user(login: str) -> dict[str, Any]:
    user_id = 70_000_000 + zlib.crc32(login.casefold().encode()) % 1_000_000
    return {
        "login": login,
        "id": user_id,
        "node_id": f"U_demo{user_id}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "html_url": f"{WEB}/{login}",
        "type": "User",
        "site_admin": False,
    }


def _association(post: IncomingMention, posts: DemoPosts) -> str:
    return "MEMBER" if post.author_handle == posts.our_account else "NONE"


def issue_json(number: int, thread: list[IncomingMention], posts: DemoPosts) -> dict[str, Any]:
    opening, api = thread[0], f"{API}/repos/{REPO}/issues/{number}"
    return {
        "url": api,
        "repository_url": f"{API}/repos/{REPO}",
        "comments_url": f"{api}/comments",
        "html_url": f"{WEB}/{REPO}/issues/{number}",
        "id": 2_500_000_000 + number,
        "node_id": f"I_kwDOdemo{number}",
        "number": number,
        "title": opening.title,
        "user": _user(opening.author_handle),
        "labels": [],
        "state": "open",
        "locked": False,
        "assignees": [],
        "comments": len(thread) - 1,
        "created_at": _iso(opening.created_at),
        "updated_at": _iso(max(p.created_at for p in thread)),
        "closed_at": None,
        "author_association": _association(opening, posts),
        "body": opening.text,
        "timeline_url": f"{api}/timeline",
        "state_reason": None,
    }


def comment_json(number: int, thread: list[IncomingMention], k: int, posts: DemoPosts) -> dict[str, Any]:
    post, comment_id = thread[k], COMMENT_ID_BASE + 1000 * number + k
    return {
        "url": f"{API}/repos/{REPO}/issues/comments/{comment_id}",
        "html_url": f"{WEB}/{REPO}/issues/{number}#issuecomment-{comment_id}",
        "issue_url": f"{API}/repos/{REPO}/issues/{number}",
        "id": comment_id,
        "node_id": f"IC_kwDOdemo{comment_id}",
        "user": _user(post.author_handle),
        "created_at": _iso(post.created_at),
        "updated_at": _iso(post.created_at),
        "author_association": _association(post, posts),
        "body": post.text,
    }


def discussion_json(number: int, thread: list[IncomingMention], posts: DemoPosts) -> dict[str, Any]:
    opening, url = thread[0], f"{WEB}/{REPO}/discussions/{number}"

    def fields(post: IncomingMention, node: str, link: str) -> dict[str, Any]:
        at = _iso(post.created_at)
        author = {"login": post.author_handle, "url": f"{WEB}/{post.author_handle}"}
        return {"id": node, "url": link, "body": post.text, "createdAt": at, "updatedAt": at, "lastEditedAt": None,
                "authorAssociation": _association(post, posts), "author": author}  # fmt: skip

    comments = [
        {
            **fields(post, f"DC_kwDOdemo{number}{k:03d}", f"{url}#discussioncomment-{number}{k:03d}"),
            "replies": {"nodes": []},
        }
        for k, post in enumerate(thread[1:], start=1)
    ]
    opened = fields(opening, f"D_kwDOdemo{number}", url)
    updated = _iso(max(p.created_at for p in thread))
    return {"number": number, "title": opening.title, **opened, "updatedAt": updated,
            "labels": {"nodes": []}, "comments": {"nodes": comments}}  # fmt: skip


def _time(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def _whole(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
