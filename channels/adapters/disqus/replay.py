"""The Disqus API 3.0 (disqus.com/api/3.0) answered from the demo week (channels.demo.replay).

Shapes (the recorded responses in tests/fixtures/, see SOURCES.md there):

- every answer is the envelope ``{"cursor": {...}, "code": 0, "response": [...]}`` of ``threads_listPosts.json``
  and ``posts_list.json``; the cursor has their keys (``prev``, ``hasNext``, ``next``, ``hasPrev``, ``total``,
  ``id``, ``more``) and ``next`` their ``<number>:<number>:<number>`` form;
- ``GET forums/listPosts.json`` (``forum``, ``limit``, ``order``, ``since``, ``related=thread``, ``cursor``) and
  ``GET threads/listPosts.json`` (``thread``): post objects as in ``threads_listPosts.json`` (``createdAt``
  without a zone, ``parent`` an integer or null, ``message`` HTML and ``raw_message`` text, ``author`` a
  registered user with ``username``); with ``related=thread`` each post's ``thread`` is the article object of
  ``threads_details.json`` (``title``, ``link``, ``identifiers``...), else its id;
- ``GET forums/details.json``: the forum object (``id``, ``name``, ``url``...);
- errors as ``error_code2_missing_argument.json``: ``{"code": N, "response": "<message>"}`` with Disqus's codes
  (disqus.com/api/docs/errors/): 1 endpoint not valid (HTTP 404), 2 missing or invalid argument (400),
  5 invalid API key (400), 8 object not found (400).

Writes by our connected account (`reply.py`), answered as done and kept nowhere: ``POST posts/create.json``
(disqus.com/api/docs/posts/create/: ``message`` and ``parent``, with the application's ``api_key`` and the account's
``access_token``) answers ``{"code": 0, "response": <post>}``, the post as the listings serve it with ``thread`` its
article's id; a parent outside the week is answered too (the forum has more comments than the week), one that is not
a number is code 2, a token the demo did not issue code 4 ("You must provide an authenticated user for this
method", disqus.com/api/docs/errors/), another application's key code 5. The OAuth token endpoint
(``POST /api/oauth/2.0/access_token/``, disqus.com/api/docs/auth/) answers a refresh with the demo account's
refresh token and the application's keys, in the token answer that page documents (``access_token``,
``expires_in``, ``refresh_token``, ``username``, ``user_id``); anything else is RFC 6749's ``invalid_grant``.
A new post gets an id from the clock above every id of the week.

The week as a forum: each thread of the week is one top-level comment on its own blog article (the title without
"Comment on: "), its follow-ups replies to that comment (``parent``), which is how the adapter makes one ticket
of each. Ids come from the thread's index `n` in the week and the post's number `k` in it, so they are the same
at every poll: article ``7_400_000_000 + n``, post ``6_100_000_000 + 100 n + k``. Authors are registered users
(our account is the demo channel's ``our_accounts`` username). ``since`` (epoch seconds or ISO time) keeps the
posts created at or after it; a page cursor names the first post of the page after, so it stays valid while
new posts arrive. No rate-limit headers; no network: everything is computed from `posts`.
"""

from __future__ import annotations

import html
import re
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from channels.adapters.base import IncomingMention
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts

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
_NUMBERS = re.compile(r"-(\d+)(?:-(\d+))?$")
_CURSOR = re.compile(r"(\d{1,20}):(\d{1,20}):0")

