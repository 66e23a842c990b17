"""dev.to answered from the demo week (channels.demo.replay), in the shapes of the recorded answers in tests/fixtures
(SOURCES.md): ``articles_username_gereltuyamz.json`` (a list of articles: ``tag_list`` a list, ``tags`` a string,
``published_at`` in UTC, the author under ``user``) and ``comments_tree.json`` (a comment tree: ``id_code``,
``body_html``, ``children``), with the paging of developers.forem.com/api/v1:

- ``GET /api/articles?tag=…&per_page=…&page=…`` and ``GET /api/articles/latest``: published articles, newest
  first, a page at a time (a tag's listing holds the articles with that tag);
- ``GET /api/comments?a_id=…``: the article's comments posted by now, as a tree, oldest first;
- anything else: 404 ``{"error": "not found", "status": 404}``, as Forem answers.

The week as dev.to: each thread of the week (this package's `demo.THREADS`) is an article by its author, tagged with
the demo channel's first tag and its thread's tags, whose description is the thread's text; its follow-ups are
top-level comments. An article's id and a comment's ``id_code`` are made from the title (and the comment's number),
so a demo desk seeded before keeps them whatever the thread's place in the week. No network, nothing kept.
"""

from __future__ import annotations

import html
import zlib
from typing import Any

import requests

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, base36, limit_of, numbered_page, slug, whole, zulu

from .client import API
from .demo import DEMO, THREADS
from .parse import SITE

HOSTS = ("dev.to",)
FIRST_TAG: str = DEMO["config"]["tags"][0]
_TAGS = {thread.title: (FIRST_TAG, *thread.tags) for thread in THREADS}
NOT_FOUND = {"error": "not found", "status": 404}
Item = dict[str, Any]


def article_id(title: str) -> int:
    return 1_000_000 + zlib.crc32(title.encode()) % 9_000_000


def _slug(title: str) -> str:
    return f"{slug(title, words=8)}-{base36(zlib.crc32(title.encode()) % 36**3)}"


def _user(handle: str) -> Item:
    return {"name": handle.replace("_", " ").title(), "username": handle, "twitter_username": None,
            "github_username": None, "profile_image": f"{SITE}/assets/{handle}.png"}  # fmt: skip


def article(thread: list[IncomingMention]) -> Item:
    opening = thread[0]
    tags = list(_TAGS.get(opening.title, (FIRST_TAG,)))
    path = f"/{opening.author_handle}/{_slug(opening.title)}"
    return {
        "type_of": "article",
        "id": article_id(opening.title),
        "title": opening.title,
        "description": opening.text,
        "readable_publish_date": opening.created_at.strftime("%b %-d"),
        "slug": path.rpartition("/")[2],
        "path": path,
        "url": f"{SITE}{path}",
        "comments_count": len(thread) - 1,
        "public_reactions_count": 4 + 3 * len(thread),
        "positive_reactions_count": 4 + 3 * len(thread),
        "published_timestamp": zulu(opening.created_at, "seconds"),
        "created_at": zulu(opening.created_at, "seconds"),
        "edited_at": None,
        "published_at": zulu(opening.created_at, "seconds"),
        "reading_time_minutes": 3,
        "tag_list": tags,
        "tags": ", ".join(tags),
        "user": _user(opening.author_handle),
    }


def comment(title: str, number: int, post: IncomingMention) -> Item:
    return {
        "type_of": "comment",
        "id_code": base36(zlib.crc32(f"{title}#{number}".encode()) % 36**4).rjust(4, "0"),
        "created_at": zulu(post.created_at),
        "body_html": f"<p>{html.escape(post.text)}</p>\n",
        "user": _user(post.author_handle),
        "children": [],
    }


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    sent = Asked(request)
    if sent.method != "GET" or not sent.path.startswith(API.removeprefix(SITE)):
        return 404, NOT_FOUND
    route = sent.path.removeprefix(API.removeprefix(SITE)).rstrip("/")
    threads = posts.threads()
    if route in ("/articles", "/articles/latest"):
        found = [article(thread) for thread in threads]
        tag = sent.query.get("tag", "") if route == "/articles" else ""
        found = [a for a in found if not tag or tag in a["tag_list"]]
        found.sort(key=lambda a: a["published_at"], reverse=True)
        size = limit_of(sent.query.get("per_page"), 30, 1000)
        return 200, numbered_page(found, whole(sent.query.get("page")), size)[0]
    if route == "/comments":
        wanted = whole(sent.query.get("a_id"))
        for thread in threads:
            if article_id(thread[0].title) == wanted:
                title = thread[0].title
                return 200, [comment(title, number, post) for number, post in enumerate(thread[1:], start=1)]
    return 404, NOT_FOUND
