"""From Disqus post objects to `IncomingMention`s.

`page_items` accepts saved or fetched API responses whose ``response`` holds posts: ``forums/listPosts``,
``threads/listPosts``, ``posts/list``, ``categories/listPosts``, ``users/listPosts``, ``posts/getContext``,
``posts/listPopular`` (a list), ``posts/details`` or ``posts/update`` (one post), a list of such envelopes (one
per page), or bare post objects. A response that holds no posts at all (an error envelope, threads, forums) is a
`PayloadError`, and so is ``users/listActivity`` (`refuse_activity`); inside a page each post is parsed on its own
(`guard.parse_each`), so a post that cannot be read is rejected with its raw payload and the others are kept.
Every value is read through `channels.clean`, and nothing here recurses over the payload's nesting (a reply chain
nested thousands deep is cut, not walked).
"""

from __future__ import annotations

import hashlib
import html
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from channels import clean
from channels.text import html_to_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each

logger = logging.getLogger(__name__)

# emailHash too: a hash of an e-mail address is still personal data (it identifies a Gravatar).
PRIVATE_KEYS = frozenset({"email", "ipAddress", "emailHash"})
_NOT_POSTS = (
    'expected a saved Disqus API response with posts: {"code": 0, "response": [...]} from forums/listPosts, '
    "threads/listPosts, posts/list or posts/details"
)


def page_items(payload: Any) -> list[Any]:
    """The items of a response, or `PayloadError` when it is not a Disqus response with posts at all."""
    if isinstance(payload, list):
        items: list[Any] = []
        for element in payload:  # pages (envelopes) or bare posts; nothing deeper is walked
            if isinstance(element, dict) and ("code" in element or "response" in element):
                items.extend(_envelope_items(element))
            else:
                items.append(element)
    elif isinstance(payload, dict):
        items = _envelope_items(payload) if ("code" in payload or "response" in payload) else [payload]
    else:
        raise PayloadError(f"{_NOT_POSTS}; got {clean.preview(payload, 80)}.")
    refuse_activity(items)
    for item in items:
        if is_thread(item):
            raise PayloadError(
                f"Item {clean.preview(item.get('id'), 40)} is a Disqus thread (an article: threads/details, "
                "forums/listThreads), not a comment: save its posts instead (threads/listPosts or forums/listPosts)."
            )
    if items and not any(looks_like_post(item) for item in items):
        keys = clean.keys_shown(clean.mapping(items[0]), 8)
        raise PayloadError(f"Item is not a Disqus post (no id, createdAt and message; keys: {keys}).")
    return items


def is_activity(item: Any) -> bool:
    """An entry of ``users/listActivity``: ``{"type": "post", "object": {...}, "createdAt": ...}``."""
    return isinstance(item, dict) and "type" in item and "object" in item and "id" not in item


def refuse_activity(items: list[Any]) -> None:
    """`PayloadError` when any item is a ``users/listActivity`` entry. That listing is one user's activity on
    every forum (a comment, a thread started, a vote), not the channel forum's comments: even its "post" entries
    are comments on other sites' forums (the recorded one is on "litpark"), so none is stored as a post. Refused
    rather than read as empty, so that a file fed by mistake or an endpoint answering with it says so instead of
    storing nothing quietly."""
    types = Counter(_activity_type(item) for item in items if is_activity(item))
    if types:
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(types.items())[:8])
        raise PayloadError(
            f"This is a Disqus users/listActivity answer ({counts}): one user's activity on every forum, not the "
            "forum's comments. Save forums/listPosts, threads/listPosts or users/listPosts instead."
        )


def _activity_type(entry: dict[str, Any]) -> str:
    kind = entry.get("type")
    return (clean.line(kind, max_length=40) if isinstance(kind, str) else "") or "?"


def _envelope_items(envelope: dict[str, Any]) -> list[Any]:
    code = envelope.get("code")
    response = envelope.get("response")
    if code != 0 or isinstance(code, bool):
        text = clean.line(response, max_length=200) if isinstance(response, str) else clean.preview(response)
        raise PayloadError(f"This is a Disqus API error response (code {clean.preview(code, 20)}: {text}), not posts.")
    if isinstance(response, dict):
        return [response]
    if not isinstance(response, list):
        raise PayloadError('"response" must be a list of posts or one post.')
    return response


def is_thread(item: Any) -> bool:
    return isinstance(item, dict) and ("identifiers" in item or "posts" in item or ("link" in item and "title" in item))


