"""Discourse forums (forum.gitlab.com or anyone else's), through the forum's own JSON API.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "base_url": "https://forum.gitlab.com",  # required: https, the forum's root or its subfolder
                                                 # ("https://example.com/forum"), nothing more
        "mode": "latest",               # "latest": every new post on the forum (our own forum);
                                        # "search": the posts matching "query" (someone else's forum)
        "query": "gitlab",              # search mode only (and required there): Discourse search terms,
                                        # without order:/after:/before:, which the adapter adds
        "max_requests_per_poll": 20,    # API calls one poll may make
        "backfill_posts": 50,           # how many of the newest posts the first poll hands over (0: start now)
        "staff_are_ours": true,         # posts by the forum's staff are our replies (see "Our accounts")
    }

Credentials (optional: a forum that allows anonymous reading works without):
``{"api_key": "...", "api_username": "system"}``, sent as the ``Api-Key`` and ``Api-Username`` headers (a
user-scoped key needs no username). They never appear in logs or error messages, and redirects are not
followed: requests would forward these custom headers to whatever host a redirect names.

Latest mode. ``GET /posts.json`` lists the newest public posts, highest id first, 50 a page; ``before=<lowest
id on the page>`` pages back (older versions repeat the ``before`` post on the next page: duplicates are dropped),
and an empty page is the end. A poll walks back until it reaches a post id at or below the cursor's ``high`` (the
highest post id read so far), so it always re-reads at least the newest page. If the request budget or a
429 stops the walk first, the ids not read yet are remembered as a ``gap`` (``{"top": lowest id read, "low":
old high}``) and the next poll, after reading the newest posts, walks the gap until it is closed. ``high``
only ever moves to a post id this fetch read. The first poll hands over at most ``backfill_posts`` of the
newest posts (best effort: whatever the budget allows).

Edits and deletions. ``recent`` keeps a signature (``version|updated_at|deleted``) of the last 500 posts
handed over. A post that is re-read with another signature is handed over again with ``edited_at`` (its
``updated_at``) and ``deleted``, so the ingest updates its text or marks it deleted. Edits inside Discourse's
grace period change ``updated_at`` but not ``version``: both are compared. ``deleted_at``, ``user_deleted`` or
``hidden`` mean deleted. Edits are seen only on the pages a poll reads (at least the newest 50 posts), and
current Discourse leaves deleted and hidden posts out of ``/posts.json`` altogether, so a deletion is seen
only where Discourse still returns the post (topic views for staff, older versions, saved payloads).

Search mode. ``GET /search.json?q=<query> order:latest after:<date>&page=N``, newest first, following
``grouped_search_result.more_full_page_results``. ``after:`` resolves to a day only, so each poll re-reads from
the day before the newest post seen and drops what it already handed over (``seen``: recent ids with their
creation time, kept while the window can still return them). A walk cut short keeps the old ``newest``.
Current Discourse returns only a truncated ``blurb`` of each post in search results (no ``cooked``, no
``version``, no staff flags): the text says so, edits are not seen, and ``staff_are_ours`` cannot apply.

Cursor (``Channel.cursor``, saved by the ingest service with the mentions it covers)::

    {"version": 1, "base_url": "https://forum.gitlab.com", "mode": "latest",
     "latest": {"high": 20218, "gap": null, "recent": {"20218": "3|2026-01-21T23:43:09.090Z|0"}},
     "search": {"query": "gitlab", "newest": "2026-01-21T23:29:42.524Z", "seen": {"20218": 1769038182}},
     "topics": {"2144": [[1, 20089], [29, 20215], [30, 20216]]}}

(only the section of the configured mode is present). Another ``base_url`` starts a new cursor; another mode or
query starts that mode's section again.

Threading. Posts of one topic join one ticket. ``thread_id`` is ``topic:<topic id>`` (stored on the message),
but the ingest resolves thread, parent and related ids against stored *post* ids only, and a post does not
carry the ids of the other posts of its topic: ``reply_to_post_number`` is a number within the topic. So the
cursor's ``topics`` keeps, for the 400 most recently active topics, the ids of the first and the last few posts
handed over (by post number). A post's ``parent_id`` is the id of the post it replies to when that id is known
(from ``topics`` or from the same fetch or payload), else empty; its ``related_ids`` are the other known posts
of its topic, nearest first, ending with the earliest one. A topic view (``/t/{id}.json``) also lists every
post id of the topic (``post_stream.stream``), which is used the same way. A reply in a topic that has dropped
out of ``topics`` opens a new ticket.

Our accounts. ``Channel.our_accounts`` lists our forum usernames: their posts are our replies. Posts by staff
(``staff``, ``admin`` or ``moderator`` true; Discourse counts moderators as staff, volunteers included) are ours
as well when ``staff_are_ours`` is set (handed to the ingest as ``IncomingMention.by_us``).

Text. ``cooked`` (HTML) with relative links made absolute against the forum, emoji images as their ``:code:``,
quote blocks as ``> `` lines under "<user> wrote:", link previews (oneboxes) as their URL; ``raw`` when there is
no ``cooked``. Whispers, small actions and moderator actions (``post_type`` 4, 3, 2) are skipped.

Rate limits: Discourse answers 429 with ``{"extras": {"wait_seconds": N}}`` and (current versions) a
``Retry-After`` header. On the first call of a poll that raises ``RateLimited``; later in a poll the walk stops,
what was read is returned, the gap is remembered and ``FetchResult.not_before`` asks the scheduler to wait.

Other failures: 401/403 -> ``AuthError`` (the key was refused, or the forum does not allow anonymous reading);
404 -> ``ConfigError`` (no forum at ``base_url``); a redirect -> ``AuthError`` to a login page, else
``ConfigError``; a search Discourse refuses ("too short") -> ``ConfigError``; 5xx, timeouts, network errors ->
``TransientError``; a body that is not JSON (an HTML login or maintenance page) -> ``PayloadError``.
``test_connection`` reads ``/site/basic-info.json`` (``/about.json`` on older forums): "Discourse answered: <title>".
"""

