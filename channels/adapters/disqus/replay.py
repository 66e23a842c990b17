"""The Disqus API 3.0 (disqus.com/api/3.0) for the demo (channels.demo.replay_kit says what every replay shares), after
the recorded responses in tests/fixtures/ (SOURCES.md) and disqus.com/api/docs:

- every answer is the envelope ``{"cursor", "code": 0, "response"}`` of ``threads_listPosts.json`` and
  ``posts_list.json`` (the cursor's keys, ``next`` as ``<number>:<number>:<number>``);
- ``GET forums/listPosts.json`` (``forum``, ``limit``, ``order``, ``since``, ``related=thread``, ``cursor``) and
  ``threads/listPosts.json`` (``thread``): posts as ``threads_listPosts.json``, with ``related=thread`` their
  ``thread`` the article of ``threads_details.json``; ``GET forums/details.json``: the forum;
- errors as ``error_code2_missing_argument.json`` with the codes of /api/docs/errors/: 1 endpoint not valid (404),
  2 missing or invalid argument, 4 no authenticated user, 5 invalid API key, 8 object not found (400);
- writes (/api/docs/posts/create/): ``POST posts/create.json`` (``message``, ``parent``, the app's ``api_key``, the
  account's ``access_token``) answers the post; ``POST /api/oauth/2.0/access_token/`` (/api/docs/auth/) a refresh
  of the demo account's token, anything else ``invalid_grant``.

Each thread of the week is one top-level comment on its own blog article, its follow-ups replies to it: article
``7_400_000_000 + n``, post ``6_100_000_000 + 100 n + k``. ``since`` (epoch seconds or ISO) keeps posts created at
or after it; a cursor names the first post of the page after, so it stays valid while new posts arrive.
"""

from __future__ import annotations

import html
import re
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from channels.adapters.base import IncomingMention
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, fixed, paragraphs, place, slug

HOSTS = ("disqus.com",)
FORUM: str = DEMO_CHANNELS["disqus"]["config"]["forum"]
BLOG = "https://about.gitlab.com/blog/"
THREAD_BASE = 7_400_000_000
POST_BASE = 6_100_000_000
_ROOT = "/api/3.0/"
TOKEN_PATH = "/api/oauth/2.0/access_token/"  # noqa: S105 - an address, not a secret
MADE_POST_BASE = 6_900_000_000  # where the ids of what our account posts start: above every id of the week
SPEC: dict[str, Any] = DEMO_CHANNELS["disqus"]
API_KEY: str = SPEC["credentials"]["api_key"]
API_SECRET: str = SPEC["credentials"]["api_secret"]
ACCOUNT_TOKENS: dict[str, str] = SPEC["account_tokens"]
_CURSOR = re.compile(r"(\d{1,20}):(\d{1,20}):0")

Item = dict[str, Any]


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    asked = Asked(request)
    query, endpoint = asked.query, asked.path.removeprefix(_ROOT).removesuffix(".json")
    if asked.method == "POST" and asked.path == TOKEN_PATH:
        return refreshed(asked.form, posts)
    if asked.method == "POST" and asked.path == f"{_ROOT}posts/create.json":
        return created(asked.form, posts)
    if asked.method != "GET" or asked.path != f"{_ROOT}{endpoint}.json":
        return _error(404, 1, "Endpoint not valid")
    if endpoint not in ("forums/listPosts", "threads/listPosts", "forums/details"):
        return _error(404, 1, "Endpoint not valid")
    if not query.get("api_key"):
        return _error(400, 5, "Invalid API key")
    if endpoint == "threads/listPosts":
        forum = Forum(posts)
        thread = query.get("thread", "")
        if not thread:
            return _error(400, 2, "Missing required argument: 'thread'")
        if thread not in forum.threads:
            return _error(400, 2, f"Invalid argument, 'thread': Unable to find thread '{thread}'")
        return _listing([p for p in forum.posts if p["thread"] == thread], query, forum)
    forum_name = query.get("forum", "")
    if not forum_name:
        return _error(400, 2, "Missing required argument: 'forum'")
    if forum_name != FORUM:
        return _error(400, 8, f"Invalid argument, 'forum': Unable to find forum '{forum_name}'")
    if endpoint == "forums/details":
        return 200, {"code": 0, "response": _forum()}
    forum = Forum(posts)
    return _listing(forum.posts, query, forum)


