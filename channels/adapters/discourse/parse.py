"""From Discourse payloads to `IncomingMention`s.

`parse_page` accepts saved or fetched API responses: ``/posts.json`` (``latest_posts``), ``/posts/{id}.json``
(one post), ``/t/{id}.json`` and ``/t/{id}/posts.json`` (``post_stream.posts``), ``/search.json`` (``posts``,
current versions with a ``blurb`` only), a ``{"post": {...}}`` answer, or a list of any of these or of posts.
Something that is none of these is a `PayloadError`; inside a page each post is parsed on its own
(`guard.parse_each`), so a post that cannot be read is rejected and the others are kept. Every field is read
through `channels.clean` (via `.fields`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from channels import clean
from channels.text import html_to_text

from ..base import ConfigError, IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from .client import error_text
from .config import Site
from .cooked import cooked_to_text, title_text
from .cursor import Topics
from .fields import string_of, time_of
from .fields import whole_of as _int

if TYPE_CHECKING:
    from .cursor import Cursor

SKIPPED_POST_TYPES = {2, 3, 4}  # moderator action, small action, whisper
SEARCH_EXCERPT_NOTE = "[Search excerpt, shortened by Discourse: the whole post is at the link.]"
# avatar_template is "/user_avatar/<forum host>/<user>/{size}/...", under the subfolder if there is one.
_AVATAR_HOST_RE = re.compile(r"^(?P<prefix>/[A-Za-z0-9_-]+)?/user_avatar/(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/")
# A saved payload may be a list of pages; lists nested deeper than this are not a Discourse response.
_MAX_LIST_DEPTH = 3
_NOT_POSTS = (
    "expected a Discourse response with posts: /posts.json (latest_posts), /posts/{id}.json (a post), "
    "/t/{id}.json or /t/{id}/posts.json (post_stream.posts) or /search.json (posts)"
)


@dataclass
class Found:
    """A post as found in a response, with what its container says about it."""

    post: dict[str, Any]
    post_id: int
    topic_id: int | None
    post_number: int | None
    created: datetime | None
    title: str = ""
    slug: str = ""
    stream: tuple[int, ...] = ()  # a topic view's every post id, in post-number order
    excerpt: bool = False  # a search result: `blurb` instead of `cooked`


@dataclass
class Chosen:
    """A post a poll hands over."""

    post_id: int
    post: dict[str, Any]
    signature: str = ""
    changed: bool = False  # handed over before, edited or deleted since
    found: Found | None = None

    def remember(self, cursor: Cursor) -> None:
        found = self.found or found_post(self.post)
        cursor.topics.add(found.topic_id, found.post_number, self.post_id)
        if self.signature:
            cursor.latest.recent[str(self.post_id)] = self.signature


def found_post(post: Any, **context: Any) -> Found:
    if not isinstance(post, dict):
        raise PayloadError(f"An entry is not a post object: {clean.preview(post)}")
    post_id = _int(post.get("id"))
    if post_id is None:
        raise PayloadError(f"Post without a usable id: {clean.preview(post)}")
    return Found(
        post=post,
        post_id=post_id,
        topic_id=_int(post.get("topic_id")),
        post_number=_int(post.get("post_number")),
        created=time_of(post.get("created_at")),
        **context,
    )


def build_mention(chosen: Chosen, *, site: Site | None, topics: Topics, staff_are_ours: bool) -> IncomingMention:
    found = chosen.found or found_post(chosen.post)
    post = chosen.post
    if found.created is None:
        shown = clean.preview(post.get("created_at"), 40)
        raise PayloadError(f"Post {found.post_id} has no usable created_at ({shown}).")
    parent, related = topics.links(
        found.topic_id, found.post_number, _int(post.get("reply_to_post_number")), found.post_id, found.stream
    )
    username = clean.handle(post.get("username"))
    updated = time_of(post.get("updated_at"))
    version = _int(post.get("version"))
    if chosen.changed:
        edited_at: datetime | None = updated or datetime.now(tz=UTC)
    else:
        edited_at = updated if version is not None and version > 1 else None
    return IncomingMention(
        external_id=str(found.post_id),
        created_at=found.created,
        text=post_text(post, site, excerpt=found.excerpt),
        # The topic's own title as its quotes show it: a feed entry's markup dropped (cooked.title_text).
        title=clean.line(
            title_text(string_of(found.title or post.get("topic_title"))[: clean.TITLE_MAX * 4]),
            max_length=clean.TITLE_MAX,
        ),
        author_handle=username,
        author_name=clean.line(post.get("name")),
        author_url=f"{site.base_url}/u/{quote(username, safe='')}" if site and username else "",
        permalink=permalink(post, found, site),
        parent_id=parent,
        thread_id=f"topic:{found.topic_id}" if found.topic_id is not None else "",
        related_ids=related,
        deleted=is_deleted(post),
        edited_at=edited_at,
        raw=post,
        by_us=staff_are_ours and is_staff_post(post),
        # The discourse-solved plugin's mark on the post the asker (or staff) accepted as the solution.
        accepted_answer=post.get("accepted_answer") is True,
    )


def is_staff_post(post: dict[str, Any]) -> bool:
    """Posted by the forum's staff (Discourse's staff = admins and moderators)."""
    return any(post.get(flag) is True for flag in ("staff", "admin", "moderator"))


def is_deleted(post: dict[str, Any]) -> bool:
    return bool(post.get("deleted_at")) or post.get("user_deleted") is True or post.get("hidden") is True


def is_skipped(post: Any) -> bool:
    """Whispers, small actions and moderator actions are not mentions."""
    if not isinstance(post, dict):
        return False
    return _int(post.get("post_type")) in SKIPPED_POST_TYPES or bool(post.get("action_code"))


def signature(post: dict[str, Any]) -> str:
    """What changes when a post is edited or deleted (kept in the cursor for the recent posts)."""
    version = _int(post.get("version"))
    updated = string_of(post.get("updated_at"))[:40]
    return f"{version if version is not None else ''}|{updated}|{int(is_deleted(post))}"


def permalink(post: dict[str, Any], found: Found, site: Site | None) -> str:
    post_url = string_of(post.get("post_url"))
    if site is None:
        return clean.url(post_url)
    if post_url.startswith("/") and not post_url.startswith("//"):
        return site.page(post_url)
    slug = found.slug or string_of(post.get("topic_slug"))
    if found.topic_id is not None and found.post_number is not None:
        path = f"/t/{quote(slug, safe='')}/{found.topic_id}/{found.post_number}" if slug else None
        return site.base_url + (path or f"/t/{found.topic_id}/{found.post_number}")
    return f"{site.base_url}/p/{found.post_id}"


def post_text(post: dict[str, Any], site: Site | None, *, excerpt: bool) -> str:
    cooked = string_of(post.get("cooked"))
    if cooked.strip():
        return cooked_to_text(cooked, site.base_url if site else "")
    if excerpt:
        blurb = html_to_text(string_of(post.get("blurb")))
        return f"{blurb}\n\n{SEARCH_EXCERPT_NOTE}" if blurb else ""
    return clean.text(post.get("raw"))


# --- pages -------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One item of a page (a post, or whatever stands where a post should), with its container's context."""

    item: Any
    context: dict[str, Any]
    topic_id: int | None = None  # a topic view's id, for its posts that do not name their topic


