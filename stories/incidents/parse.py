"""Reading a status page: one conditional GET, and the incidents in its answer.

Two shapes are read: Atlassian Statuspage's JSON (`/api/v2/incidents.json`, `/api/v2/incidents/unresolved.json`
and `/api/v2/summary.json` all carry `incidents: [...]`) and RSS 2.0 / Atom feeds (a Statuspage page's
`history.rss` / `history.atom`, or any other status page's feed), read by feedparser. `auto` tells them apart by
the Content-Type, else by the body's first character.

Both are read as the feed platform reads its feeds, through the channels' HTTP layer: the GET is
channels.adapters.feed.client's (the desk's guarded session, redirects followed hop by hop, the body bounded, what a
status means by the channels' ladder), and an RSS or Atom body is channels.adapters.feed.parse's entries (feedparser
within `channels.feed_xml`'s bounds: an unknown encoding, entity declarations and external references refused, no
more read than the entries kept, issue 69). JSON nested too deep is refused.

Anything wrong is a `FeedError` in short words for the admin (StatusFeed.last_error); nothing here writes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests

from channels import clean
from channels.adapters.base import AdapterError, PayloadError
from channels.adapters.feed.client import fetch_feed
from channels.adapters.feed.parse import entry_title, feed_read

MAX_INCIDENTS = 100  # the newest first, as both shapes list them
# Statuses after which an incident is over (Statuspage's; feeds say them as the latest update's <strong> word).
OVER = frozenset({"resolved", "postmortem", "completed"})
_STRONG = re.compile(r"<strong>\s*([^<]{1,40}?)\s*</strong>", re.IGNORECASE)


class FeedError(Exception):
    """The feed could not be read: the message is for the admin, in a few words."""


@dataclass(frozen=True)
class ParsedIncident:
    external_id: str
    name: str
    status: str
    url: str  # the incident's page (what people link to), or ""
    links: tuple[str, ...]  # every address of it people may share (its page, Statuspage's shortlink)
    started_at: datetime
    resolved_at: datetime | None

    @property
    def over(self) -> bool:
        return self.resolved_at is not None or self.status in OVER


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    incidents: list[ParsedIncident]
    etag: str = ""
    last_modified: str = ""


def feed_fetch(
    session: requests.Session, url: str, *, fmt: str, etag: str = "", last_modified: str = "", now: datetime
) -> Fetched:
    """GET `url` with the stored validators; a 304 is `not_modified`. Raises FeedError."""
    got = feed_get(session, url, etag=etag, last_modified=last_modified, what="The status page")
    if got.not_modified:
        return Fetched(not_modified=True, incidents=[])
    incidents = feed_parse(got.body, content_type=got.content_type, fmt=fmt, now=now)
    return Fetched(not_modified=False, incidents=incidents, etag=got.etag, last_modified=got.last_modified)


@dataclass(frozen=True)
class Got:
    """A conditional GET's answer: not modified, or the body (bounded) with its new validators."""

    not_modified: bool
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


def feed_get(
    session: requests.Session, url: str, *, etag: str = "", last_modified: str = "", what: str = "The feed"
) -> Got:
    """One conditional GET of a feed (a status page's, or the blog's for release posts: stories.releases) through the
    feed platform's client (the module's docstring). `what` names the page in the errors. Raises FeedError."""
    try:
        fetched = fetch_feed(session, url, etag=etag, modified=last_modified)
    except AdapterError as exc:
        said = str(exc)  # "feed <its address, secrets redacted>: what went wrong" (channels.http's label)
        raise FeedError(f"{what} at {said[5:]}." if said.startswith("feed ") else f"{what}: {said}.") from None
    if fetched.not_modified:
        return Got(not_modified=True)
    return Got(
        not_modified=False,
        body=fetched.body,
        content_type=fetched.content_type,
        etag=fetched.etag,
        last_modified=fetched.modified,
    )


def _sentence(said: str) -> str:
    return f"{said[:1].upper()}{said[1:]}."


def feed_parse(body: bytes, *, content_type: str, fmt: str, now: datetime) -> list[ParsedIncident]:
    """The incidents of a response body, newest first as the page lists them. Raises FeedError."""
    shape = fmt if fmt in ("statuspage", "feed") else _detect(body, content_type)
    return statuspage_parse(body) if shape == "statuspage" else xml_feed_parse(body, content_type, now=now)


