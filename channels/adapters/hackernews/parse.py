"""From Hacker News payloads to `IncomingMention`s, item by item: an Algolia search response (``hits``), an
Algolia ``/items/{id}`` tree (nested ``children``, walked with an explicit stack) or a Firebase item.

Every value is read through `channels.clean`. A payload that is none of these shapes is a `PayloadError`; inside
one, an item that cannot be read (no id, no usable time, not an object) is rejected on its own, with its raw
payload, and the rest are handed over.

Stories, jobs and polls keep their title (the ticket's subject) and their text, followed by their link when they
have one (a story may have both). Comments carry the story's title, their parent and their story (the thread).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import quote

from channels import clean
from channels.text import html_to_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each

ITEM_URL = "https://news.ycombinator.com/item?id={id}"
USER_URL = "https://news.ycombinator.com/user?id={user}"
STORY_KINDS = ("story", "job", "poll")  # items with a title of their own
KINDS = (*STORY_KINDS, "comment", "pollopt")
# Raw keys the ingest reads (intake.pipeline.seen_again._STORY_SIGNALS, urgency): handed over as clean values.
COUNTS = ("points", "num_comments")
COUNT_MAX = 10**9
TREE_NODES_MAX = 20_000  # an /items/{id} tree larger than any Hacker News thread is cut there
_NOT_HN = "expected an Algolia search response (hits), an /items/{id} tree or a Firebase item, got "


def parse_page(payload: Any) -> Parsed:
    """A saved or fetched response (or a list of them) as mentions and rejected items."""
    pages = payload if isinstance(payload, list) else [payload]
    parsed = Parsed()
    for page in pages:
        if not isinstance(page, dict):
            raise PayloadError(_NOT_HN + clean.preview(page))
        if "hits" in page:
            hits = page["hits"]
            if not isinstance(hits, list):
                raise PayloadError(f'"hits" must be a list, got {clean.preview(hits)}')
            parsed.extend(parse_each(hits, hit_mention, id_keys=("objectID",), platform="hackernews"))
        elif "id" in page and "type" in page and ("created_at_i" in page or "children" in page):
            nodes = tree_nodes(page)
            stories = {id(node): story_id for node, story_id in nodes}

            # `stories` bound now: a function of this loop turn's tree (a lambda's defaults are not typed).
            def tree_mention(node: Any, stories: dict[int, Any] = stories) -> IncomingMention | None:
                return node_mention(node, stories.get(id(node)))

            parsed.extend(parse_each([node for node, _ in nodes], tree_mention, id_keys=("id",), platform="hackernews"))
        elif "id" in page and "time" in page:
            parsed.extend(parse_each([page], firebase_mention, id_keys=("id",), platform="hackernews"))
        else:
            raise PayloadError(_NOT_HN + clean.preview(page))
    return parsed


def parse_item(item: Any) -> Parsed:
    """One raw item as kept in the dead-letter table: an Algolia hit, an /items node or a Firebase item."""
    if isinstance(item, dict) and "objectID" in item:
        return parse_each([item], hit_mention, id_keys=("objectID",), platform="hackernews")
    return parse_page(item)


def _kind(tags: list[str], item: dict[str, Any]) -> str:
    for tag in tags:
        if tag in KINDS:
            return tag
    kind = item.get("type")
    if isinstance(kind, str) and kind in KINDS:
        return kind
    if isinstance(item.get("comment_text"), str):
        return "comment"
    return "story" if isinstance(item.get("title"), str) else "comment"


def story_body(text: Any, url: Any) -> str:
    """A story's text (HTML) and its link, each when present: a story may have both."""
    body = html_to_text(clean.text(text))
    link = clean.url(url)
    return "\n\n".join(part for part in (body, link) if part)


def _count(value: Any) -> int | None:
    return clean.whole(value, minimum=-COUNT_MAX, maximum=COUNT_MAX)


def _raw(item: dict[str, Any], *, drop: tuple[str, ...]) -> dict[str, Any]:
    raw = {k: v for k, v in item.items() if k not in drop}
    for key in COUNTS:
        if key in raw:
            raw[key] = _count(raw[key])
    if "_tags" in raw:
        raw["_tags"] = clean.strings(raw["_tags"])
    return raw


def _created(item: dict[str, Any], object_id: str, *, epoch_key: str) -> datetime:
    if item.get(epoch_key) is not None:
        created = clean.epoch(item.get(epoch_key))
    else:
        created = clean.iso_time(item.get("created_at"))
    if created is None:
        raise clean.Unstorable(
            f"item {object_id}: no usable time ({epoch_key} {clean.preview(item.get(epoch_key), 40)}, "
            f"created_at {clean.preview(item.get('created_at'), 40)})"
        )
    return created


