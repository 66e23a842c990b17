"""From a feed's bytes to its entries, and an entry to an `IncomingMention`.

feedparser reads the body (RSS 0.9x, 1.0 and 2.0, Atom 0.3 and 1.0) through `channels.feed_xml`, which bounds what it
reads: an encoding Python does not know, entity declarations and external references are refused, and the body is
cut after the last whole entry within the entries asked for, the nesting and the markup a reader takes (issue 69:
a hostile 4 MB feed took 54 s). A refusal is a PayloadError, the feed's failure like any malformed body; a cut is
said in `FeedRead.cut`. An entry's HTML becomes text here (`channels.text.html_to_text`, its relative links
resolved against the base feedparser gives its text): stored as text, escaped when shown. Nothing here fetches.

Each entry is first taken out of feedparser's answer as a plain JSON object of the fields the desk reads (`entry_raw`):
that is the item a dead letter keeps, and `entry_mention` reads it again the same way. An entry's id is its
``id``/``guid``, else its link, else a digest of its title and publication time; its time is its publication time,
else its update time, else the feed's own. An entry whose text is edited keeps its id: the walk hands it over once
(`cursor.py`), so an edit is never a new mention. A feed has no replies: each entry is a thread of its own.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from channels import clean
from channels.feed_xml import FeedRefused, feed_parse
from channels.text import html_to_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each

logger = logging.getLogger(__name__)

MAX_BYTES = 4 * 1024 * 1024  # a feed larger than this is not one the desk reads (the client stops there)


@dataclass
class FeedRead:
    """A feed's entries as plain items, newest first as the feed lists them, and what the feed said of itself."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    lenient: str = ""  # feedparser's complaint about a body it still read entries from ("" for a clean one)
    cut: str = ""  # why only part of the body was read (channels.feed_xml's bounds; "" when all of it was)


def _iso(value: Any, ahead: timedelta = timedelta(0)) -> str:
    """feedparser's time (a UTC struct_time) as ISO 8601, or "" for none or one out of range (up to `ahead` in the
    future: a release post scheduled for its day, stories.releases)."""
    if not value:
        return ""
    try:
        now = datetime.now(UTC) + ahead
        moment = clean.in_range(datetime.fromtimestamp(calendar.timegm(value), tz=UTC), now=now)
    except (TypeError, ValueError, OverflowError):
        return ""
    return moment.isoformat() if moment is not None else ""


def entry_raw(entry: Any, *, feed: str, feed_updated: str, ahead: timedelta = timedelta(0)) -> dict[str, Any]:
    """The fields of a feedparser entry the desk reads, as plain JSON (what a dead letter keeps)."""
    contents = [c for c in entry.get("content") or [] if isinstance(c, dict)]
    content = next((c for c in contents if isinstance(c.get("value"), str) and c["value"].strip()), {})
    title_detail = entry.get("title_detail") or {}
    summary_detail = entry.get("summary_detail") or {}
    author = entry.get("author_detail") or {}
    return clean.raw(
        {
            "feed": feed,
            "id": entry.get("id") or "",
            "link": entry.get("link") or "",
            "title": entry.get("title") or "",
            "title_type": title_detail.get("type") or "" if isinstance(title_detail, dict) else "",
            "summary": entry.get("summary") or "",
            "content": content.get("value") or "",
            # What the text's relative links resolve against (xml:base, else the feed's address), as feedparser says.
            "base": content.get("base") or (summary_detail.get("base") if isinstance(summary_detail, dict) else ""),
            "author": entry.get("author") or "",
            "author_href": author.get("href") or "" if isinstance(author, dict) else "",
            "tags": [t.get("term") for t in entry.get("tags") or [] if isinstance(t, dict) and t.get("term")],
            # Read as stored: feedparser's own get() answers a missing `updated` with `published`, and warns.
            "published": _iso(dict.get(entry, "published_parsed"), ahead),
            "updated": _iso(dict.get(entry, "updated_parsed"), ahead),
            "feed_updated": feed_updated,
        }
    )