def looks_like_post(item: Any) -> bool:
    return (
        isinstance(item, dict) and "id" in item and "createdAt" in item and ("message" in item or "raw_message" in item)
    )


def identity(item: Any) -> tuple[str, datetime]:
    """(post id, creation time in UTC), or `PayloadError`: without them a post cannot be stored."""
    if not isinstance(item, dict):
        raise PayloadError(f"Item is not a JSON object: {clean.preview(item)}")
    external_id = clean.ident(item.get("id"))
    if not external_id:
        raise PayloadError(f"Post without a usable id: {clean.preview(item.get('id'), 60)}")
    # `createdAt` has no zone ("2011-05-07T04:43:30"): it is UTC. An explicit offset is honoured.
    created = clean.iso_time(item.get("createdAt"))
    if created is None:
        raise PayloadError(f"Post {external_id}: bad createdAt {clean.preview(item.get('createdAt'), 40)}")
    return external_id, created.astimezone(UTC)


def skip_reason(item: dict[str, Any]) -> str:
    if item.get("isSpam") is True:
        return "marked as spam"
    if item.get("isApproved") is False:
        return "not approved (awaiting moderation)"
    return ""


def signature(item: dict[str, Any]) -> str:
    """What `seen` remembers of a post's state: a change means it was edited or deleted."""
    message, raw_message = clean.text_exact(_str(item.get("message"))), clean.text_exact(_str(item.get("raw_message")))
    state = f"{item.get('isDeleted') is True}\n{message}\n{raw_message}"
    return hashlib.sha256(state.encode()).hexdigest()[:12]


def build_mention(item: dict[str, Any], *, noticed: datetime, changed: bool = False) -> IncomingMention:
    """The post as a mention. `changed`: handed over before with another signature (edited or deleted since).
    Disqus gives no edit time: an edit is dated `noticed`, when we saw it."""
    external_id, created = identity(item)
    thread = clean.mapping(item.get("thread"))
    title = clean.line(html.unescape(clean.text(thread.get("clean_title") or thread.get("title"))), max_length=300)
    link = clean.url(thread.get("link")).split("#", 1)[0]
    message = clean.text(item.get("message"))
    text = html_to_text(message) if message else clean.text(item.get("raw_message"))
    handle, name, url = _author(item.get("author"))
    parent = clean.ident(item.get("parent"))
    deleted = item.get("isDeleted") is True
    edited = not deleted and bool(text) and (changed or item.get("isEdited") is True)
    return IncomingMention(
        external_id=external_id,
        created_at=created,
        text=text,
        title=title,
        author_handle=handle,
        author_name=name,
        author_url=url,
        permalink=f"{link}#comment-{external_id}" if link else "",
        parent_id=parent if parent.isdigit() and parent != external_id else "",
        thread_id="",  # on purpose: see the package docstring (the article id stays in raw["thread"])
        deleted=deleted,
        edited_at=noticed if edited else None,
        raw=redacted(item),
    )


def _author(author: Any) -> tuple[str, str, str]:
    """(handle, name, url). Guests (isAnonymous) have no username: their handle is empty."""
    author = clean.mapping(author)
    username = "" if author.get("isAnonymous") is True else clean.handle(author.get("username"))
    name = clean.line(author.get("name")) or username
    return username, name, clean.url(author.get("profileUrl"))


def redacted(item: Any) -> dict[str, Any]:
    """A storable copy (nesting cut at `clean.RAW_MAX_DEPTH`) without `email`, `ipAddress` and `emailHash` at any
    depth (moderator-level responses carry them). Walked with an explicit stack, not recursion."""
    copy = clean.raw(item)
    if not isinstance(copy, dict):
        return {}
    stack: list[Any] = [copy]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in PRIVATE_KEYS & node.keys():
                del node[key]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return copy


def parse_page(payload: Any, *, noticed: datetime | None = None) -> Parsed:
    """Every post of a saved payload, each once; spam and unapproved posts are skipped, as when polling."""
    noticed = noticed or datetime.now(tz=UTC)
    seen: set[str] = set()

    def parse_one(item: Any) -> IncomingMention | None:
        external_id, _created = identity(item)
        reason = skip_reason(item)
        if reason:
            logger.info("disqus: saved payload: post %s not stored: %s", external_id, reason)
            return None
        if external_id in seen:
            return None
        seen.add(external_id)
        return build_mention(item, noticed=noticed)

    return parse_each(page_items(payload), parse_one, id_keys=("id",), platform="disqus")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
