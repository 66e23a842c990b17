"""lobste.rs answered from the demo week (channels.demo.replay), in the shapes of the recorded pages in tests/fixtures
(SOURCES.md): the newer Lobsters of ``hottest.json`` and ``s_tdfoqh.json`` (users as strings, comments with
``depth`` and ``parent_comment``, times in the site's zone with milliseconds).

- ``GET /newest.json`` and ``GET /t/<tag>,<tag>.json`` (``?page=N``): a page of 25 stories, newest first; a tag
  listing holds the stories with one of its tags;
- ``GET /s/<short_id>.json``: the story with its ``comments`` (those posted by now), oldest first;
- anything else: 404, as Lobsters answers an unknown page.

The week as Lobsters: each thread of the week (this package's `demo.THREADS`) is a text story by its author, tagged
with the demo channel's first tag and its thread's tags; its follow-ups are top-level comments. Ids are Lobsters'
six base-36 characters, made from the story's title (and the comment's number in its thread), so a demo desk
seeded before keeps the same ids whatever the thread's place in the week. No rate-limit headers; no network:
everything is computed from `posts`.
"""

from __future__ import annotations

import html
import re
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import requests

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, base36, numbered_page, slug, whole

from .client import PAGE_SIZE, SITE
from .demo import DEMO, THREADS

HOSTS = ("lobste.rs",)
ZONE = timezone(timedelta(hours=-6))  # lobste.rs writes its times in US Central (the recorded pages: -06:00)
FIRST_TAG: str = DEMO["config"]["tags"][0]
_TAGS = {thread.title: (FIRST_TAG, *thread.tags) for thread in THREADS}

Item = dict[str, Any]


def short_id(seed: str) -> str:
    return base36(zlib.crc32(seed.encode()) % 36**6).rjust(6, "0")


def _time(moment: datetime) -> str:
    return moment.astimezone(ZONE).isoformat(timespec="milliseconds")


def story(thread: list[IncomingMention], *, with_comments: bool = False) -> Item:
    opening = thread[0]
    ident = short_id(opening.title)
    item: Item = {
        "short_id": ident,
        "short_id_url": f"{SITE}/s/{ident}",
        "created_at": _time(opening.created_at),
        "title": opening.title,
        "url": "",
        "score": 3 + len(thread),
        "flags": 0,
        "comment_count": len(thread) - 1,
        "description": f"<p>{html.escape(opening.text)}</p>\n",
        "description_plain": opening.text,
        "comments_url": f"{SITE}/s/{ident}/{slug(opening.title, '_', 6)}",
        "submitter_user": opening.author_handle,
        "user_is_author": False,
        "tags": list(_TAGS.get(opening.title, (FIRST_TAG,))),
    }
    if with_comments:
        item["comments"] = [comment(item, number, post) for number, post in enumerate(thread[1:], start=1)]
    return item


def comment(story_item: Item, number: int, post: IncomingMention) -> Item:
    ident = short_id(f"{story_item['title']}#{number}")
    return {
        "short_id": ident,
        "short_id_url": f"{SITE}/c/{ident}",
        "created_at": _time(post.created_at),
        "last_edited_at": _time(post.created_at),
        "is_deleted": False,
        "is_moderated": False,
        "score": 1 + number % 4,
        "flags": 0,
        "parent_comment": None,
        "comment": f"<p>{html.escape(post.text)}</p>\n",
        "comment_plain": post.text,
        "url": f"{story_item['comments_url']}#c_{ident}",
        "depth": 0,
        "commenting_user": post.author_handle,
    }


def listing(posts: DemoPosts, tags: set[str] | None, page: int | None) -> list[Item]:
    stories = [story(thread) for thread in posts.threads()]
    stories = [s for s in stories if tags is None or tags & set(s["tags"])]
    stories.sort(key=lambda s: s["created_at"], reverse=True)
    return numbered_page(stories, page if page and page < 10_000 else 1, PAGE_SIZE)[0]


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    asked = Asked(request)
    page = whole(asked.query.get("page"))
    if asked.method != "GET":
        return 404, "The page you were looking for doesn't exist."
    if asked.path == "/newest.json":
        return 200, listing(posts, None, page)
    tagged = re.fullmatch(r"/t/([^/]+)\.json", asked.path)
    if tagged:
        return 200, listing(posts, set(unquote(tagged.group(1)).split(",")), page)
    one = re.fullmatch(r"/s/([a-z0-9]+)\.json", asked.path)
    found = [t for t in posts.threads() if one and short_id(t[0].title) == one.group(1)]
    if found:
        return 200, story(found[0], with_comments=True)
    return 404, "The page you were looking for doesn't exist."