class _Said(NamedTuple):
    """What an item says, and where it stands: its text, its title, its parent and its thread."""

    text: str
    title: str = ""
    parent_id: str = ""
    thread_id: str = ""


def _said(item: dict[str, Any], kind: str, *, text_key: str, comment: _Said) -> _Said:
    """A story (job, poll) says its own title and its text followed by its link, and stands in no thread; a comment
    is `comment`, read from the item's own keys by the caller (each payload names them differently)."""
    if kind in STORY_KINDS:
        return _Said(story_body(item.get(text_key), item.get("url")), clean.line(item.get("title")))
    return comment


def _object_id(item: Any, *, key: str, what: str) -> str:
    """The item's id (`key`); an item that is not an object, or has no id, is refused."""
    if not isinstance(item, dict):
        raise PayloadError(f"{what} is not an object: {clean.preview(item)}")
    object_id = clean.ident(item.get(key))
    if not object_id:
        raise PayloadError(f"{what} without {key}: {clean.preview(item)}")
    return object_id


def _mention(object_id: str, created: datetime, author: Any, said: _Said, raw: dict[str, Any]) -> IncomingMention:
    handle = clean.handle(author)
    text, title, parent_id, thread_id = said
    return IncomingMention(
        external_id=object_id,
        created_at=created,
        text=text,
        title=title,
        author_handle=handle,
        author_name=handle,
        author_url=USER_URL.format(user=quote(handle)) if handle else "",
        permalink=ITEM_URL.format(id=quote(object_id)),
        parent_id=parent_id if parent_id != object_id else "",
        thread_id=thread_id if thread_id != object_id else "",
        raw=raw,
    )


def hit_mention(hit: Any) -> IncomingMention:
    """One Algolia search hit."""
    object_id = _object_id(hit, key="objectID", what="hit")
    created = _created(hit, object_id, epoch_key="created_at_i")
    kind = _kind(clean.strings(hit.get("_tags")), hit)
    comment = _Said(
        html_to_text(clean.text(hit.get("comment_text") if kind == "comment" else hit.get("story_text"))),
        clean.line(hit.get("story_title")),
        clean.ident(hit.get("parent_id")),
        clean.ident(hit.get("story_id")),
    )
    said = _said(hit, kind, text_key="story_text", comment=comment)
    # _highlightResult is a marked-up copy of the text: not worth keeping.
    raw = _raw(hit, drop=("_highlightResult", "_snippetResult"))
    return _mention(object_id, created, hit.get("author"), said, raw)


def tree_nodes(root: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    """The nodes of an /items/{id} tree in reading order (each with its story id), without recursion."""
    nodes: list[tuple[Any, Any]] = []
    stack: list[tuple[Any, Any]] = [(root, root.get("story_id"))]
    while stack and len(nodes) < TREE_NODES_MAX:
        node, story_id = stack.pop()
        nodes.append((node, story_id))
        if not isinstance(node, dict):
            continue
        if node.get("type") == "story":
            story_id = node.get("id")
        elif node.get("story_id") is not None:
            story_id = node.get("story_id")
        stack.extend((child, story_id) for child in reversed(clean.items(node.get("children"))))
    return nodes


def node_mention(node: Any, story_id: Any = None) -> IncomingMention | None:
    """One node of an /items/{id} tree; a deleted comment (no author) is skipped."""
    object_id = _object_id(node, key="id", what="item")
    kind = _kind([], node)
    if kind not in STORY_KINDS and node.get("author") is None:
        return None  # deleted comments keep their place in the tree, without author or text
    created = _created(node, object_id, epoch_key="created_at_i")
    raw = _raw(node, drop=("children",))
    thread_id = clean.ident(node.get("story_id")) or clean.ident(story_id)
    comment = _Said(html_to_text(clean.text(node.get("text"))), "", clean.ident(node.get("parent_id")), thread_id)
    return _mention(object_id, created, node.get("author"), _said(node, kind, text_key="text", comment=comment), raw)


def firebase_mention(item: Any) -> IncomingMention | None:
    """A Firebase item (``/v0/item/{id}.json``); deleted and dead items are skipped. Its ``score`` and
    ``descendants`` are also handed over as ``points`` and ``num_comments``, the keys the ingest reads."""
    object_id = _object_id(item, key="id", what="item")
    if item.get("deleted") is True or item.get("dead") is True:
        return None
    created = _created(item, object_id, epoch_key="time")
    kind = _kind([], item)
    raw = _raw(item, drop=())
    if kind in STORY_KINDS:
        raw.setdefault("points", _count(item.get("score")))
        raw.setdefault("num_comments", _count(item.get("descendants")))
    parent_id = clean.ident(item.get("parent") or item.get("poll"))
    comment = _Said(html_to_text(clean.text(item.get("text"))), "", parent_id)
    return _mention(object_id, created, item.get("by"), _said(item, kind, text_key="text", comment=comment), raw)