def feed_read(
    body: bytes, *, content_type: str = "", feed: str = "", limit: int = 500, ahead: timedelta = timedelta(0)
) -> FeedRead:
    """The entries of an RSS or Atom body (at most `limit`, the newest as the feed orders them; their times up to
    `ahead` in the future); a PayloadError for a body that is no feed, or a malformed one with no entry to read
    (feedparser's `bozo` and nothing found). The feed platform reads its feeds here, and so do the status pages' and
    the blog's release posts (stories.incidents.parse)."""
    try:  # relative links resolve against the feed's own address
        read = feed_parse(body, content_type=content_type, base=feed, limit=limit)
    except FeedRefused as exc:
        raise PayloadError(str(exc)) from None
    parsed = read.result
    complaint = clean.line(str(parsed.get("bozo_exception") or ""), max_length=200) if parsed.get("bozo") else ""
    if not parsed.get("entries"):
        if complaint:
            raise PayloadError(f"malformed feed, no entry could be read ({complaint})")
        if not parsed.get("version"):
            raise PayloadError("the answer is not an RSS or Atom feed")
    meta = parsed.get("feed") or {}
    updated = _iso(dict.get(meta, "updated_parsed")) or _iso(dict.get(meta, "published_parsed"))
    entries = [
        entry_raw(e, feed=feed, feed_updated=updated, ahead=ahead) for e in list(parsed.get("entries") or [])[:limit]
    ]
    title = clean.line(meta.get("title"))
    return FeedRead(entries=entries, title=title, lenient=complaint, cut=clean.line(read.cut, max_length=200))


def entry_time(raw: dict[str, Any]) -> datetime | None:
    """When the entry was published: its own time, else its update time, else its feed's."""
    moments = (clean.iso_time(raw.get(key)) for key in ("published", "updated", "feed_updated"))
    return next((moment for moment in moments if moment is not None), None)


def entry_id(raw: dict[str, Any]) -> str:
    """The entry's id: its `id`/`guid`, else its link, else a digest of its title and publication time ("" when it
    has none of them). One too long to store is stored as its digest."""
    link = clean.url(raw.get("link"))
    if link and link == raw.get("feed"):
        link = ""  # an empty href resolves to the feed's own address: no entry's id
    found = clean.line(raw.get("id"), max_length=2 * clean.URL_MAX) or link
    if not found:
        title = clean.line(raw.get("title"), max_length=clean.TITLE_MAX)
        when = clean.line(raw.get("published"), max_length=64)
        found = "sha256:" + hashlib.sha256(f"{title}\n{when}".encode()).hexdigest() if title else ""
    if len(found) > clean.ID_MAX:
        found = "sha256:" + hashlib.sha256(found.encode()).hexdigest()
    return found


def entry_title(raw: dict[str, Any]) -> str:
    """The entry's title as one line of text (an HTML title made text)."""
    title = clean.text(raw.get("title"), max_length=clean.TITLE_MAX * 4)
    if raw.get("title_type") == "text/html":
        title = html_to_text(title)
    return clean.line(title, max_length=clean.TITLE_MAX)


def entry_words(raw: dict[str, Any]) -> str:
    """What a keyword is looked for in: the title, the text and the categories, lower-cased."""
    tags = " ".join(clean.strings(raw.get("tags")))
    return f"{entry_title(raw)}\n{_text(raw)}\n{tags}".casefold()


def _text(raw: dict[str, Any]) -> str:
    body = raw.get("content") or raw.get("summary")
    return html_to_text(body if isinstance(body, str) else "", base=clean.url(raw.get("base")))


def entry_mention(raw: Any) -> IncomingMention:
    if not isinstance(raw, dict):
        raise ValueError(f"a feed entry must be an object, got {clean.preview(raw)}")
    ident = entry_id(raw)
    created = entry_time(raw)
    if not ident or created is None:
        raise ValueError("a feed entry needs an id, a link or a title, and a time (its own or its feed's)")
    author = clean.handle(raw.get("author"))
    updated = clean.iso_time(raw.get("updated"))
    return IncomingMention(
        external_id=ident,
        created_at=created,
        title=entry_title(raw),
        text=_text(raw),
        author_handle=author,
        author_name=author,
        author_url=clean.url(raw.get("author_href")),
        permalink=clean.url(raw.get("link")),  # the entry's link is its permalink
        thread_id=ident,
        edited_at=updated if updated is not None and updated > created else None,
        raw=clean.raw(raw),
    )


def parse_entries(entries: list[Any]) -> Parsed:
    return parse_each(entries, entry_mention, id_keys=("id", "link"), platform="feed")


def parse_page(payload: Any) -> Parsed:
    """A saved feed (its bytes or text), a list of entries as the dead-letter table keeps them, or one of them."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogatepass")
    if isinstance(payload, bytes):
        return parse_entries(list(feed_read(payload).entries))
    if isinstance(payload, dict):
        payload = payload.get("entries") if isinstance(payload.get("entries"), list) else [payload]
    if not isinstance(payload, list):
        raise PayloadError(f"expected a feed, or a list of its entries, got {clean.preview(payload)}")
    return parse_entries(payload)
