"""From Lobsters' JSON to `IncomingMention`s, item by item: a page of stories (``/newest.json``, ``/t/<tags>.json``)
or one story with its ``comments`` (``/s/<short_id>.json``).

Two generations of the shapes are read (tests/fixtures/SOURCES.md): newer Lobsters names a user by a string
(``submitter_user``, ``commenting_user``) and places a comment by ``parent_comment`` and ``depth`` (0 for a top-level
one); older Lobsters sent the user as an object (``username``, ``karma``...) and a comment's ``indent_level`` (1 for a
top-level one) without its parent, which the story's comment order gives (each comment follows its parent, so a
comment's parent is the last one before it one level up).

A story is a thread of its own (external id its ``short_id``); a comment is ``c_<short_id>`` (Lobsters' own anchor:
story and comment ids are counted apart, so the bare ids could meet), threaded under its parent comment or its
story. A comment's raw payload carries ``story_id`` and ``parent_comment``: where the story put it, so a dead letter
read again threads the same. Every value goes through `channels.clean`; an item that cannot be read is rejected on
its own with its payload (`guard.parse_each`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channels import clean
from channels.text import html_to_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from .client import SITE

COMMENT_PREFIX = "c_"
COMMENTS_MAX = 5_000  # a story's comments read at most (Lobsters' busiest threads hold a few hundred)


def user_of(value: Any) -> tuple[str, int | None]:
    """The user's name and, where the older object form gives it, their karma."""
    if isinstance(value, dict):
        return clean.handle(value.get("username")), clean.whole(value.get("karma"), minimum=0)
    return clean.handle(value), None


def _text(item: dict[str, Any], plain: str, rendered: str) -> str:
    text = item.get(plain)
    if isinstance(text, str) and text.strip():
        return clean.text(text.replace("\r\n", "\n"))
    body = item.get(rendered)
    return html_to_text(body if isinstance(body, str) else "")


def _author(handle: str, karma: int | None) -> dict[str, Any]:
    return {
        "author_handle": handle,
        "author_name": handle,
        "author_url": f"{SITE}/~{handle}" if handle else "",
        "author_audience": karma,
        "author_audience_kind": "karma" if karma is not None else "",
    }


def tags_of(item: dict[str, Any]) -> list[str]:
    return [t.lower() for t in clean.strings(item.get("tags"))]


def identified(item: Any, what: str) -> tuple[dict[str, Any], str, datetime]:
    """The item as an object, its short id and its creation time, or ValueError saying which is missing."""
    if not isinstance(item, dict):
        raise ValueError(f"a {what} must be an object, got {clean.preview(item)}")
    short_id, created = clean.ident(item.get("short_id")), clean.iso_time(item.get("created_at"))
    if not short_id or short_id.startswith(COMMENT_PREFIX) or created is None:
        raise ValueError(f"a {what} needs a short_id and a creation time")
    return item, short_id, created


def story_mention(value: Any) -> IncomingMention:
    item, short_id, created = identified(value, "story")
    link = clean.url(item.get("url"))
    # A link story has no text of its own: the link is what it says.
    text = _text(item, "description_plain", "description") or link
    return IncomingMention(
        external_id=short_id,
        created_at=created,
        title=clean.line(item.get("title")),
        text=text,
        permalink=clean.url(item.get("short_id_url")) or clean.url(item.get("comments_url")),
        **_author(*user_of(item.get("submitter_user"))),
        raw={**clean.raw({k: v for k, v in item.items() if k != "comments"}), "tags": tags_of(item)},
    )


def comment_mention(value: Any) -> IncomingMention:
    item, short_id, created = identified(value, "comment")
    story = clean.ident(item.get("story_id"))
    parent = clean.ident(item.get("parent_comment"))
    return IncomingMention(
        external_id=COMMENT_PREFIX + short_id,
        created_at=created,
        text=_text(item, "comment_plain", "comment"),
        permalink=clean.url(item.get("short_id_url")) or clean.url(item.get("url")),
        parent_id=COMMENT_PREFIX + parent if parent else story,
        thread_id=story,
        deleted=item.get("is_deleted") is True or item.get("is_moderated") is True,
        edited_at=_edited(item, created),
        **_author(*user_of(item.get("commenting_user"))),
        raw=clean.raw(item),
    )


def _edited(item: dict[str, Any], created: datetime) -> datetime | None:
    edited = clean.iso_time(item.get("last_edited_at") or item.get("updated_at"))
    return edited if edited is not None and edited > created else None


def _level(item: dict[str, Any]) -> int | None:
    depth = clean.whole(item.get("depth"), minimum=0, maximum=10_000)
    if depth is not None:
        return depth
    indent = clean.whole(item.get("indent_level"), minimum=1, maximum=10_001)
    return indent - 1 if indent is not None else None


def placed_comments(story: dict[str, Any]) -> list[Any]:
    """The story's comments in its order, each a copy with ``story_id`` and its ``parent_comment`` (from the older
    form's levels where it names none); anything that is not an object is kept as it is, to be rejected."""
    story_id = clean.ident(story.get("short_id"))
    comments = story.get("comments")
    placed: list[Any] = []
    above: list[str] = []  # the last comment seen at each level, for the older form
    for item in comments[:COMMENTS_MAX] if isinstance(comments, list) else []:
        if not isinstance(item, dict):
            placed.append(item)
            continue
        level = _level(item)
        own = clean.ident(item.get("short_id"))
        parent = item.get("parent_comment")
        if level is not None:
            del above[level:]
            if "parent_comment" not in item:
                parent = above[-1] if above and len(above) == level else None
            above.append(own)
        placed.append({**item, "story_id": story_id, "parent_comment": parent})
    return placed


def parse_stories(items: list[Any]) -> Parsed:
    return parse_each(items, story_mention, id_keys=("short_id",), platform="lobsters")


def parse_comments(items: list[Any]) -> Parsed:
    return parse_each(items, comment_mention, id_keys=("short_id",), platform="lobsters")


def is_comment(item: Any) -> bool:
    return isinstance(item, dict) and ("commenting_user" in item or "comment" in item) and "title" not in item


def parse_story(story: Any) -> Parsed:
    """One story with its comments: the story, then its comments threaded under it."""
    parsed = parse_stories([story])
    parsed.extend(parse_comments(placed_comments(story) if isinstance(story, dict) else []))
    return parsed


def parse_page(payload: Any) -> Parsed:
    """A saved answer: a page of stories, one story (with its comments), or one comment as the dead-letter table
    keeps it."""
    if is_comment(payload):
        return parse_comments([payload])
    if isinstance(payload, dict):
        return parse_story(payload)
    if not isinstance(payload, list):
        raise PayloadError(f"expected a Lobsters list of stories or a story, got {clean.preview(payload)}")
    return parse_stories(payload)
