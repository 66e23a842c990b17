"""The demo channel's two feeds answered on this machine (channels.demo.replay): the week's entries of this kind
(`demo.py`) that have happened by now, a community blog's as WordPress writes its RSS 2.0 and a project's releases
as GitHub writes `releases.atom` (the shapes of `tests/fixtures/wordpress_dieworkwear.rss` and
`github_releases_oto.atom`), so the demo polls them through the real adapter (conditional GET, feedparser, the
cursor, the keyword filter, intake).

Each feed also lists one entry that does not name the product, which the channel's keywords leave out. An entry's
id and link are made from its title (never from the thread's index), so they are the same at every poll; the body's
ETag is its digest, and a request that sends it back is answered 304 Not Modified, as the real sites do."""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from channels.demo.replay_kit import slug

from .demo import BLOG, BLOG_POSTS, CHANGELOG

if TYPE_CHECKING:
    from channels.demo.replay import DemoPosts

HOSTS = (urlsplit(BLOG).hostname or "", urlsplit(CHANGELOG).hostname or "")
REPOSITORY_ID = 92_187_641
# (title, author, text) of each feed's entry that the keywords leave out, posted an hour after the feed's first entry.
UNRELATED = {
    BLOG: ("KubeCon recap: what platform teams asked about", "Ana Kowalski", "Three themes from the hallway track."),
    CHANGELOG: ("39.11.3", "renovate-release", "Bug fixes: npm: keep the lock file's indentation."),
}


def _entries(feed: str, posts: DemoPosts) -> list[tuple[str, str, str, datetime]]:
    """(title, author, text, time) of the feed's entries by now, newest first as feeds list them."""
    blog = {p["title"] for p in BLOG_POSTS}
    mine = [m for m in posts.mentions if (m.title in blog) == (feed == BLOG) and m.title]
    found = [(m.title, m.author_handle, m.text, m.created_at) for m in mine]
    if mine:
        title, author, text = UNRELATED[feed]
        at = min(m.created_at for m in mine) + timedelta(hours=1)
        if at <= posts.now:
            found.append((title, author, text, at))
    return sorted(found, key=lambda e: e[3], reverse=True)


def wordpress_rss(entries: list[tuple[str, str, str, datetime]]) -> str:
    items = []
    for title, author, text, at in entries:
        link = f"https://www.cncf.io/blog/{at:%Y/%m/%d}/{slug(title) or 'post'}/"
        items.append(
            f"""        <item>
            <title>{escape(title, quote=False)}</title>
            <link>{link}</link>
            <dc:creator><![CDATA[{author}]]></dc:creator>
            <pubDate>{format_datetime(at, usegmt=True)}</pubDate>
            <category><![CDATA[Blog]]></category>
            <guid isPermaLink="false">https://www.cncf.io/?p={10_000 + zlib.crc32(title.encode()) % 90_000}</guid>
            <description><![CDATA[<p>{escape(text, quote=False)}</p>]]></description>
        </item>"""
        )
    newest = format_datetime(entries[0][3], usegmt=True) if entries else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
    <channel>
        <title>CNCF</title>
        <atom:link href="{BLOG}" rel="self" type="application/rss+xml"/>
        <link>https://www.cncf.io/</link>
        <description>Cloud Native Computing Foundation</description>
        <lastBuildDate>{newest}</lastBuildDate>
        <language>en-US</language>
        <generator>https://wordpress.org/?v=6.5.5</generator>
{chr(10).join(items)}
    </channel>
</rss>
"""


def releases_atom(entries: list[tuple[str, str, str, datetime]]) -> str:
    repo = CHANGELOG.removesuffix("/releases.atom")
    items = []
    for title, author, text, at in entries:
        items.append(
            f"""    <entry>
        <id>tag:github.com,2008:Repository/{REPOSITORY_ID}/{title}</id>
        <updated>{at:%Y-%m-%dT%H:%M:%SZ}</updated>
        <link rel="alternate" type="text/html" href="{repo}/releases/tag/{title}"/>
        <title>{escape(title, quote=False)}</title>
        <content type="html">{escape(f"<p>{escape(text, quote=False)}</p>", quote=False)}</content>
        <author>
            <name>{escape(author, quote=False)}</name>
        </author>
    </entry>"""
        )
    newest = f"{entries[0][3]:%Y-%m-%dT%H:%M:%SZ}" if entries else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="en-US">
    <id>tag:github.com,2008:{repo}/releases</id>
    <link type="text/html" rel="alternate" href="{repo}/releases"/>
    <link type="application/atom+xml" rel="self" href="{CHANGELOG}"/>
    <title>Release notes from renovate</title>
    <updated>{newest}</updated>
{chr(10).join(items)}
</feed>
"""


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any, dict[str, str]]:
    url = (request.url or "").split("?")[0]
    if url == BLOG:
        body, kind = wordpress_rss(_entries(BLOG, posts)), "application/rss+xml; charset=UTF-8"
    elif url == CHANGELOG:
        body, kind = releases_atom(_entries(CHANGELOG, posts)), "application/atom+xml; charset=utf-8"
    else:
        return 404, "Not Found", {}
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:20] + '"'
    if request.headers.get("If-None-Match") == etag:
        return 304, b"", {"ETag": etag}
    return 200, body.encode(), {"Content-Type": kind, "ETag": etag}
