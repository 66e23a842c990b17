"""api.github.com for the demo (channels.demo.replay_kit says what every replay shares): the week's GitHub threads as
the demo repository's issues and discussions, alternately (the first thread an issue, the second a discussion...).

Shapes, after ``tests/fixtures`` (SOURCES.md) and docs.github.com where nothing was recorded:

- ``GET /repos/{owner}/{repo}``: the repository (test_connection); ``.../issues``, ``.../issues/comments``,
  ``.../issues/{n}/comments``: as ``issues_with_pulls.json`` and ``issue_comments_page1.json``, with ``since``,
  ``sort``, ``direction``, ``per_page`` (30, at most 100), ``page`` and ``Link`` as ``issues_page1.json``;
  ``.../issues/{n}``: one issue.
- ``POST /graphql``: ``repository.discussions`` (newest updated first, ``first``/``after``) and
  ``repository.discussion(number)`` as ``discussions_page.json``.
- Writes (rest/issues/comments, rest/reactions, graphql mutations): ``POST .../issues/{n}/comments`` (201),
  ``POST .../issues/{n}/reactions`` and ``.../issues/comments/{id}/reactions`` (201), ``DELETE
  .../issues/comments/{id}`` (204), the mutations ``addDiscussionComment``, ``addReaction``,
  ``deleteDiscussionComment``.

REST answers carry an ``ETag`` (an ``If-None-Match`` of it is a 304) and ``x-ratelimit-*``; anything else is
GitHub's 404. Our account's posts are ``MEMBER``'s.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from channels.adapters.base import IncomingMention
from channels.demo import replay_kit as kit

if TYPE_CHECKING:
    from channels.demo.replay import DemoPosts

HOSTS = ("api.github.com",)
API = "https://api.github.com"
WEB = "https://github.com"
REPO = "gitlabhq/terraform-provider-gitlab"
REPO_ID = 91_000_123
NUMBER_BASE = 6_000
COMMENT_ID_BASE = 2_400_000_000
_NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
_REPO = r"/repos/([^/]+/[^/]+)"
_READ = _REPO + r"(?:/issues(?:/(comments|\d+)(/comments)?)?)?"
_WRITE = _REPO + r"/issues/(?:(\d+)/(comments|reactions)|comments/(\d+)(/reactions)?)"

Thread = tuple[int, bool, list["IncomingMention"]]


def _iso(moment: datetime) -> str:
    return kit.zulu(moment, "seconds")


def _threads(posts: DemoPosts) -> list[Thread]:
    """(thread index, is a discussion, posts opening first) of the threads opened by now. A thread's kind is its place
    among the week's threads of the kind, opened or not: the first an issue, the second a discussion, and so on."""
    from channels.demo.week import THREADS

    week = [i for i, t in enumerate(THREADS) if t.kind == posts.kind]
    found = []
    for thread in posts.threads():
        ordered = sorted(thread, key=lambda m: kit.place(m.external_id)[1])
        index = kit.place(ordered[0].external_id)[0]
        position = week.index(index) if index in week else index
        found.append((index, position % 2 == 1, ordered))
    return sorted(found, key=lambda found: found[0])


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> kit.Answer:
    asked = kit.Asked(request)
    if asked.method == "POST" and asked.path == "/graphql":
        graph = mutation if str(asked.json.get("query", "")).lstrip().startswith("mutation") else graphql
        return 200, graph(asked.json, posts), _limits("graphql")
    if asked.method in ("POST", "DELETE"):
        return write(asked, posts)
    route = re.fullmatch(_READ, asked.path)
    if asked.method != "GET" or route is None or route.group(1).casefold() != REPO:
        return 404, _NOT_FOUND
    section, comments = route.group(2), route.group(3)
    issues = {NUMBER_BASE + i: t for i, discussion, t in _threads(posts) if not discussion}
    if asked.path == f"/repos/{route.group(1)}":
        return _rest(asked, {"id": REPO_ID, "full_name": REPO, "private": False, "html_url": f"{WEB}/{REPO}"})
    if section is None:
        items = [issue_json(n, t, posts) for n, t in issues.items()]
    elif section == "comments":
        items = [comment_json(n, t, k, posts) for n, t in issues.items() for k in range(1, len(t))]
    elif int(section) not in issues:
        return 404, _NOT_FOUND
    elif not comments:
        return _rest(asked, issue_json(int(section), issues[int(section)], posts))
    else:
        thread = issues[int(section)]
        items = [comment_json(int(section), thread, k, posts) for k in range(1, len(thread))]
    return _listed(asked, items)


