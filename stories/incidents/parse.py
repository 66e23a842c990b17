"""Reading a status page: one conditional GET, and the incidents in its answer.

Two shapes are read: Atlassian Statuspage's JSON (`/api/v2/incidents.json`, `/api/v2/incidents/unresolved.json`
and `/api/v2/summary.json` all carry `incidents: [...]`) and RSS 2.0 / Atom feeds (a Statuspage page's
`history.rss` / `history.atom`, or any other status page's feed), read by feedparser. `auto` tells them apart by
the Content-Type, else by the body's first character.

The body is untrusted: read up to MAX_BYTES, JSON nested too deep is refused, and XML goes to feedparser through
`channels.feed_xml`, which refuses an unknown encoding, entity declarations and external references (a "billion
laughs" feed never reaches feedparser) and reads no more than the entries kept, within bounds on nesting and markup
(issue 69), handing feedparser the bytes as a stream.

Anything wrong is a `FeedError` in short words for the admin (StatusFeed.last_error); nothing here writes.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.conf import settings

from advocacy.fetch_guard import FetchRefused
from channels import clean, feed_xml
from channels.text import html_to_text

MAX_BYTES = 2 * 1024 * 1024
MAX_INCIDENTS = 100  # the newest first, as both shapes list them
ACCEPT = "application/json, application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"
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
    """A conditional GET's answer: not modified, or the body (at most MAX_BYTES) with its new validators."""

    not_modified: bool
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


def feed_get(
    session: requests.Session, url: str, *, etag: str = "", last_modified: str = "", what: str = "The feed"
) -> Got:
    """One conditional GET of a feed (a status page's, or the blog's for release posts: stories.releases), the
    body read up to MAX_BYTES. `what` names the page in the errors. Raises FeedError."""
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = settings.DESK_HTTP_TIMEOUT_SECONDS
    try:
        response = session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=True)
    except requests.Timeout:
        raise FeedError(f"{what} did not answer within {timeout:g} s.") from None
    except FetchRefused as exc:  # its category names the kind of address, never the URL
        raise FeedError(f"{what} is at an address the desk does not fetch: {exc.category}.") from None
    except requests.RequestException as exc:
        raise FeedError(f"{what} could not be reached ({exc.__class__.__name__}).") from None
    with response:
        status = response.status_code
        if status == 304:
            return Got(not_modified=True)
        if status != 200:
            reason = f" {response.reason}" if response.reason else ""
            hint = ": check the feed's address" if status in (404, 410) else ""
            raise FeedError(f"{what} answered HTTP {status}{reason}{hint}.")
        return Got(
            not_modified=False,
            body=_read(response),
            content_type=response.headers.get("Content-Type", ""),
            etag=clean.line(response.headers.get("ETag", ""), max_length=300),
            last_modified=clean.line(response.headers.get("Last-Modified", ""), max_length=100),
        )


def _read(response: requests.Response) -> bytes:
    body = b""
    try:
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > MAX_BYTES:
                raise FeedError(f"The response is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    except requests.RequestException as exc:
        raise FeedError(f"The response could not be read ({exc.__class__.__name__}).") from None
    return body


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


def xml_entries(body: bytes, content_type: str, *, limit: int) -> list[Any]:
    """The first `limit` entries of an RSS or Atom body, as feedparser reads them within channels.feed_xml's bounds
    (see the module's docstring; no relative link resolved). Raises FeedError."""
    try:
        parsed = feed_xml.feed_parse(body, content_type=content_type, limit=limit).result
    except feed_xml.FeedRefused as exc:
        said = str(exc)
        raise FeedError(f"{said[:1].upper()}{said[1:]}.") from None
    if not parsed.get("version") and not parsed.get("entries"):
        raise FeedError("The response is not an RSS or Atom feed.")
    return list(parsed["entries"])[:limit]


def _entry_incident(entry: Any, now: datetime) -> ParsedIncident | None:
    title = entry.get("title", "")
    if (entry.get("title_detail") or {}).get("type") == "text/html":
        title = html_to_text(title)
    name = clean.line(title, max_length=300)
    url = clean.url(entry.get("link"))
    external_id = clean.line(entry.get("id") or url or name, max_length=300)
    if not name or not external_id:
        return None
    published, updated = entry_times(entry)
    started = published or updated or now
    status = _latest_status(entry)
    resolved = (updated or started) if status in OVER else None
    return ParsedIncident(external_id, name, status, url, (url,) if url else (), started, resolved)


def _latest_status(entry: Any) -> str:
    """Statuspage (and pages like it) write each update as "<strong>Resolved</strong> - ...", newest first."""
    contents = [c.get("value", "") for c in entry.get("content") or [] if isinstance(c, dict)]
    for html in [*contents, entry.get("summary", "")]:
        match = _STRONG.search(html or "")
        if match:
            return clean.line(match.group(1), max_length=64).lower()
    return ""


def entry_times(entry: Any, *, ahead: timedelta = timedelta(0)) -> tuple[datetime | None, datetime | None]:
    """An entry's (published, updated) times; up to `ahead` in the future (a release post scheduled for its day).
    Read as stored: feedparser's own get() answers a missing `updated` with `published`, and warns."""
    return _when(dict.get(entry, "published_parsed"), ahead), _when(dict.get(entry, "updated_parsed"), ahead)


def _when(value: Any, ahead: timedelta = timedelta(0)) -> datetime | None:
    """feedparser's time (a UTC struct_time) as an aware datetime in range."""
    if not value:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
        return clean.in_range(moment, now=datetime.now(UTC) + ahead)
    except (TypeError, ValueError, OverflowError):
        return None
