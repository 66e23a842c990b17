"""One poll's walks: the latest articles from page 1 down to the last poll's bound, and each followed article's
comment tree. Each page (each tree) is one chunk, handed over with the cursor just after it (`cursor.py`).

Followed articles: the hand-listed ones (config ``articles``) every poll, and those the walk took in (when
``follow_days`` is set) for that many days, a few a poll, those read longest ago first (`Cursor.due`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from channels import clean

from ..base import Gone, PayloadError, PollStopped
from ..guard import parse_each
from ..poll.engine import Page
from ..poll.stored import epoch_of
from .client import Client
from .cursor import Cursor
from .parse import comment_mention, parse_articles, tree_nodes

logger = logging.getLogger(__name__)


def _tags(item: dict[str, Any]) -> list[str]:
    # A list in Forem's list answers, a comma-separated string in its single-article one.
    tags = item.get("tag_list")
    names = tags.split(",") if isinstance(tags, str) else clean.strings(tags)
    return [n.strip().lower() for n in names if n.strip()]


def kept(item: Any, *, tags: list[str], keywords: list[str]) -> bool:
    """Whether the channel wants the article: one of its tags, and one of its keywords in its text. What is not an
    article is kept, for the parser to reject (and the poll to quarantine)."""
    if not isinstance(item, dict):
        return True
    own = _tags(item)
    if tags and not set(tags) & set(own):
        return False
    text = " ".join([clean.text(item.get("title")), clean.text(item.get("description")), *own]).lower()
    return not keywords or any(k in text for k in keywords)


def article_chunks(
    client: Client, cursor: Cursor, *, tags: list[str], keywords: list[str], follow: bool
) -> Iterator[Page]:
    """The latest articles not handed over yet, page by page, each page's oldest first; with `follow`, each one
    kept is followed (its comments read from the next poll on)."""
    page = cursor.page or 1
    while True:
        try:
            items = client.articles("", page=page)
        except PollStopped:
            cursor.page = page if page > 1 else None
            raise
        reached = len(items) < client.per_page  # the last page there is
        fresh = []
        for item in items:
            published = epoch_of(item.get("published_at")) if isinstance(item, dict) else None
            if published is not None and published < cursor.since:
                reached = True  # newest first: everything after this was handed over by an earlier walk
                continue
            ident = clean.ident(item.get("id")) if isinstance(item, dict) else ""
            if ident in cursor.seen:
                continue
            if ident:
                cursor.seen[ident] = published if published is not None else cursor.since
            cursor.walk_read(published)
            if kept(item, tags=tags, keywords=keywords):
                fresh.append(item)
                # Only an article the parser takes (an id, a time): a comment's thread is its article's ticket.
                if follow and ident.isdigit() and published is not None:
                    cursor.follow(ident)
        if reached:
            cursor.walk_finished()
        else:
            cursor.page = page + 1
        yield Page(parse_articles(fresh[::-1]), more=not reached, reads=len(items))
        if reached:
            return
        page += 1


def comment_chunk(client: Client, cursor: Cursor, article: int) -> Iterator[Page]:
    """The article's comments not handed over yet, parents before their replies; nothing for an article gone from
    dev.to, which is forgotten, or one whose answer is unreadable, read again in its turn (the rest of the poll
    goes on: one deleted or broken article must not stop the others being read)."""
    try:
        answer = client.comments(article)
    except Gone as exc:
        then = "no longer followed" if cursor.forget(article) else "remove it from the channel's articles"
        logger.warning("devto: %s; %s", exc, then)
        return
    except PayloadError as exc:
        # Its comments handed over so far stay remembered: the next read hands over only what is new.
        logger.warning("devto: %s; read again in its turn", exc)
        cursor.comments_read(article)
        return
    cursor.comments_read(article)
    nodes = tree_nodes(answer, article)
    seen = cursor.comments.setdefault(str(article), {})
    fresh = []
    for node in nodes:
        ident = clean.ident(node.get("id_code")) if isinstance(node, dict) else ""
        if ident in seen:
            continue
        if ident:
            seen[ident] = epoch_of(node.get("created_at")) or 0
        fresh.append(node)
    yield Page(parse_each(fresh, comment_mention, id_keys=("id_code",), platform="devto"), reads=len(nodes))
