"""From YouTube Data API payloads to `IncomingMention`s, comment by comment: a page of comment threads
(``youtube#commentThreadListResponse``: each thread's ``snippet.topLevelComment`` and the first of its
``replies.comments``), a page of replies (``youtube#commentListResponse``), or one thread or comment as the
dead-letter table keeps it.

A thread's top-level comment is the mention, a thread of its own; each reply is threaded under it (YouTube's
replies are one level deep: ``snippet.parentId`` is always the top-level comment). The text is ``textOriginal``,
what the author typed, where present; else ``textDisplay`` made text (it is HTML unless asked as plain text). The
author's handle is the ``@handle`` YouTube shows (``authorDisplayName``), or their channel id where the name is not a
handle; a comment by one of the team's channels (``authorChannelId.value``) is ours. The permalink opens the video
at the comment: ``https://www.youtube.com/watch?v=VIDEO&lc=COMMENT``. A comment's raw payload is the comment
resource with its video id in its snippet (replies read alone do not carry it), so a dead letter read again links
the same. An item that cannot be read (no id, no time, not an object) is rejected on its own (`guard.parse_each`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from channels import clean
from channels.text import html_to_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each

WATCH_URL = "https://www.youtube.com/watch"
VIDEO_ID_RE = re.compile(r"[A-Za-z0-9_-]{6,20}")


@dataclass(frozen=True)
class Context:
    ours: frozenset[str] = frozenset()  # the team's channel ids: their comments are our replies


def permalink(video_id: str, comment_id: str) -> str:
    if not VIDEO_ID_RE.fullmatch(video_id or "") or not comment_id:
        return ""
    return f"{WATCH_URL}?{urlencode({'v': video_id, 'lc': comment_id})}"


def snippet_of(item: Any) -> dict[str, Any]:
    return clean.mapping(clean.mapping(item).get("snippet"))


def author_channel(snippet: dict[str, Any]) -> str:
    return clean.ident(clean.mapping(snippet.get("authorChannelId")).get("value"))


def _https(link: Any) -> Any:
    # YouTube still writes its channel links as http://www.youtube.com/…; the site answers them over https.
    return (
        "https://" + link[len("http://") :]
        if isinstance(link, str) and link.startswith("http://www.youtube.com/")
        else link
    )


def comment_mention(comment: Any, context: Context) -> IncomingMention:
    if not isinstance(comment, dict) or not isinstance(comment.get("snippet"), dict):
        raise ValueError(f"a comment must be an object with a snippet, got {clean.preview(comment)}")
    snippet = comment["snippet"]
    ident = clean.ident(comment.get("id"))
    created = clean.iso_time(snippet.get("publishedAt"))
    if not ident or created is None:
        raise ValueError("a comment needs an id and a publishedAt")
    video = clean.ident(snippet.get("videoId"))
    parent = clean.ident(snippet.get("parentId"))
    channel = author_channel(snippet)
    display = clean.line(snippet.get("authorDisplayName"))
    handle = display[1:] if display.startswith("@") else channel or display
    original = snippet.get("textOriginal")
    shown = snippet.get("textDisplay")
    text = original if isinstance(original, str) else html_to_text(shown if isinstance(shown, str) else "")
    updated = clean.iso_time(snippet.get("updatedAt"))
    return IncomingMention(
        external_id=ident,
        created_at=created,
        text=text,
        author_handle=clean.handle(handle),
        author_name=display,
        author_url=clean.url(_https(snippet.get("authorChannelUrl"))),
        permalink=permalink(video, ident),
        parent_id=parent,
        thread_id=parent,
        edited_at=updated if updated is not None and updated > created else None,
        by_us=bool(channel) and channel in context.ours,
        raw=clean.raw(comment),
    )


def placed(comment: Any, video_id: str, parent_id: str = "") -> Any:
    """`comment` with the video (and, for a reply, the top-level comment) it belongs to in its snippet, where it
    does not say so itself; anything that is not a comment object is kept as it is, to be rejected."""
    if not isinstance(comment, dict) or not isinstance(comment.get("snippet"), dict):
        return comment
    snippet = dict(comment["snippet"])
    if video_id and not snippet.get("videoId"):
        snippet["videoId"] = video_id
    if parent_id and not snippet.get("parentId"):
        snippet["parentId"] = parent_id
    return {**comment, "snippet": snippet}


def is_thread(item: Any) -> bool:
    return isinstance(item, dict) and (
        item.get("kind") == "youtube#commentThread" or "topLevelComment" in clean.mapping(item.get("snippet"))
    )


def included_replies(thread: dict[str, Any]) -> list[Any]:
    return clean.items(clean.mapping(thread.get("replies")).get("comments"))


def thread_comments(thread: dict[str, Any]) -> Iterator[Any]:
    """The thread's top-level comment, then the replies the thread carries, each placed (`placed`); a thread
    without a top-level comment object is itself the item, to be rejected."""
    snippet = snippet_of(thread)
    video = clean.ident(snippet.get("videoId"))
    top = snippet.get("topLevelComment")
    if not isinstance(top, dict):
        yield thread
        return
    yield placed(top, video)
    top_id = clean.ident(top.get("id")) or clean.ident(thread.get("id"))
    for reply in included_replies(thread):
        yield placed(reply, video, top_id)


def flat_comments(items: list[Any]) -> list[Any]:
    """Threads opened into their comments; comments (and anything else) as they are."""
    flat: list[Any] = []
    for item in items:
        if is_thread(item):
            flat.extend(thread_comments(item))
        else:
            flat.append(item)
    return flat


def parse_comments(comments: list[Any], context: Context) -> Parsed:
    return parse_each(comments, lambda c: comment_mention(c, context), platform="youtube")


def parse_page(payload: Any, context: Context | None = None) -> Parsed:
    """A saved answer (a list response, or a list of threads or comments), or one thread or comment."""
    if isinstance(payload, dict):
        payload = payload.get("items") if "items" in payload else [payload]
    if not isinstance(payload, list):
        raise PayloadError(f"expected a YouTube list of comment threads or comments, got {clean.preview(payload)}")
    return parse_comments(flat_comments(payload), context or Context())