class Forum:
    """The demo's articles and comments by now: post objects (``thread`` as its id) and articles by id."""

    def __init__(self, posts: DemoPosts) -> None:
        self.posts: list[Item] = []
        self.threads: dict[str, Item] = {}
        for thread in posts.threads():
            self._thread(thread)

    def _thread(self, thread: list[IncomingMention]) -> None:
        opening = thread[0]
        n = place(opening.external_id)[0]
        thread_id = str(THREAD_BASE + n)
        title = opening.title.removeprefix("Comment on: ") or "GitLab blog"
        article = slug(title)
        published = opening.created_at - timedelta(days=1)
        self.threads[thread_id] = {
            "feed": f"https://{FORUM}.disqus.com/{article}/latest.rss",
            "category": "4861234",
            "identifiers": [f"blog-{article}"],
            "forum": FORUM,
            "title": html.escape(title, quote=False),
            "clean_title": title,
            "author": "81234567",
            "id": thread_id,
            "posts": len(thread),
            "link": f"{BLOG}{article}/",
            "message": "",
            **fixed("reactions dislikes userScore likes", 0),
            **fixed("isDeleted isClosed", False),
            "slug": article,
            "createdAt": _iso(published),
        }
        root = POST_BASE + 100 * n
        for mention in thread:
            k = place(mention.external_id)[1]
            self.posts.append(_post(mention, post_id=str(root + k), parent=root if k else None, thread=thread_id))


def _post(mention: IncomingMention, *, post_id: str, parent: int | None, thread: str) -> Item:
    """A post object as threads_listPosts.json has it (``thread`` the article's id)."""
    return {
        "forum": FORUM,
        "parent": parent,
        "author": _author(mention),
        "media": [],
        "isApproved": True,
        "raw_message": mention.text,
        "thread": thread,
        "createdAt": _iso(mention.created_at),
        "message": paragraphs(mention.text),
        "id": post_id,
        **fixed("isJuliaFlagged isFlagged isSpam isHighlighted isDeleted isEdited", False),
        **fixed("dislikes points likes", 0),
    }


def created(form: dict[str, str], posts: DemoPosts) -> tuple[int, Any]:
    """posts/create by our account, answered as done: the new post under its parent (the week is not changed)."""
    if form.get("api_key") != API_KEY:
        return _error(400, 5, "Invalid API key")
    if form.get("access_token") != ACCOUNT_TOKENS["access_token"]:
        return _error(400, 4, "You must provide an authenticated user for this method")
    if not form.get("message", "").strip():
        return _error(400, 2, "Missing required argument: 'message'")
    parent = form.get("parent", "")
    if not parent.isdigit():
        return _error(
            400, 2, f"Invalid argument, 'parent': {parent[:40]}" if parent else "Missing required argument: 'thread'"
        )
    known = next((p for p in Forum(posts).posts if p["id"] == parent), None)
    # A parent outside the week: an article of its own, the same at every reply to it.
    thread = known["thread"] if known else str(THREAD_BASE + 500_000 + int(parent) % 100_000)
    ours = posts.ours(form["message"], author_name="GitLab")
    post_id = MADE_POST_BASE + int(posts.now.timestamp() * 1000) % 99_999_999  # the clock: each reply another id
    return 200, {"code": 0, "response": _post(ours, post_id=str(post_id), parent=int(parent), thread=thread)}