from __future__ import annotations

import html
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
from django.conf import settings

from channels.text import clean_text, html_to_text, safe_url

from .base import (
    AuthError,
    ConfigError,
    FetchResult,
    IncomingMention,
    PayloadError,
    PermanentError,
    RateLimited,
    TransientError,
)
from .values import config_keys_check, whole_numbers_check
from .values import finite_number as _number

logger = logging.getLogger(__name__)

LATEST = "/posts.json"
SEARCH = "/search.json"
BASIC_INFO = "/site/basic-info.json"
ABOUT = "/about.json"

DEFAULTS: dict[str, Any] = {
    "mode": "latest",
    "max_requests_per_poll": 20,
    "backfill_posts": 50,
    "staff_are_ours": True,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {
    "max_requests_per_poll": (1, 200),
    "backfill_posts": (0, 5000),
}
MODES = ("latest", "search")
PAGE_SIZE = 50  # posts per page of /posts.json and /search.json
SKIPPED_POST_TYPES = {2, 3, 4}  # moderator action, small action, whisper
RECENT_LIMIT = 500
SEARCH_SEEN_LIMIT = 2000
TOPIC_LIMIT = 400
POSTS_PER_TOPIC = 6  # the first post handed over and the last five
RELATED_LIMIT = 6
SEARCH_EXCERPT_NOTE = "[Search excerpt, shortened by Discourse: the whole post is at the link.]"

# Paths that are Discourse pages, not a subfolder install ("https://forum.gitlab.com/latest" is a mistake).
_ROUTES = {
    "about",
    "admin",
    "badges",
    "c",
    "categories",
    "g",
    "groups",
    "latest",
    "login",
    "new",
    "p",
    "posts",
    "search",
    "session",
    "t",
    "tag",
    "tags",
    "top",
    "u",
    "unread",
    "users",
}
_SUBFOLDER_RE = re.compile(r"[A-Za-z0-9_-]+")
_SEARCH_OPERATORS_RE = re.compile(r"\b(order|after|before):", re.IGNORECASE)
# avatar_template is "/user_avatar/<forum host>/<user>/{size}/...", under the subfolder if there is one.
_AVATAR_HOST_RE = re.compile(r"^(?P<prefix>/[A-Za-z0-9_-]+)?/user_avatar/(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/")


class DiscourseAdapter:
    kind = "discourse"

    # --- config ----------------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        example = '{"base_url": "https://forum.gitlab.com"}'
        config_keys_check(config, allowed={"base_url", "query", *DEFAULTS}, platform="Discourse", example=example)
        result: dict[str, Any] = {**config, "base_url": _clean_base_url(config.get("base_url"))}
        mode = config.get("mode", DEFAULTS["mode"])
        if mode not in MODES:
            raise ConfigError(
                f'"mode" must be "latest" (every new post of the forum) or "search" (posts matching "query"); '
                f"got {mode!r}."
            )
        if mode == "search":
            result["query"] = _clean_query(config.get("query"))
        elif "query" in config:
            raise ConfigError(
                '"query" is only used with "mode": "search"; "latest" mode reads every post of the forum.'
            )
        whole_numbers_check(config, _INT_LIMITS)
        if "staff_are_ours" in config and not isinstance(config["staff_are_ours"], bool):
            raise ConfigError('"staff_are_ours" must be true or false.')
        budget = result.get("max_requests_per_poll", DEFAULTS["max_requests_per_poll"])
        backfill = result.get("backfill_posts", DEFAULTS["backfill_posts"])
        if math.ceil(backfill / PAGE_SIZE) > budget:
            raise ConfigError(
                f'"backfill_posts" ({backfill}) needs {math.ceil(backfill / PAGE_SIZE)} requests of {PAGE_SIZE} '
                f'posts, more than "max_requests_per_poll" ({budget}).'
            )
        return result

    # --- polling ---------------------------------------------------------------------

    def fetch(self, *, channel: Any, session: requests.Session) -> FetchResult:
        config = {**DEFAULTS, **self.validate_config(channel.config)}
        site = _Site(config["base_url"])
        client = _Client(session, site, _credentials(channel), budget=int(config["max_requests_per_poll"]))
        cursor = _Cursor.load(channel.cursor, base_url=site.base_url, config=config)
        if config["mode"] == "search":
            chosen, reads, backlog = self._poll_search(client, cursor, config)
        else:
            chosen, reads, backlog = self._poll_latest(client, cursor, config)

        mentions: list[IncomingMention] = []
        for post in sorted(chosen, key=lambda c: c.post_id):
            try:
                mention = _build(post, site=site, topics=cursor.topics, staff_are_ours=config["staff_are_ours"])
            except PayloadError as exc:
                # One malformed post must not stall the channel: it is skipped, loudly.
                logger.warning("discourse: channel=%s skipped post %s: %s", channel.slug, post.post_id, exc)
                continue
            mentions.append(mention)
            post.remember(cursor)
        cursor.prune()

        now = datetime.now(tz=UTC)
        not_before = None
        if client.stopped is not None:
            not_before = now + timedelta(seconds=client.stopped.retry_after or 60)
            logger.info("discourse: channel=%s stopped early, rate-limited: %s", channel.slug, client.stopped)
        return FetchResult(
            mentions=mentions,
            cursor=cursor.dump(),
            requests_made=client.made,
            not_before=not_before,
            reads=reads,
            platform_status={
                "checked_at": now.isoformat(),
                "rate_limited_until": not_before.isoformat() if not_before else None,
                "backlog": backlog,
            },
        )

    def _poll_latest(self, client: _Client, cursor: _Cursor, config: dict[str, Any]) -> tuple[list[_Chosen], int, bool]:
        state = cursor.latest
        first = state.high is None
        backfill = int(config["backfill_posts"])
        read, complete, lowest = _walk_latest(client, before=None, stop_at=state.high, want=backfill if first else None)
        gap = state.gap
        if first:
            gap = None  # the backfill is best effort: what the budget did not reach is not owed
        elif not complete:
            # Cut short above the old high: the posts in between are read by the next polls.
            gap = _Gap(top=lowest, low=min(state.high, gap.low) if gap else state.high) if lowest else gap
        elif gap is not None and client.can_call():
            older, gap_complete, gap_lowest = _walk_latest(client, before=gap.top, stop_at=gap.low, want=None)
            for post_id, post in older.items():
                read.setdefault(post_id, post)
            gap = None if gap_complete else _Gap(top=gap_lowest or gap.top, low=gap.low)

        def is_new(post_id: int) -> bool:
            if state.high is None or post_id > state.high:
                return True
            return state.gap is not None and state.gap.low < post_id < state.gap.top

        chosen: list[_Chosen] = []
        for post_id in sorted(read, reverse=True):
            post = read[post_id]
            if _skipped(post):
                continue
            signature = _signature(post)
            handed_over = state.recent.get(str(post_id))
            if handed_over is not None:
                if handed_over != signature:  # edited or deleted since we handed it over
                    chosen.append(_Chosen(post_id, post, signature=signature, changed=True))
            elif is_new(post_id):
                if first and len(chosen) >= backfill:
                    continue
                chosen.append(_Chosen(post_id, post, signature=signature))
        if read:
            state.high = max(state.high or 0, max(read))
        state.gap = gap
        return chosen, len(read), gap is not None

    def _poll_search(self, client: _Client, cursor: _Cursor, config: dict[str, Any]) -> tuple[list[_Chosen], int, bool]:
        state = cursor.search
        first = state.newest is None
        backfill = int(config["backfill_posts"])
        query = f"{config['query']} order:latest"
        if state.newest is not None:
            query += f" after:{(state.newest.date() - timedelta(days=1)).isoformat()}"
        read: dict[int, _Found] = {}
        complete = False
        page = 1
        while client.can_call():
            try:
                data = client.get(SEARCH, {"q": query, "page": page})
            except _Stopped:
                break
            found = _search_posts(data, label=f"Discourse {SEARCH}")
            fresh = [f for f in found if f.post_id not in read]
            for item in fresh:
                read[item.post_id] = item
            if not found or not fresh:
                complete = True  # the end, or a server that ignores `page`
                break
            if first and len(read) >= backfill:
                complete = True
                break
            if not _more_search_pages(data, len(found)):
                complete = True
                break
            page += 1

        chosen: list[_Chosen] = []
        newest = state.newest
        for item in sorted(read.values(), key=lambda f: f.post_id, reverse=True):
            if item.created is None or _skipped(item.post):
                continue
            if complete or first:
                newest = item.created if newest is None else max(newest, item.created)
            if str(item.post_id) in state.seen:
                continue
            if first and len(chosen) >= backfill:
                continue
            chosen.append(_Chosen(item.post_id, item.post, found=item))
        state.newest = newest
        for item in read.values():
            if item.created is not None:
                state.seen[str(item.post_id)] = int(item.created.timestamp())
        return chosen, len(read), not complete

    def test_connection(self, *, channel: Any, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = _Client(session, _Site(config["base_url"]), _credentials(channel), budget=2)
        try:
            data, path = client.get(BASIC_INFO), BASIC_INFO
        except _NotFound:  # older Discourse versions have no basic-info
            data, path = client.get(ABOUT), ABOUT
            if isinstance(data, dict) and isinstance(data.get("about"), dict):
                data = data["about"]
        title = clean_text(str(data.get("title") or "")) if isinstance(data, dict) else ""
        if not title:
            raise PayloadError(f"Discourse {path}: the answer has no site title; is base_url a Discourse forum?")
        return f"Discourse answered: {title}"

    # --- parsing ---------------------------------------------------------------------

    def parse_payload(self, payload: Any, *, base_url: str = "") -> list[IncomingMention]:
        """Accepts saved API responses: ``/posts.json`` (``latest_posts``), ``/posts/{id}.json`` (one post),
        ``/t/{id}.json`` and ``/t/{id}/posts.json`` (``post_stream.posts``), ``/search.json`` (``posts`` with a
        ``blurb``), a ``{"post": {...}}`` answer, or a list of any of these or of posts.

        A saved payload does not say which forum it came from: without ``base_url`` the forum's host is read
        from the posts' ``avatar_template`` (``/user_avatar/<host>/...``); failing that, links stay relative
        (and are dropped from the text) and permalinks are empty. Threading uses the posts of the payload only.
        ``staff_are_ours`` is a channel setting: without a channel, only ``our_accounts`` decide what is ours.
        """
        return self._parse(payload, base_url=base_url, staff_are_ours=False)

    def parse_payload_for_channel(self, payload: Any, *, channel: Any) -> list[IncomingMention]:
        """`parse_payload` with the channel's forum address and settings (for `manage.py ingest_payload`)."""
        config = {**DEFAULTS, **self.validate_config(channel.config)}
        return self._parse(payload, base_url=config["base_url"], staff_are_ours=config["staff_are_ours"])

    def _parse(self, payload: Any, *, base_url: str, staff_are_ours: bool) -> list[IncomingMention]:
        found: list[_Found] = []
        _collect(payload, found)
        site = _Site(base_url) if base_url else _infer_site(found)
        topics = _Topics()
        mentions: list[IncomingMention] = []
        unique: dict[int, _Found] = {}
        for item in found:
            unique.setdefault(item.post_id, item)
        for item in sorted(unique.values(), key=lambda f: f.post_id):
            if _skipped(item.post):
                continue
            chosen = _Chosen(item.post_id, item.post, found=item)
            mentions.append(_build(chosen, site=site, topics=topics, staff_are_ours=staff_are_ours))
            topics.add(item.topic_id, item.post_number, item.post_id)
        return mentions


# --- what a poll hands over ---------------------------------------------------------------


@dataclass
class _Found:
    """A post as found in a response, with what its container says about it."""

    post: dict[str, Any]
    post_id: int
    topic_id: int | None
    post_number: int | None
    created: datetime | None
    title: str = ""
    slug: str = ""
    stream: tuple[int, ...] = ()  # a topic view's every post id, in post-number order
    excerpt: bool = False  # a search result: `blurb` instead of `cooked`


@dataclass
class _Chosen:
    post_id: int
    post: dict[str, Any]
    signature: str = ""
    changed: bool = False  # handed over before, edited or deleted since
    found: _Found | None = None

    def remember(self, cursor: _Cursor) -> None:
        found = self.found or _found(self.post)
        cursor.topics.add(found.topic_id, found.post_number, self.post_id)
        if self.signature:
            cursor.latest.recent[str(self.post_id)] = self.signature


def _build(chosen: _Chosen, *, site: _Site | None, topics: _Topics, staff_are_ours: bool) -> IncomingMention:
    found = chosen.found or _found(chosen.post)
    post = chosen.post
    if found.created is None:
        raise PayloadError(f"Post {found.post_id} has no usable created_at ({post.get('created_at')!r}).")
    parent, related = topics.links(
        found.topic_id, found.post_number, _int(post.get("reply_to_post_number")), found.post_id, found.stream
    )
    username = _str(post.get("username"))
    updated = _time(post.get("updated_at"))
    version = _int(post.get("version"))
    if chosen.changed:
        edited_at = updated or datetime.now(tz=UTC)
    else:
        edited_at = updated if version is not None and version > 1 else None
    return IncomingMention(
        external_id=str(found.post_id),
        created_at=found.created,
        text=_text(post, site, excerpt=found.excerpt),
        title=clean_text(found.title or _str(post.get("topic_title"))),
        author_handle=username,
        author_name=clean_text(_str(post.get("name"))),
        author_url=f"{site.base_url}/u/{quote(username, safe='')}" if site and username else "",
        permalink=_permalink(post, found, site),
        parent_id=parent,
        thread_id=f"topic:{found.topic_id}" if found.topic_id is not None else "",
        related_ids=related,
        deleted=is_deleted(post),
        edited_at=edited_at,
        raw=post,
        by_us=staff_are_ours and is_staff_post(post),
    )


def is_staff_post(post: dict[str, Any]) -> bool:
    """Posted by the forum's staff (Discourse's staff = admins and moderators)."""
    return any(post.get(flag) is True for flag in ("staff", "admin", "moderator"))


def is_deleted(post: dict[str, Any]) -> bool:
    return bool(post.get("deleted_at")) or post.get("user_deleted") is True or post.get("hidden") is True


def _skipped(post: dict[str, Any]) -> bool:
    return _int(post.get("post_type")) in SKIPPED_POST_TYPES or bool(post.get("action_code"))


def _signature(post: dict[str, Any]) -> str:
    version = _int(post.get("version"))
    return f"{version if version is not None else ''}|{_str(post.get('updated_at'))}|{int(is_deleted(post))}"


def _permalink(post: dict[str, Any], found: _Found, site: _Site | None) -> str:
    if site is None:
        return safe_url(_str(post.get("post_url")))
    post_url = _str(post.get("post_url"))
    if post_url.startswith("/") and not post_url.startswith("//"):
        return site.page(post_url)
    slug = found.slug or _str(post.get("topic_slug"))
    if found.topic_id is not None and found.post_number is not None:
        path = f"/t/{quote(slug, safe='')}/{found.topic_id}/{found.post_number}" if slug else None
        return site.base_url + (path or f"/t/{found.topic_id}/{found.post_number}")
    return f"{site.base_url}/p/{found.post_id}"


# --- text ----------------------------------------------------------------------------------


def _text(post: dict[str, Any], site: _Site | None, *, excerpt: bool) -> str:
    cooked = post.get("cooked")
    if isinstance(cooked, str) and cooked.strip():
        return cooked_to_text(cooked, site.base_url if site else "")
    if excerpt:
        blurb = html_to_text(_str(post.get("blurb")))
        return f"{blurb}\n\n{SEARCH_EXCERPT_NOTE}" if blurb else ""
    return clean_text(_str(post.get("raw")))


def cooked_to_text(cooked: str, base_url: str = "") -> str:
    """Plain text of a post's ``cooked`` HTML: links absolute against the forum (when its address is known)
    and kept visible, emoji as ``:code:``, quotes as ``> `` lines, link previews as their URL."""
    rewriter = _CookedRewriter(_Site(base_url) if base_url else None)
    rewriter.feed(cooked)
    rewriter.close()
    return rewriter.substitute(html_to_text(rewriter.html()))


_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _CookedRewriter(HTMLParser):
    """Re-emits cooked HTML for `html_to_text`, with the Discourse-specific parts rewritten. A quote's content
    is rendered on its own (nested quotes included) and stands in the output as a placeholder token."""

    def __init__(self, site: _Site | None) -> None:
        super().__init__(convert_charrefs=True)
        self.site = site
        self.quotes: dict[str, str] = {}
        self._buffers: list[list[str]] = [[]]
        self._quote_stack: list[tuple[str, int]] = []  # (username, aside depth) of each open quote
        self._aside_depth = 0
        self._skip: tuple[str, int] | None = None  # (tag, depth) of a subtree left out

    def html(self) -> str:
        while self._quote_stack:  # unclosed quote in malformed HTML: render what it has
            self._end_quote()
        return "".join(self._buffers[0])

    def substitute(self, text: str) -> str:
        """Put the rendered quotes in place of their tokens."""
        for token, quoted in self.quotes.items():
            text = text.replace(token, quoted)
        return text

    def _emit(self, text: str) -> None:
        self._buffers[-1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or f"<{tag}>", void=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], source: str, *, void: bool = False) -> None:
        void = void or tag in _VOID_TAGS
        if self._skip is not None:
            if tag == self._skip[0] and not void:
                self._skip = (tag, self._skip[1] + 1)
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        if tag == "aside" and "quote" in classes:
            self._aside_depth += 1
            self._quote_stack.append((clean_text(values.get("data-username") or ""), self._aside_depth))
            self._buffers.append([])
        elif tag == "aside" and "onebox" in classes:
            url = self._absolute(values.get("data-onebox-src"))
            if url:
                escaped = html.escape(url)
                self._emit(f'<p><a href="{escaped}">{escaped}</a></p>')
                self._skip = ("aside", 1)
            else:
                self._aside_depth += 1
                self._emit(source)
        elif tag == "div" and (classes & {"quote-controls", "meta"} or ("title" in classes and self._quote_stack)):
            self._skip = ("div", 1)  # a quote's "<avatar> user:" line; an image's file name and size
        elif tag in ("svg", "script", "style"):
            self._skip = (tag, 1)
        elif tag == "img" and "emoji" in classes:
            self._emit(html.escape(values.get("alt") or ""))
        elif tag == "a" and classes & {"mention", "mention-group"}:
            self._emit("<a>")  # "@name" alone: the profile link adds nothing
        elif tag == "a":
            url = self._absolute(values.get("href"))
            self._emit(f'<a href="{html.escape(url)}">' if url else "<a>")
        else:
            if tag == "aside":
                self._aside_depth += 1
            self._emit(source)

    def handle_endtag(self, tag: str) -> None:
        if self._skip is not None:
            if tag == self._skip[0]:
                depth = self._skip[1] - 1
                self._skip = (tag, depth) if depth else None
            return
        if tag == "aside":
            if self._quote_stack and self._quote_stack[-1][1] == self._aside_depth:
                self._aside_depth -= 1
                self._end_quote()
                return
            self._aside_depth = max(0, self._aside_depth - 1)
        if tag not in _VOID_TAGS:
            self._emit(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._skip is None:
            self._emit(html.escape(data, quote=False))

    def _end_quote(self) -> None:
        username, _depth = self._quote_stack.pop()
        inner = "".join(self._buffers.pop())
        # Quotes nested in this one were rendered into tokens already: they are put back before the
        # lines get their "> ", so a nested quote reads "> > ".
        text = self.substitute(cooked_to_text(inner, self.site.base_url if self.site else ""))
        quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
        block = f"{username} wrote:\n{quoted}" if username else quoted
        token = f"\ue000{len(self.quotes)}:{id(self)}\ue001"
        self.quotes[token] = block
        self._emit(f"<p>{token}</p>")

    def _absolute(self, url: str | None) -> str:
        url = (url or "").strip()
        if not url or url.startswith("#"):
            return ""
        if self.site is not None:
            url = urljoin(self.site.origin + "/", url)
        return safe_url(url)


# --- saved and fetched payloads --------------------------------------------------------------

_NOT_POSTS = (
    "expected a Discourse response with posts: /posts.json (latest_posts), /posts/{id}.json (a post), "
    "/t/{id}.json or /t/{id}/posts.json (post_stream.posts) or /search.json (posts)"
)


def _collect(payload: Any, out: list[_Found]) -> None:
    if isinstance(payload, list):
        for element in payload:
            _collect(element, out)
        return
    if not isinstance(payload, dict):
        raise PayloadError(f"{_NOT_POSTS}; got {type(payload).__name__}.")
    if "latest_posts" in payload:
        out.extend(_found(post) for post in _post_list(payload["latest_posts"], "latest_posts"))
    elif "post_stream" in payload:
        out.extend(_topic_posts(payload))
    elif "posts" in payload and ("grouped_search_result" in payload or "topics" in payload):
        out.extend(_search_posts(payload, label="search result"))
    elif isinstance(payload.get("post"), dict):
        out.append(_found(payload["post"]))
    elif _looks_like_post(payload):
        out.append(_found(payload))
    elif "errors" in payload:
        raise PayloadError(f"this is a Discourse error response ({_error_text(payload)}), not posts.")
    else:
        keys = ", ".join(sorted(str(k) for k in payload)[:10])
        raise PayloadError(f"{_NOT_POSTS}; got an object with keys {keys}.")


def _looks_like_post(value: dict[str, Any]) -> bool:
    return "id" in value and "created_at" in value and ("topic_id" in value or "post_number" in value)


def _post_list(value: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise PayloadError(f'"{name}" must be a list of posts.')
    for post in value:
        if not isinstance(post, dict):
            raise PayloadError(f'An entry of "{name}" is not a post object: {str(post)[:120]}')
    return value


def _found(post: dict[str, Any], **context: Any) -> _Found:
    post_id = _int(post.get("id"))
    if post_id is None:
        raise PayloadError(f"Post without a usable id: {str(post)[:120]}")
    return _Found(
        post=post,
        post_id=post_id,
        topic_id=_int(post.get("topic_id")),
        post_number=_int(post.get("post_number")),
        created=_time(post.get("created_at")),
        **context,
    )


def _topic_posts(payload: dict[str, Any]) -> list[_Found]:
    stream = payload["post_stream"]
    if not isinstance(stream, dict):
        raise PayloadError('"post_stream" must be an object with a "posts" list.')
    posts = _post_list(stream.get("posts"), "post_stream.posts")
    ids = tuple(i for i in (_int(v) for v in stream.get("stream") or []) if i is not None)
    topic_id = _int(payload.get("id"))
    title = _str(payload.get("title"))
    slug = _str(payload.get("slug"))
    found = []
    for post in posts:
        item = _found(post, title=title, slug=slug, stream=ids)
        if item.topic_id is None:
            item.topic_id = topic_id
        found.append(item)
    return found


def _search_posts(payload: Any, *, label: str) -> list[_Found]:
    if not isinstance(payload, dict) or not isinstance(payload.get("posts", []), list):
        raise PayloadError(f'{label}: not a Discourse search result (no "posts" list).')
    grouped = payload.get("grouped_search_result")
    error = grouped.get("error") if isinstance(grouped, dict) else None
    if isinstance(error, str) and error.strip():
        # e.g. "Your search term is too short.": the same query would be refused at every poll.
        raise ConfigError(f'{label}: Discourse refused the search ("query"): {clean_text(error)[:200]}')
    topics = {}
    for topic in payload.get("topics") or []:
        if isinstance(topic, dict) and _int(topic.get("id")) is not None:
            topics[_int(topic["id"])] = topic
    found = []
    for post in _post_list(payload.get("posts", []), "posts"):
        topic = post.get("topic") if isinstance(post.get("topic"), dict) else topics.get(_int(post.get("topic_id")), {})
        found.append(
            _found(post, title=_str(topic.get("title")), slug=_str(topic.get("slug")), excerpt="blurb" in post)
        )
    return found


def _more_search_pages(data: dict[str, Any], count: int) -> bool:
    grouped = data.get("grouped_search_result")
    if isinstance(grouped, dict) and "more_full_page_results" in grouped:
        return bool(grouped["more_full_page_results"])
    return count >= PAGE_SIZE  # Discourse before 2.x did not say


# --- threading -------------------------------------------------------------------------------


class _Topics:
    """Post ids handed over, per topic: {topic id: {post number: post id}}."""

    def __init__(self, posts: dict[int, dict[int, int]] | None = None) -> None:
        self.posts = posts or {}

    def links(
        self,
        topic_id: int | None,
        post_number: int | None,
        reply_to: int | None,
        post_id: int,
        stream: tuple[int, ...] = (),
    ) -> tuple[str, tuple[str, ...]]:
        """(parent id, related ids nearest first) of a post, from the posts of its topic we know."""
        known = self.posts.get(topic_id, {}) if topic_id is not None else {}
        parent = known.get(reply_to) if reply_to is not None else None
        number = post_number if post_number is not None else math.inf
        candidates = [pid for n, pid in sorted(known.items(), reverse=True) if n < number]
        candidates += [pid for n, pid in sorted(known.items()) if n > number]
        earliest = known[min(known)] if known else None
        if post_id in stream:
            position = stream.index(post_id)
            candidates += reversed(stream[max(0, position - RELATED_LIMIT) : position])
            earliest = stream[0] if position else earliest
        related: list[int] = []
        for pid in candidates:
            if pid not in (post_id, parent, earliest) and pid not in related:
                related.append(pid)
        related = related[: RELATED_LIMIT - 1]
        if earliest is not None and earliest not in (post_id, parent):
            related.append(earliest)
        return (str(parent) if parent is not None else ""), tuple(str(pid) for pid in related)

    def add(self, topic_id: int | None, post_number: int | None, post_id: int) -> None:
        if topic_id is not None and post_number is not None:
            self.posts.setdefault(topic_id, {})[post_number] = post_id

    def pruned(self) -> _Topics:
        """The TOPIC_LIMIT most recently active topics, each with its first post and its last few."""
        newest = sorted(self.posts.items(), key=lambda kv: max(kv[1].values(), default=0), reverse=True)
        kept: dict[int, dict[int, int]] = {}
        for topic_id, posts in newest[:TOPIC_LIMIT]:
            numbers = sorted(posts)
            keep = {numbers[0], *numbers[-(POSTS_PER_TOPIC - 1) :]}
            kept[topic_id] = {n: posts[n] for n in sorted(keep)}
        return _Topics(kept)

    def dump(self) -> dict[str, list[list[int]]]:
        return {str(t): [[n, pid] for n, pid in sorted(posts.items())] for t, posts in self.posts.items()}

    @classmethod
    def load(cls, raw: Any) -> _Topics:
        posts: dict[int, dict[int, int]] = {}
        for topic, rows in (raw if isinstance(raw, dict) else {}).items():
            topic_id = _int(topic)
            if topic_id is None or not isinstance(rows, list):
                continue
            pairs = {
                row[0]: row[1]
                for row in rows
                if isinstance(row, list) and len(row) == 2 and all(_int(v) is not None for v in row)
            }
            if pairs:
                posts[topic_id] = pairs
        return cls(posts)


# --- cursor ----------------------------------------------------------------------------------


@dataclass
class _Gap:
    """Post ids not read yet: below `top` (the lowest id read) and above `low`."""

    top: int
    low: int


@dataclass
class _LatestState:
    high: int | None = None
    gap: _Gap | None = None
    recent: dict[str, str] = field(default_factory=dict)

    def dump(self) -> dict[str, Any]:
        recent = sorted(self.recent.items(), key=lambda kv: int(kv[0]), reverse=True)[:RECENT_LIMIT]
        return {
            "high": self.high,
            "gap": {"top": self.gap.top, "low": self.gap.low} if self.gap else None,
            "recent": dict(recent),
        }

    @classmethod
    def load(cls, raw: Any) -> _LatestState:
        if not isinstance(raw, dict):
            return cls()
        gap = raw.get("gap") if isinstance(raw.get("gap"), dict) else {}
        top, low = _int(gap.get("top")), _int(gap.get("low"))
        recent = raw.get("recent") if isinstance(raw.get("recent"), dict) else {}
        return cls(
            high=_int(raw.get("high")),
            gap=_Gap(top=top, low=low) if top is not None and low is not None and top > low else None,
            recent={str(k): v for k, v in recent.items() if _int(k) is not None and isinstance(v, str)},
        )


@dataclass
class _SearchState:
    query: str
    newest: datetime | None = None
    seen: dict[str, int] = field(default_factory=dict)

    def dump(self) -> dict[str, Any]:
        seen = self.seen
        if self.newest is not None:
            # The next search starts the day before `newest`; Discourse reads that date in the forum's time
            # zone, so one more day is kept.
            floor = datetime.combine(self.newest.date() - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
            seen = {k: t for k, t in seen.items() if t >= floor.timestamp()}
        kept = sorted(seen.items(), key=lambda kv: (kv[1], int(kv[0])), reverse=True)[:SEARCH_SEEN_LIMIT]
        return {
            "query": self.query,
            "newest": self.newest.isoformat(timespec="milliseconds").replace("+00:00", "Z") if self.newest else None,
            "seen": dict(kept),
        }

    @classmethod
    def load(cls, raw: Any, query: str) -> _SearchState:
        if not isinstance(raw, dict) or raw.get("query") != query:
            return cls(query=query)
        seen = raw.get("seen") if isinstance(raw.get("seen"), dict) else {}
        return cls(
            query=query,
            newest=_time(raw.get("newest")),
            seen={str(k): t for k, t in seen.items() if _int(k) is not None and isinstance(t, int)},
        )


@dataclass
class _Cursor:
    base_url: str
    mode: str
    latest: _LatestState
    search: _SearchState
    topics: _Topics

    @classmethod
    def load(cls, raw: Any, *, base_url: str, config: dict[str, Any]) -> _Cursor:
        """Tolerant: a missing or damaged part starts again (the ingest drops what it already has)."""
        mode = config["mode"]
        query = config.get("query", "")
        if not isinstance(raw, dict) or raw.get("base_url") != base_url:
            return cls(base_url, mode, _LatestState(), _SearchState(query), _Topics())
        same_mode = raw.get("mode") == mode
        return cls(
            base_url=base_url,
            mode=mode,
            latest=_LatestState.load(raw.get("latest") if same_mode else None),
            search=_SearchState.load(raw.get("search") if same_mode else None, query),
            topics=_Topics.load(raw.get("topics")),
        )

    def prune(self) -> None:
        self.topics = self.topics.pruned()

    def dump(self) -> dict[str, Any]:
        state = self.search.dump() if self.mode == "search" else self.latest.dump()
        return {
            "version": 1,
            "base_url": self.base_url,
            "mode": self.mode,
            self.mode: state,
            "topics": self.topics.dump(),
        }


# --- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    base_url: str  # "https://forum.example.com" or "https://example.com/forum", no trailing slash

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def subfolder(self) -> str:
        return urlsplit(self.base_url).path.rstrip("/")

    def page(self, path: str) -> str:
        """A forum-relative path ("/t/slug/1/2") as a URL; it may already start with the subfolder."""
        if self.subfolder and (path == self.subfolder or path.startswith(self.subfolder + "/")):
            return self.origin + path
        return self.base_url + path


@dataclass(frozen=True)
class _Credentials:
    api_key: str = field(default="", repr=False)
    api_username: str = ""

    def headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        headers = {"Api-Key": self.api_key}
        if self.api_username:
            headers["Api-Username"] = self.api_username
        return headers


def _credentials(channel: Any) -> _Credentials:
    from channels.secrets import CredentialsUnreadable

    try:
        values = channel.credentials
    except CredentialsUnreadable as exc:
        raise AuthError(str(exc)) from None
    values = values if isinstance(values, dict) else {}
    key, username = values.get("api_key"), values.get("api_username")
    if key not in (None, "") and not isinstance(key, str):
        raise AuthError('Credential "api_key" must be a string: an API key from the forum\'s admin, API keys page.')
    if username not in (None, "") and not isinstance(username, str):
        raise AuthError('Credential "api_username" must be a string: the username the API key acts as.')
    if username and not key:
        raise AuthError('Credential "api_username" is set without "api_key": add the key, or remove both.')
    return _Credentials(api_key=(key or "").strip(), api_username=(username or "").strip())


class _Stopped(Exception):
    """Rate-limited part-way through a poll: stop calling, keep what was read."""


class _NotFound(ConfigError):
    pass


class _Client:
    """One poll's view of the forum: the request budget, and a 429 after a successful call ends the poll's
    walk instead of failing it."""

    def __init__(self, session: requests.Session, site: _Site, credentials: _Credentials, *, budget: int) -> None:
        self.session = session
        self.site = site
        self.credentials = credentials
        self.budget = budget
        self.made = 0
        self.answered = 0
        self.stopped: RateLimited | None = None

    def can_call(self) -> bool:
        return self.made < self.budget and self.stopped is None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        self.made += 1
        try:
            data = discourse_get(self.session, self.site.base_url, path, params, self.credentials)
        except RateLimited as exc:
            if not self.answered:
                raise
            self.stopped = exc
            raise _Stopped(str(exc)) from None
        self.answered += 1
        return data


def _walk_latest(
    client: _Client, *, before: int | None, stop_at: int | None, want: int | None
) -> tuple[dict[int, dict[str, Any]], bool, int | None]:
    """Pages of /posts.json below `before` (None: from the newest) until one reaches an id at or below
    `stop_at`, or `want` regular posts were read. Returns (posts by id, complete, lowest id read)."""
    read: dict[int, dict[str, Any]] = {}
    lowest: int | None = None
    while client.can_call():
        params = {"before": before} if before is not None else None
        try:
            data = client.get(LATEST, params)
        except _Stopped:
            break
        if not isinstance(data, dict) or not isinstance(data.get("latest_posts"), list):
            raise PayloadError(f'Discourse {LATEST}: no "latest_posts" list in the answer: {str(data)[:120]}')
        ids = []
        for post in data["latest_posts"]:
            post_id = _int(post.get("id")) if isinstance(post, dict) else None
            if post_id is None:
                logger.warning("discourse: skipped an entry without a post id: %s", str(post)[:120])
                continue
            ids.append(post_id)
            read.setdefault(post_id, post)
        if not ids:
            return read, True, lowest
        page_low = min(ids)
        lowest = page_low if lowest is None else min(lowest, page_low)
        if stop_at is not None and page_low <= stop_at:
            return read, True, lowest
        if want is not None and sum(not _skipped(p) for p in read.values()) >= want:
            return read, True, lowest
        if before is not None and page_low >= before:
            logger.warning("discourse: %s ignored before=%s; stopping the walk", client.site.base_url, before)
            return read, True, lowest
        before = page_low
    return read, False, lowest


def discourse_get(
    session: requests.Session,
    base_url: str,
    path: str,
    params: dict[str, Any] | None,
    credentials: _Credentials,
) -> Any:
    """GET one API path and return its JSON, mapping failures to what the poller should do.

    Messages name the path, never the credentials."""
    label = f"Discourse {path}"
    secret = credentials.api_key
    try:
        response = session.get(
            base_url + path,
            params=params,
            headers=credentials.headers(),
            timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout:
        raise TransientError(f"{label}: timed out after {settings.DESK_HTTP_TIMEOUT_SECONDS:g}s") from None
    except requests.RequestException as exc:
        raise TransientError(f"{label}: network error ({exc.__class__.__name__})") from None
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    detail = _scrub(f": {_error_text(data)}" if isinstance(data, dict) and data.get("errors") else "", secret)
    if status == 429:
        raise RateLimited(f"{label}: HTTP 429 Too Many Requests{detail}", retry_after=_wait_seconds(data, response))
    if status in (401, 403):
        hint = (
            "the forum refused the API key: check api_key and api_username in the channel's credentials"
            if credentials.api_key
            else "the forum does not let anonymous readers see this: add an API key (api_key, api_username)"
        )
        raise AuthError(f"{label}: HTTP {status}{detail} ({hint})")
    if status == 404:
        raise _NotFound(
            f"{label}: HTTP 404: no Discourse forum answers at {base_url} (check base_url and its subfolder)"
        )
    if 300 <= status < 400:
        location = _scrub(response.headers.get("Location", ""), secret)[:200]
        if re.search(r"/(login|session/sso|auth/)", location):
            raise AuthError(
                f"{label}: the forum redirects to its login page ({location}): it needs an API key "
                "(credentials api_key and api_username)"
            )
        raise ConfigError(f"{label}: HTTP {status} redirect to {location}: set base_url to the forum's address")
    if status >= 500:
        raise TransientError(f"{label}: HTTP {status} {response.reason}{detail}")
    if status >= 400:
        raise PermanentError(f"{label}: HTTP {status} {response.reason}{detail}")
    if data is None:
        raise PayloadError(_not_json(label, response.text, secret))
    return data


def _not_json(label: str, body: str, secret: str) -> str:
    start = body[:2000].lstrip()
    if start.startswith("<"):
        match = re.search(r"<title[^>]*>(.*?)</title>", start, re.IGNORECASE | re.DOTALL)
        title = f" ({clean_text(html.unescape(match.group(1)))[:80]!r})" if match else ""
        return _scrub(
            f"{label}: the forum answered with an HTML page{title}, not JSON: a login page, a proxy or maintenance "
            "page, or base_url is not a Discourse forum",
            secret,
        )
    return _scrub(f"{label}: response is not JSON ({start[:120]!r})", secret)


def _wait_seconds(data: Any, response: requests.Response) -> float | None:
    extras = data.get("extras") if isinstance(data, dict) else None
    for value in (
        extras.get("wait_seconds") if isinstance(extras, dict) else None,
        response.headers.get("Retry-After"),
    ):
        seconds = _number(value)
        if seconds is not None and seconds >= 0:
            return seconds
    return None


def _error_text(data: dict[str, Any]) -> str:
    errors = data.get("errors")
    parts = errors if isinstance(errors, list) else [errors]
    text = "; ".join(clean_text(str(p)) for p in parts if p)
    kind = data.get("error_type")
    return f"{text[:200]}{f' [{kind}]' if isinstance(kind, str) and kind else ''}"


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "REDACTED") if secret else text


# --- config and value helpers ----------------------------------------------------------------


def _clean_base_url(value: Any) -> str:
    example = '"https://forum.gitlab.com"'
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'"base_url" is required: the forum\'s address, e.g. {example}.')
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise ConfigError(f'"base_url" must start with https://, e.g. {example}; got {url[:100]!r}.')
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ConfigError(f'"base_url" {url[:100]!r} has an invalid port.') from None
    if not host:
        raise ConfigError(f'"base_url" {url[:100]!r} has no host name; e.g. {example}.')
    if parts.username or parts.password:
        raise ConfigError('"base_url" must not contain a user name or password: put an API key in the credentials.')
    if parts.query or parts.fragment:
        raise ConfigError(f'"base_url" must not have a ?query or #fragment: just the forum\'s address, e.g. {example}.')
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > 1 or (segments and (not _SUBFOLDER_RE.fullmatch(segments[0]) or segments[0] in _ROUTES)):
        raise ConfigError(
            f'"base_url" must be the forum\'s root (e.g. {example}) or its subfolder (e.g. '
            f'"https://example.com/forum"), not a page of it; got {url[:100]!r}.'
        )
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{port}" if port else ""
    return f"https://{netloc}{'/' + segments[0] if segments else ''}"


def _clean_query(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError('"mode": "search" needs a "query": the Discourse search terms, e.g. "gitlab".')
    query = " ".join(value.split())
    if len(query) > 200:
        raise ConfigError(f'"query" is longer than 200 characters ({len(query)}).')
    if _SEARCH_OPERATORS_RE.search(query):
        raise ConfigError('Leave order:, after: and before: out of "query": the adapter adds them.')
    return query


def _infer_site(found: list[_Found]) -> _Site | None:
    for item in found:
        match = _AVATAR_HOST_RE.match(_str(item.post.get("avatar_template")))
        if match:
            return _Site(f"https://{match.group('host').lower()}{match.group('prefix') or ''}")
    return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
