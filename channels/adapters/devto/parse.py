"""From Forem API payloads to `IncomingMention`s, item by item: a list of articles (``/api/articles``,
``/api/articles/latest``) or an article's comment tree (``/api/comments?a_id=…``, nested ``children``, walked with
an explicit stack).

Every value is read through `channels.clean`; HTML bodies are made text by `channels.text.html_to_text`. An item
that cannot be read (no id, no usable time, not an object) is rejected on its own, with its raw payload, and the
rest are handed over (`guard.parse_each`). An article is a thread of its own; a comment is threaded under its parent
comment, or under its article when it is a top-level one. A comment's raw payload is the node without its children,
plus ``a_id`` and ``parent_id_code``: where the tree put it, so a dead letter read again threads the same.
"""

from __future__ import annotations

from typing import Any

from channels import clean
from channels.text import html_to_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each

SITE = "https://dev.to"
TREE_NODES_MAX = 20_000  # a comment tree larger than any dev.to thread is cut there


def _user(item: dict[str, Any]) -> tuple[str, str, str]:
    user = clean.mapping(item.get("user"))
    handle = clean.handle(user.get("username"))
    return handle, clean.line(user.get("name")), f"{SITE}/{handle}" if handle else ""


def article_mention(item: Any) -> IncomingMention:
    if not isinstance(item, dict):
        raise ValueError(f"an article must be an object, got {clean.preview(item)}")
    article_id = clean.whole(item.get("id"), minimum=1)
    created = clean.iso_time(item.get("published_at") or item.get("published_timestamp") or item.get("created_at"))
    if article_id is None or created is None:
        raise ValueError("an article needs an id and a publication time")
    handle, name, author_url = _user(item)
    tags = [t.lower() for t in clean.strings(item.get("tag_list"))]
    return IncomingMention(
        external_id=str(article_id),
        created_at=created,
        title=clean.line(item.get("title")),
        # The list answers carry the article's description (its first lines), not its body.
        text=clean.text(item.get("description")),
        author_handle=handle,
        author_name=name,
        author_url=author_url,
        permalink=clean.url(item.get("url")),
        edited_at=clean.iso_time(item.get("edited_at")),
        raw={**clean.raw(item), "tag_list": tags},
    )


def comment_mention(node: Any) -> IncomingMention:
    if not isinstance(node, dict):
        raise ValueError(f"a comment must be an object, got {clean.preview(node)}")
    id_code = clean.ident(node.get("id_code"))
    created = clean.iso_time(node.get("created_at"))
    if not id_code or created is None:
        raise ValueError("a comment needs an id_code and a creation time")
    handle, name, author_url = _user(node)
    article = clean.whole(node.get("a_id"), minimum=1)
    thread = str(article) if article is not None else ""
    body = node.get("body_html")
    return IncomingMention(
        external_id=id_code,
        created_at=created,
        text=html_to_text(body if isinstance(body, str) else ""),
        author_handle=handle,
        author_name=name,
        author_url=author_url,
        permalink=f"{SITE}/{handle}/comment/{id_code}" if handle else "",
        parent_id=clean.ident(node.get("parent_id_code")) or thread,
        thread_id=thread,
        raw=clean.raw({k: v for k, v in node.items() if k != "children"}),
    )


def tree_nodes(tree: list[Any], article_id: int | None) -> list[Any]:
    """Every comment of a tree, parents before children, each a copy of the node without its children and with
    where it sits (``a_id``, ``parent_id_code``); anything that is not an object is kept as it is, to be rejected."""
    nodes: list[Any] = []
    stack: list[tuple[Any, str]] = [(node, "") for node in reversed(tree)]
    while stack and len(nodes) < TREE_NODES_MAX:
        node, parent = stack.pop()
        if not isinstance(node, dict):
            nodes.append(node)
            continue
        flat = {k: v for k, v in node.items() if k != "children"}
        # A node read again from the dead-letter table already says where it sat: kept unless the tree says.
        placed = {"a_id": flat.get("a_id") if article_id is None else article_id}
        nodes.append({**flat, **placed, "parent_id_code": parent or flat.get("parent_id_code", "")})
        children = node.get("children")
        if isinstance(children, list):
            own = clean.ident(node.get("id_code"))
            stack.extend((child, own) for child in reversed(children))
    return nodes


def is_comment(item: Any) -> bool:
    return isinstance(item, dict) and (item.get("type_of") == "comment" or "id_code" in item)


def parse_comments(tree: list[Any], article_id: int | None) -> Parsed:
    return parse_each(tree_nodes(tree, article_id), comment_mention, id_keys=("id_code",), platform="devto")


def parse_articles(items: list[Any]) -> Parsed:
    return parse_each(items, article_mention, id_keys=("id",), platform="devto")


def parse_page(payload: Any) -> Parsed:
    """A saved answer (a list of articles, or a comment tree whose article is unknown: threaded by parent only), or
    one item of it as the dead-letter table keeps it."""
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list):
        raise PayloadError(f"expected a dev.to list of articles or comments, got {clean.preview(payload)}")
    if any(is_comment(item) for item in payload):
        return parse_comments(payload, None)
    return parse_articles(payload)