def page_entries(payload: Any, *, depth: int = 0) -> list[Entry]:
    """The items of a response, or `PayloadError` when it is not a Discourse response with posts at all."""
    if isinstance(payload, list):
        entries: list[Entry] = []
        for element in payload:
            nested = isinstance(element, list) and depth + 1 < _MAX_LIST_DEPTH
            if nested or (isinstance(element, dict) and _is_page(element)):
                entries.extend(page_entries(element, depth=depth + 1))
            else:
                entries.append(Entry(element, {}))  # a bare post, or junk that is rejected on its own
        return entries
    if not isinstance(payload, dict):
        raise PayloadError(f"{_NOT_POSTS}; got {type(payload).__name__}.")
    if "latest_posts" in payload:
        return [Entry(post, {}) for post in _post_list(payload["latest_posts"], "latest_posts")]
    if "post_stream" in payload:
        return _topic_entries(payload)
    if "posts" in payload and ("grouped_search_result" in payload or "topics" in payload):
        return search_entries(payload, label="search result")
    if isinstance(payload.get("post"), dict):
        return [Entry(payload["post"], {})]
    if _looks_like_post(payload):
        return [Entry(payload, {})]
    if "errors" in payload:
        raise PayloadError(f"this is a Discourse error response ({error_text(payload)}), not posts.")
    raise PayloadError(f"{_NOT_POSTS}; got an object with keys {clean.keys_shown(payload)}.")