def _detect(body: bytes, content_type: str) -> str:
    kind = content_type.split(";")[0].strip().lower()
    if kind.endswith(("json", "+json")):
        return "statuspage"
    if kind.endswith(("xml", "+xml")):
        return "feed"
    first = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first in (b"{", b"["):
        return "statuspage"
    if first == b"<":
        return "feed"
    raise FeedError("The response is neither Statuspage JSON nor an RSS or Atom feed.")


# -- Statuspage JSON ---------------------------------------------------------------------------------------------


def statuspage_parse(body: bytes) -> list[ParsedIncident]:
    try:
        data = json.loads(body)
    except RecursionError:
        raise FeedError("The JSON is nested too deeply to read.") from None
    except ValueError:
        raise FeedError("The response is not valid JSON.") from None
    if not isinstance(data, dict) or not isinstance(data.get("incidents"), list):
        raise FeedError('The JSON has no "incidents" list: is this a Statuspage /api/v2/incidents.json address?')
    page = clean.url(clean.mapping(data.get("page")).get("url")).rstrip("/")
    out = []
    for item in clean.objects(data["incidents"])[:MAX_INCIDENTS]:
        incident = _statuspage_incident(item, page)
        if incident is not None:
            out.append(incident)
    return out


def _statuspage_incident(item: dict[str, Any], page: str) -> ParsedIncident | None:
    external_id = clean.ident(item.get("id"), max_length=300)
    name = clean.line(item.get("name"), max_length=300)
    started = clean.iso_time(item.get("started_at")) or clean.iso_time(item.get("created_at"))
    if not external_id or not name or started is None:
        return None
    status = clean.line(item.get("status"), max_length=64).lower()
    resolved = clean.iso_time(item.get("resolved_at"))
    if resolved is None and status in OVER:
        resolved = clean.iso_time(item.get("updated_at")) or started
    url = clean.url(f"{page}/incidents/{external_id}") if page else ""
    shortlink = clean.url(item.get("shortlink"))
    links = tuple(dict.fromkeys(u for u in (url, shortlink) if u))
    return ParsedIncident(external_id, name, status, url or shortlink, links, started, resolved)


# -- RSS and Atom ------------------------------------------------------------------------------------------------


def xml_feed_parse(body: bytes, content_type: str, *, now: datetime) -> list[ParsedIncident]:
    out = []
    for entry in xml_entries(body, content_type, limit=MAX_INCIDENTS):
        incident = _entry_incident(entry, now)
        if incident is not None:
            out.append(incident)
    return out


def xml_entries(body: bytes, content_type: str, *, limit: int, ahead: timedelta = timedelta(0)) -> list[dict[str, Any]]:
    """The first `limit` entries of an RSS or Atom body as the feed platform reads them (channels.adapters.feed.parse's
    plain entries; their times up to `ahead` in the future; no relative link resolved). Raises FeedError."""
    try:
        return feed_read(body, content_type=content_type, limit=limit, ahead=ahead).entries
    except PayloadError as exc:
        raise FeedError(_sentence(str(exc))) from None


def _entry_incident(entry: dict[str, Any], now: datetime) -> ParsedIncident | None:
    name = entry_title(entry)
    url = clean.url(entry.get("link"))
    external_id = clean.line(entry.get("id") or url or name, max_length=300)
    if not name or not external_id:
        return None
    published, updated = entry_times(entry)
    started = published or updated or now
    status = _latest_status(entry)
    resolved = (updated or started) if status in OVER else None
    return ParsedIncident(external_id, name, status, url, (url,) if url else (), started, resolved)


def _latest_status(entry: dict[str, Any]) -> str:
    """Statuspage (and pages like it) write each update as "<strong>Resolved</strong> - ...", newest first."""
    for html in (entry.get("content"), entry.get("summary")):
        match = _STRONG.search(html if isinstance(html, str) else "")
        if match:
            return clean.line(match.group(1), max_length=64).lower()
    return ""


def entry_times(entry: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """An entry's (published, updated) times, as the feed platform read them (in range then, up to what the read
    allowed ahead: not checked against now again)."""
    return _stamp(entry.get("published")), _stamp(entry.get("updated"))


def _stamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None