def _listed(asked: kit.Asked, items: list[dict[str, Any]]) -> kit.Answer:
    since, query = kit.moment_of(asked.query.get("since")), asked.query
    field = "updated_at" if query.get("sort") == "updated" else "created_at"
    chosen = [i for i in items if since is None or i["updated_at"] >= _iso(since)]
    chosen.sort(key=lambda i: (i[field], i["id"]), reverse=query.get("direction", "desc") != "asc")
    size = kit.limit_of(query.get("per_page"), 30, 100)
    shown, page, pages = kit.numbered_page(chosen, kit.whole(query.get("page")), size)
    link = kit.link_header(API + asked.path, query, [("next", {"page": page + 1}), ("last", {"page": pages})])
    status, body, headers = _rest(asked, shown)
    return status, body, {**headers, **({"Link": link} if page < pages else {})}


def _rest(asked: kit.Asked, body: Any) -> tuple[int, Any, dict[str, str]]:
    etag = 'W/"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
    headers = {**_limits("core"), "ETag": etag}
    return (304, b"", headers) if asked.header("If-None-Match") == etag else (200, body, headers)


def write(asked: kit.Asked, posts: DemoPosts) -> kit.Answer:
    """A comment, a reaction or a deletion by our account, answered as GitHub does when it is done."""
    route = re.fullmatch(_WRITE, asked.path)
    if route is None or route.group(1).casefold() != REPO:
        return 404, _NOT_FOUND
    number, part, comment_id, reactions = route.groups()[1:]
    headers = _limits("core")
    if asked.method == "DELETE":
        return (204, b"", headers) if comment_id and not reactions else (404, _NOT_FOUND)
    sent, made = asked.json, datetime.now(tz=UTC)
    now = _iso(made)
    if part == "comments":
        if not str(sent.get("body") or "").strip():
            return 422, {"message": "Validation Failed", "errors": [{"field": "body", "code": "missing_field"}]}
        new_id = COMMENT_ID_BASE + 900_000_000 + int(time.time() * 1000) % 99_999_999
        ours = IncomingMention(external_id="", author_handle=posts.our_account, text=sent["body"], created_at=made)
        return 201, _comment(int(number), new_id, ours, posts), headers
    reaction_id = 140_000_000 + int(time.time()) % 9_999_999
    reaction = {"id": reaction_id, "node_id": f"REA_demo{reaction_id}", "user": _user(posts.our_account)}
    return 201, {**reaction, "content": sent.get("content") or "+1", "created_at": now}, headers


def mutation(body: dict[str, Any], posts: DemoPosts) -> Any:
    """The discussion's writes: a comment (or a reply to one), a reaction, a deletion, each answered as done."""
    query, given = str(body.get("query", "")), (body.get("variables") or {}).get("input") or {}
    if "addDiscussionComment" in query:
        node = f"DC_kwDOdemo{int(time.time() * 1000)}"
        author = {"login": posts.our_account, "url": f"{WEB}/{posts.our_account}"}
        url = f"{WEB}/{REPO}/discussions#discussioncomment-{node}"
        now = _iso(datetime.now(tz=UTC))
        comment = {"id": node, "url": url, "createdAt": now, "body": given.get("body", ""), "author": author}
        return {"data": {"addDiscussionComment": {"comment": comment}}}
    if "addReaction" in query:
        reaction = {"content": given.get("content", "THUMBS_UP")}
        return {"data": {"addReaction": {"reaction": reaction, "subject": {"id": given.get("subjectId")}}}}
    if "deleteDiscussionComment" in query:
        return {"data": {"deleteDiscussionComment": {"comment": {"id": given.get("id")}}}}
    return {"errors": [{"type": "NOT_FOUND", "message": "The demo answers no such mutation"}]}


def _limits(resource: str) -> dict[str, str]:
    reset = str((int(time.time()) // 3600 + 1) * 3600)
    limits = {"limit": "5000", "remaining": "4990", "used": "10", "reset": reset, "resource": resource}
    return {f"x-ratelimit-{name}": value for name, value in limits.items()}


def graphql(body: dict[str, Any], posts: DemoPosts) -> Any:
    query, variables = str(body.get("query", "")), body.get("variables") or {}
    if f"{variables.get('owner')}/{variables.get('name')}".casefold() != REPO:
        missing = [{"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}]
        return {"data": {"repository": None}, "errors": missing}
    found = [discussion_json(NUMBER_BASE + i, t, posts) for i, discussion, t in _threads(posts) if discussion]
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
        "state": "open",
        "locked": False,
        **kit.fixed("labels assignees", []),
        "comments": len(thread) - 1,
        "created_at": _iso(opening.created_at),
        "updated_at": _iso(max(p.created_at for p in thread)),
        **kit.fixed("closed_at state_reason"),
        "author_association": _association(opening, posts),
        "body": opening.text,
        "timeline_url": f"{api}/timeline",
    }


def comment_json(number: int, thread: list[IncomingMention], k: int, posts: DemoPosts) -> dict[str, Any]:
    return _comment(number, COMMENT_ID_BASE + 1000 * number + k, thread[k], posts)


def _comment(number: int, comment_id: int, post: IncomingMention, posts: DemoPosts) -> dict[str, Any]:
    """A comment as issue_comments_page1.json has it."""
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
