"""forum.gitlab.com for the demo (channels.demo.replay_kit says what every replay shares): the week's Discourse threads
in Discourse's JSON, after the recorded responses in ``tests/fixtures`` (SOURCES.md):

- ``GET /posts.json[?before=<id>]``: the 50 newest posts below ``before``, as ``{"latest_posts": [...]}``, each with
  the fields of ``posts_latest_real.json`` the adapter and the desk read.
- ``GET /search.json?q=<terms> order:latest after:<date>&page=N``: 50 a page, each post with a ``blurb`` and no
  ``cooked``, its topic in ``topics`` as ``search_devinstance.json``, ``grouped_search_result`` with
  ``more_full_page_results`` and ``error`` (terms shorter than three characters).
- ``GET /t/<id>.json``: a topic view as ``topic_2108_view_at_post_452_real.json`` (20 posts, every id in
  ``stream``); ``GET /t/<id>/posts.json?post_ids[]=…``: as ``topic_2144_posts_page1_real.json``.
- ``GET /site/basic-info.json``: the site's title (test_connection). Writes: replay_writes.py. Anything else is
  Discourse's 404 ``{"errors": [...], "error_type": "not_found"}``.

Topic ``TOPIC_BASE + <thread index>``, its posts numbered 1, 2, …; post ids are the forum's order of creation (the
latest-mode cursor relies on it) from ``FIRST_POST_ID``, and never change, as posts only appear once their time has
come. Our account's posts are a staff member's; ``cooked`` is Markdown as Discourse renders the week's prose.
"""

from __future__ import annotations

import html
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from channels.demo.replay_kit import Asked, fixed, place, slug, whole, zulu

if TYPE_CHECKING:
    from channels.adapters.base import IncomingMention
    from channels.demo.replay import DemoPosts

HOSTS = ("forum.gitlab.com",)
BASE_URL = "https://forum.gitlab.com"
PAGE_SIZE = 50  # /posts.json and /search.json
TOPIC_CHUNK = 20  # posts in a topic view
TOPIC_BASE = 130_000
FIRST_POST_ID = 1_250_000
CATEGORY_ID = 5  # "How to Use GitLab"
MIN_TERM = 3  # Discourse's min_search_term_length

_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")
_NOT_FOUND = {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}


@dataclass(frozen=True)
class _Post:
    post_id: int
    topic_id: int
    number: int
    mention: IncomingMention


@dataclass(frozen=True)
class _Topic:
    topic_id: int
    title: str
    slug: str
    posts: tuple[_Post, ...]


def slugify(title: str) -> str:
    """Discourse's ASCII slug: lower case, every run of other characters one hyphen."""
    return slug(title.replace("'", "")) or "topic"


class _Forum:
    """The posts of `posts` with their forum ids, and their topics."""

    def __init__(self, posts: DemoPosts) -> None:
        self.our_account = posts.our_account
        ordered = sorted(posts.mentions, key=lambda m: (m.created_at, *place(m.external_id)))
        by_topic: dict[int, list[_Post]] = {}
        self.posts: list[_Post] = []  # oldest first
        for rank, mention in enumerate(ordered):
            index, k = place(mention.external_id)
            post = _Post(FIRST_POST_ID + rank, TOPIC_BASE + index, k + 1, mention)
            self.posts.append(post)
            by_topic.setdefault(post.topic_id, []).append(post)
        self.topics: dict[int, _Topic] = {}
        for topic_id, found in by_topic.items():
            found.sort(key=lambda p: p.number)
            title = next((p.mention.title for p in found if p.number == 1 and p.mention.title), "") or "Topic"
            self.topics[topic_id] = _Topic(topic_id, title, slugify(title), tuple(found))

    def post_json(self, post: _Post) -> dict[str, Any]:
        """A post as /posts.json and topic views send it (posts_latest_real.json's fields)."""
        topic, mention = self.topics[post.topic_id], post.mention
        handle = mention.author_handle
        ours = handle.casefold() == self.our_account.casefold()
        at = zulu(mention.created_at)
        return {
            "id": post.post_id,
            "name": mention.author_name or handle,
            "username": handle,
            "avatar_template": f"/user_avatar/{HOSTS[0]}/{handle.lower()}/{{size}}/1_2.png",
            "created_at": at,
            "cooked": cooked(mention.text),
            "post_number": post.number,
            "post_type": 1,
            "posts_count": len(topic.posts),
            "updated_at": at,
            "reply_to_post_number": None,  # a reply to the topic, not to one post
            **fixed("reply_count quote_count incoming_link_count readers_count", 0),
            "reads": 1,
            "score": 0.0,
            "topic_id": topic.topic_id,
            "topic_slug": topic.slug,
            "topic_title": topic.title,
            "topic_html_title": html.escape(topic.title, quote=False),
            "category_id": CATEGORY_ID,
            "display_username": mention.author_name or handle,
            "primary_group_name": "GitLab-Team" if ours else None,
            "badges_granted": [],
            "version": 1,
            **fixed("yours can_edit can_delete can_recover can_wiki bookmarked admin hidden user_deleted wiki", False),
            "user_title": "GitLab Team" if ours else None,
            "raw": mention.text,
            "actions_summary": [],
            "moderator": ours,
            "staff": ours,
            "user_id": _user_id(handle),
            "trust_level": 4 if ours else 1,
            **fixed("deleted_at edit_reason"),
            "can_view_edit_history": True,
            "post_url": f"/t/{topic.slug}/{topic.topic_id}/{post.number}",
        }


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    asked = Asked(request)
    path, query = asked.path, asked.query
    forum = _Forum(posts)
    if asked.method != "GET":
        from .replay_writes import write  # our account's writes: a module of their own, which imports this one

        return write(asked, forum, posts)
    if path == "/posts.json":
        return 200, latest(forum, before=whole(query.get("before")))
    if path == "/search.json":
        return 200, search(forum, query.get("q", ""), page=whole(query.get("page")) or 1)
    if path == "/site/basic-info.json":
        return 200, {"title": "GitLab Forum", "description": "The GitLab community forum (demo replay)"}
    match = re.fullmatch(r"/t/(\d+)(/posts)?\.json", path)
    topic = forum.topics.get(int(match.group(1))) if match else None
    if match is None or topic is None:
        return 404, _NOT_FOUND
    if match.group(2):
        wanted = {int(i) for i in asked.lists.get("post_ids[]", []) if i.isdigit()}
        chosen = [p for p in topic.posts if p.post_id in wanted] if wanted else list(topic.posts[:TOPIC_CHUNK])
        return 200, {"post_stream": {"posts": [forum.post_json(p) for p in chosen]}, "id": topic.topic_id}
    return 200, topic_view(forum, topic)


