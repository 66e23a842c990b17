"""Reading release posts: from the blog's feed (the status feeds' reader, stories.incidents.parse, which reads it as the
feed platform reads its feeds: channels.feed_xml's bounds, then feedparser) and from a Slack message carrying the
post's link.

Everything read is untrusted text: the title and the features are plain text (HTML taken out, one line, cut), shown
through the templates' autoescape and never marked safe; links are http(s) only (channels.clean.url)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from channels import clean
from channels.adapters.feed.parse import entry_title
from stories.incidents.parse import entry_times, xml_entries

FEATURES = 3
FEATURE_CHARS = 200
MAX_ENTRIES = 50
SCHEDULED_AHEAD = timedelta(days=92)  # a post dated ahead: scheduled for its release day, a quarter at most
_VERSION = re.compile(r"\b(\d+\.\d+(?:\.\d+)?)\b")
_SLUG_VERSION = re.compile(r"(?<!\d)(\d+)-(\d+)(?:-(\d+))?(?![\d])")
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_BARE_LINK = re.compile(r"https?://[^\s<>|]+")


@dataclass(frozen=True)
class ReleasePost:
    url: str
    title: str
    version: str
    published_at: datetime | None
    features: tuple[str, ...]


def version_of(title: str, url: str = "") -> str:
    """The version a post announces: "18.6" in its title, else in its address's slug ("gitlab-18-6-released")."""
    found = _VERSION.search(title or "")
    if found:
        return found.group(1)
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] if url else ""
    parts = _SLUG_VERSION.search(slug)
    return ".".join(p for p in parts.groups() if p) if parts else ""


def feed_posts(body: bytes, content_type: str, *, pattern: str) -> list[ReleasePost]:
    """The release posts of a feed's body: entries whose title or link matches `pattern`. Raises FeedError."""
    matcher = re.compile(pattern or ".", re.IGNORECASE)
    out = []
    for entry in xml_entries(body, content_type, limit=MAX_ENTRIES, ahead=SCHEDULED_AHEAD):
        post = _entry_post(entry)
        if post is not None and (matcher.search(post.title) or matcher.search(post.url)):
            out.append(post)
    return out


def _entry_post(entry: dict[str, Any]) -> ReleasePost | None:
    title = entry_title(entry)
    url = clean.url(entry.get("link"))
    if not title or not url:
        return None
    published, updated = entry_times(entry)
    body = entry.get("content") or entry.get("summary")
    features = html_features(body if isinstance(body, str) else "")
    return ReleasePost(url, title, version_of(title, url), published or updated, features)


class _Headings(HTMLParser):
    """The text of a post's h2/h3 headings and of its list items, in order, as plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.items: list[str] = []
        self._open: str | None = None
        self._text: list[str] = []
        self._hidden = 0  # inside <script> or <style>: code, not words

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in ("h2", "h3", "li") and self._open is None:
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag == self._open:
            text = clean.line(" ".join("".join(self._text).split()), max_length=FEATURE_CHARS)
            if text:
                (self.items if tag == "li" else self.headings).append(text)
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None and not self._hidden:
            self._text.append(data)


def html_features(html: str) -> tuple[str, ...]:
    """Three features of a post: its h2/h3 headings, else (or to make up three) its first list items."""
    reader = _Headings()
    try:
        reader.feed(html[:200_000])
        reader.close()
    except Exception:  # html.parser copes with nearly anything; a post it cannot read has no features, not an error
        return ()
    found = list(dict.fromkeys([*reader.headings, *reader.items]))
    return tuple(found[:FEATURES])


def slack_post(text: str) -> ReleasePost | None:
    """The release post a Slack message announces: its first http(s) link (Slack writes <url|label>, or the bare
    url). The title is read from the address's slug, never from the message, which is a person's words."""
    found = _SLACK_LINK.search(text or "") or _BARE_LINK.search(text or "")
    url = clean.url(found.group(1) if found and found.re is _SLACK_LINK else (found.group() if found else ""))
    if not url:
        return None
    return ReleasePost(url, slug_title(url), version_of("", url), None, ())


def slug_title(url: str) -> str:
    """ "https://…/2026/12/18/gitlab-18-7-released/" -> "Gitlab 18.7 released" (admins may edit it)."""
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"\.html?$", "", slug)
    slug = _SLUG_VERSION.sub(lambda m: ".".join(p for p in m.groups() if p), slug)
    words = " ".join(slug.replace("_", "-").split("-")).strip()
    return clean.line(words[:1].upper() + words[1:], max_length=300) or clean.line(url, max_length=300)