def _is_page(value: dict[str, Any]) -> bool:
    return "latest_posts" in value or "post_stream" in value or isinstance(value.get("post"), dict)


def _looks_like_post(value: dict[str, Any]) -> bool:
    return "id" in value and "created_at" in value and ("topic_id" in value or "post_number" in value)


def _post_list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise PayloadError(f'"{name}" must be a list of posts.')
    return value


def _topic_entries(payload: dict[str, Any]) -> list[Entry]:
    stream = payload["post_stream"]
    if not isinstance(stream, dict):
        raise PayloadError('"post_stream" must be an object with a "posts" list.')
    posts = _post_list(stream.get("posts"), "post_stream.posts")
    ids = tuple(i for i in (_int(v) for v in clean.items(stream.get("stream"))) if i is not None)
    context = {"title": string_of(payload.get("title")), "slug": string_of(payload.get("slug")), "stream": ids}
    return [Entry(post, context, topic_id=_int(payload.get("id"))) for post in posts]


def search_entries(payload: Any, *, label: str) -> list[Entry]:
    if not isinstance(payload, dict) or not isinstance(payload.get("posts", []), list):
        raise PayloadError(f'{label}: not a Discourse search result (no "posts" list).')
    grouped = payload.get("grouped_search_result")
    error = grouped.get("error") if isinstance(grouped, dict) else None
    if isinstance(error, str) and error.strip():
        # e.g. "Your search term is too short.": the same query would be refused at every poll.
        raise ConfigError(f'{label}: Discourse refused the search ("query"): {clean.line(error)}')
    topics = {i: t for t in clean.objects(payload.get("topics")) if (i := _int(t.get("id"))) is not None}
    entries = []
    for post in payload.get("posts", []):
        context: dict[str, Any] = {}
        if isinstance(post, dict):
            nested, topic_id = post.get("topic"), _int(post.get("topic_id"))
            listed = topics.get(topic_id) if topic_id is not None else None
            topic = nested if isinstance(nested, dict) else listed or {}
            context = {
                "title": string_of(topic.get("title")),
                "slug": string_of(topic.get("slug")),
                "excerpt": "blurb" in post,
            }
        entries.append(Entry(post, context))
    return entries


def entry_found(entry: Entry) -> Found:
    found = found_post(entry.item, **entry.context)
    if found.topic_id is None:
        found.topic_id = entry.topic_id
    return found


def entry_id(entry: Entry) -> int | None:
    return _int(entry.item.get("id")) if isinstance(entry.item, dict) else None


def by_id(entries: list[Entry]) -> list[Entry]:
    """Oldest post first (ids are the forum's order of creation), items without a usable id last."""
    return sorted(entries, key=lambda e: (entry_id(e) is None, entry_id(e) or 0))


def infer_site(entries: list[Entry]) -> Site | None:
    for entry in entries:
        if isinstance(entry.item, dict):
            match = _AVATAR_HOST_RE.match(string_of(entry.item.get("avatar_template")))
            if match:
                return Site(f"https://{match.group('host').lower()}{match.group('prefix') or ''}")
    return None


def parse_page(payload: Any, *, base_url: str = "", staff_are_ours: bool = False) -> Parsed:
    """Every post of a payload, oldest first, each once; a post that cannot be read is rejected alone.

    A saved payload does not say which forum it came from: without ``base_url`` the forum's host is read
    from the posts' ``avatar_template`` (``/user_avatar/<host>/...``); failing that, links stay relative
    (and are dropped from the text) and permalinks are empty. Threading uses the posts of the payload only."""
    entries = by_id(page_entries(payload))
    site = Site(base_url) if base_url else infer_site(entries)
    topics = Topics()
    seen: set[int] = set()
    contexts: Iterator[Entry] = iter(entries)

    def parse_one(item: Any) -> IncomingMention | None:
        found = entry_found(next(contexts))
        if found.post_id in seen or is_skipped(found.post):
            return None
        seen.add(found.post_id)
        chosen = Chosen(found.post_id, found.post, found=found)
        mention = build_mention(chosen, site=site, topics=topics, staff_are_ours=staff_are_ours)
        topics.add(found.topic_id, found.post_number, found.post_id)
        return mention

    return parse_each([e.item for e in entries], parse_one, id_keys=("id",), platform="discourse")