def latest(forum: _Forum, *, before: int | None) -> dict[str, Any]:
    below = [p for p in forum.posts if before is None or p.post_id < before]
    return {"latest_posts": [forum.post_json(p) for p in reversed(below[-PAGE_SIZE:])]}


def topic_json(topic: _Topic) -> dict[str, Any]:
    """A topic as a search's ``topics`` has it (search_devinstance.json); a topic view adds to it."""
    return {
        "id": topic.topic_id,
        "title": topic.title,
        "fancy_title": html.escape(topic.title, quote=False),
        "slug": topic.slug,
        "posts_count": len(topic.posts),
        "created_at": zulu(topic.posts[0].mention.created_at),
        "last_posted_at": zulu(topic.posts[-1].mention.created_at),
        "archetype": "regular",
        "category_id": CATEGORY_ID,
    }


def topic_view(forum: _Forum, topic: _Topic) -> dict[str, Any]:
    return {
        "post_stream": {
            "posts": [forum.post_json(p) for p in topic.posts[:TOPIC_CHUNK]],
            "stream": [p.post_id for p in topic.posts],
        },
        **topic_json(topic),
        "visible": True,
        **fixed("closed archived", False),
        "deleted_at": None,
        "user_id": _user_id(topic.posts[0].mention.author_handle),
        "highest_post_number": topic.posts[-1].number,
        "chunk_size": TOPIC_CHUNK,
        "participant_count": len({p.mention.author_handle for p in topic.posts}),
    }


def search(forum: _Forum, q: str, *, page: int) -> dict[str, Any]:
    """Every term in the topic's title or the post's text (Discourse's full-text search, roughly), created after
    ``after:`` (the start of that day, UTC), newest first (``order:latest``)."""
    terms: list[str] = []
    after: datetime | None = None
    for word in q.split():
        key, _, value = word.partition(":")
        if key.lower() == "after" and value:
            try:
                after = datetime.fromisoformat(value).replace(tzinfo=UTC)
            except ValueError:
                after = None
        elif key.lower() != "order" or not value:
            terms.append(word.casefold())
    grouped: dict[str, Any] = {"term": q, "more_full_page_results": None, "post_ids": [], "error": None}
    if not any(len(t) >= MIN_TERM for t in terms):
        grouped["error"] = "Your search term is too short."
        return {"posts": [], "topics": [], "users": [], "categories": [], "grouped_search_result": grouped}
    found = [
        p
        for p in reversed(forum.posts)
        if (after is None or p.mention.created_at > after)
        and all(t in f"{forum.topics[p.topic_id].title}\n{p.mention.text}".casefold() for t in terms)
    ]
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE] if page >= 1 else []
    grouped.update(
        post_ids=[p.post_id for p in shown], more_full_page_results=True if len(found) > page * PAGE_SIZE else None
    )
    topics = {p.topic_id: forum.topics[p.topic_id] for p in shown}
    return {
        "posts": [_search_post(forum, p) for p in shown],
        "topics": [topic_json(t) for t in topics.values()],
        "users": [],
        "categories": [],
        "grouped_search_result": grouped,
    }


def _search_post(forum: _Forum, post: _Post) -> dict[str, Any]:
    full = forum.post_json(post)
    text = post.mention.text
    blurb = html.escape(text if len(text) <= 200 else text[:200].rsplit(" ", 1)[0] + "...", quote=False)
    kept = ("id", "name", "username", "avatar_template", "created_at", "post_number", "topic_id")
    return {**{k: full[k] for k in kept}, "like_count": 0, "blurb": blurb}


def cooked(text: str) -> str:
    """The post's Markdown as Discourse cooks it (for the week's plain prose): paragraphs, line breaks, links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join(f"<p>{_inline(p)}</p>" for p in paragraphs)


def _inline(paragraph: str) -> str:
    out, at = [], 0
    for match in _URL_RE.finditer(paragraph):
        out.append(html.escape(paragraph[at : match.start()], quote=False))
        url = html.escape(match.group(0))
        out.append(f'<a href="{url}" rel="noopener nofollow ugc">{url}</a>')
        at = match.end()
    out.append(html.escape(paragraph[at:], quote=False))
    return "".join(out).replace("\n", "<br>\n")


def _user_id(handle: str) -> int:
    return 1000 + zlib.crc32(handle.casefold().encode()) % 900_000