def refreshed(form: dict[str, str], posts: DemoPosts) -> tuple[int, Any]:
    """The token endpoint's answer to a refresh of the demo account's token: the same token, 30 days more."""
    asked = (form.get("grant_type"), form.get("client_id"), form.get("client_secret"), form.get("refresh_token"))
    if asked != ("refresh_token", API_KEY, API_SECRET, ACCOUNT_TOKENS["refresh_token"]):
        return 400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    ours = _author(posts.ours())
    return 200, {
        "access_token": ACCOUNT_TOKENS["access_token"],
        "expires_in": 2_592_000,
        "token_type": "Bearer",
        "scope": "read,write",
        "refresh_token": ACCOUNT_TOKENS["refresh_token"],
        "username": posts.our_account,
        "user_id": int(ours["id"]),
    }


def _listing(items: list[Item], query: dict[str, str], forum: Forum) -> tuple[int, Any]:
    """One page of `items` as Disqus pages a listing: `since`, `order`, `limit`, then the `cursor`'s page."""
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        return _error(400, 2, "Invalid argument, 'order': must be one of asc, desc")
    limit_text = query.get("limit", "25")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= 100:
        return _error(400, 2, "Invalid argument, 'limit': must be between 1 and 100")
    try:
        since = _since(query.get("since", ""))
    except ValueError:
        return _error(400, 2, "Invalid argument, 'since': not a Unix timestamp or ISO datetime")
    found = sorted(
        (p for p in items if since is None or _key(p)[0] >= since),
        key=_key,
        reverse=order == "desc",
    )
    start, cursor = 0, query.get("cursor", "")
    if cursor:
        match = _CURSOR.fullmatch(cursor)
        if match is None:
            return _error(400, 2, f"Invalid argument, 'cursor': {cursor[:40]}")
        mark = (int(match.group(1)) // 1_000_000, int(match.group(2)))
        after = [i for i, p in enumerate(found) if (_key(p) >= mark if order == "asc" else _key(p) <= mark)]
        start = after[0] if after else len(found)
    limit = int(limit_text)
    page, rest = found[start : start + limit], found[start + limit :]
    if query.get("related") == "thread":
        page = [{**p, "thread": forum.threads[p["thread"]]} for p in page]
    here = _cursor_of(found[start]) if start < len(found) else "0:0:0"
    return 200, {
        "cursor": {
            "prev": None,
            "hasNext": bool(rest),
            "next": _cursor_of(rest[0]) if rest else here,
            "hasPrev": start > 0,
            "total": None,
            "id": here,
            "more": bool(rest),
        },
        "code": 0,
        "response": page,
    }


def _forum() -> Item:
    return {
        "id": FORUM,
        "name": "GitLab",
        "founder": "81234567",
        "url": BLOG,
        "favicon": {"permalink": f"https://disqus.com/api/forums/favicons/{FORUM}.jpg"},
        "language": "en",
        "createdAt": "2014-02-11T16:37:05",
        "settings": {"allowAnonPost": False, "mustVerifyEmail": True},
    }


def _author(mention: IncomingMention) -> Item:
    username = mention.author_handle
    return {
        "username": username,
        "name": mention.author_name or username,
        "profileUrl": f"https://disqus.com/by/{username}/",
        "id": str(100_000_000 + zlib.crc32(username.encode()) % 900_000_000),
        **fixed("about url", ""),
        **fixed("isFollowing isFollowedBy isAnonymous isPrivate", False),
        "joinedAt": "2019-06-03T08:12:44",
    }


def _key(post: Item) -> tuple[int, int]:
    created = datetime.fromisoformat(post["createdAt"]).replace(tzinfo=UTC)
    return int(created.timestamp()), int(post["id"])


def _cursor_of(post: Item) -> str:
    seconds, post_id = _key(post)
    return f"{seconds * 1_000_000}:{post_id}:0"


def _since(value: str) -> int | None:
    """Epoch seconds, None when absent; ValueError when unreadable."""
    if value == "":
        return None
    if value.isdigit():
        return int(value)
    moment = datetime.fromisoformat(value)
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _error(status: int, code: int, message: str) -> tuple[int, Any]:
    return status, {"code": code, "response": message}