Item = dict[str, Any]


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    url = urlsplit(request.url or "")
    query = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
    endpoint = url.path.removeprefix(_ROOT).removesuffix(".json")
    if request.method == "POST" and url.path == TOKEN_PATH:
        return refreshed(_form(request), posts)
    if request.method == "POST" and url.path == f"{_ROOT}posts/create.json":
        return created(_form(request), posts)
    if request.method != "GET" or not url.path.startswith(_ROOT) or not url.path.endswith(".json"):
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
        n = _numbers(opening.external_id)[0]
        thread_id = str(THREAD_BASE + n)
        title = opening.title.removeprefix("Comment on: ") or "GitLab blog"
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        published = opening.created_at - timedelta(days=1)
        self.threads[thread_id] = {
            "feed": f"https://{FORUM}.disqus.com/{slug}/latest.rss",
            "category": "4861234",
            "reactions": 0,
            "identifiers": [f"blog-{slug}"],
            "forum": FORUM,
            "title": html.escape(title, quote=False),
            "clean_title": title,
            "dislikes": 0,
            "isDeleted": False,
            "author": "81234567",
            "userScore": 0,
            "id": thread_id,
            "isClosed": False,
            "posts": len(thread),
            "link": f"{BLOG}{slug}/",
            "likes": 0,
            "message": "",
            "slug": slug,
            "createdAt": _iso(published),
        }
        root = POST_BASE + 100 * n
        for mention in thread:
            k = _numbers(mention.external_id)[1]
            self.posts.append(_post(mention, post_id=str(root + k), parent=root if k else None, thread=thread_id))


def _post(mention: IncomingMention, *, post_id: str, parent: int | None, thread: str) -> Item:
    """A post object as threads_listPosts.json has it (``thread`` the article's id)."""
    return {
        "isJuliaFlagged": False,
        "isFlagged": False,
        "forum": FORUM,
        "parent": parent,
        "author": _author(mention),
        "media": [],
        "isApproved": True,
        "dislikes": 0,
        "raw_message": mention.text,
        "isSpam": False,
        "thread": thread,
        "points": 0,
        "createdAt": _iso(mention.created_at),
        "message": "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in mention.text.split("\n\n")),
        "isHighlighted": False,
        "id": post_id,
        "isDeleted": False,
        "isEdited": False,
        "likes": 0,
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
    ours = IncomingMention(
        external_id="",
        author_handle=posts.our_account,
        author_name="GitLab",
        text=form["message"],
        created_at=posts.now,
    )
    post_id = MADE_POST_BASE + int(posts.now.timestamp() * 1000) % 99_999_999  # the clock: each reply another id
    return 200, {"code": 0, "response": _post(ours, post_id=str(post_id), parent=int(parent), thread=thread)}


def refreshed(form: dict[str, str], posts: DemoPosts) -> tuple[int, Any]:
    """The token endpoint's answer to a refresh of the demo account's token: the same token, 30 days more."""
    asked = (form.get("grant_type"), form.get("client_id"), form.get("client_secret"), form.get("refresh_token"))
    if asked != ("refresh_token", API_KEY, API_SECRET, ACCOUNT_TOKENS["refresh_token"]):
        return 400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    ours = _author(IncomingMention(external_id="", author_handle=posts.our_account, text="", created_at=posts.now))
    return 200, {
        "access_token": ACCOUNT_TOKENS["access_token"],
        "expires_in": 2_592_000,
        "token_type": "Bearer",
        "scope": "read,write",
        "refresh_token": ACCOUNT_TOKENS["refresh_token"],
        "username": posts.our_account,
        "user_id": int(ours["id"]),
    }


def _form(request: requests.PreparedRequest) -> dict[str, str]:
    body = request.body or ""
    return {k: v[-1] for k, v in parse_qs(body.decode() if isinstance(body, bytes) else body).items()}


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
        "about": "",
        "name": mention.author_name or username,
        "url": "",
        "isFollowing": False,
        "isFollowedBy": False,
        "profileUrl": f"https://disqus.com/by/{username}/",
        "id": str(100_000_000 + zlib.crc32(username.encode()) % 900_000_000),
        "isAnonymous": False,
        "isPrivate": False,
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


def _numbers(external_id: str) -> tuple[int, int]:
    """(thread index n, post number k) of a demo post's external id "demo-disqus-<n>[-<k>]"."""
    match = _NUMBERS.search(external_id)
    if match is None:
        raise ValueError(f"not a demo post id: {external_id!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def _error(status: int, code: int, message: str) -> tuple[int, Any]:
    return status, {"code": code, "response": message}
