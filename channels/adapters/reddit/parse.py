"""From Reddit payloads to `IncomingMention`s, item by item.

Accepted: a Listing (`/r/{sub}/new`, `/r/{sub}/comments`, `/search`, `/api/info`, `/message/mentions`), a list
of them (a comment page `[post listing, comments listing]`), with nested `replies` flattened (walked with an
explicit stack, never recursively), one thing (`{"kind": "t1", "data": {...}}`, a dead letter read again), or
the `{"json": {"errors": [], "data": {"things": [...]}}}` answer of `/api/comment` and `/api/editusertext`.

A payload that is none of these (an error body, a subreddit) is a `PayloadError`. Inside one, every entry is
read on its own (`guard.parse_each`): a child that is not a `{kind, data}` object, a nested Listing whose
`children` is not a list, a comment or post without a usable name or `created_utc` is rejected with its raw
payload; the rest are handed over. Messages (t4), subreddits (t5) and `more` stubs are skipped.

Every value goes through `channels.clean`. Posts (t3) carry their title, a body made of their text and,
for a link post, its URL (a crosspost's relative URL made absolute), and their image, gallery or video as media
(`media.post_media`); comments (t1) carry their post's title,
`parent_id` and `link_id` (the thread; inbox items only have `context`, the thread is read from it).
`created_utc` is the time (never the legacy local `created`); `edited` is false or an epoch float; a
"[deleted]" author has no handle; "[removed]"/"[deleted]" bodies and removed posts are `deleted`. A payload
saved without `raw_json=1` (its HTML fields start with "&lt;") is unescaped once.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from .media import post_media

WEB_URL = "https://www.reddit.com"
USER_URL = WEB_URL + "/user/{user}"
KINDS = ("t1", "t3")  # comment, post
ENTRIES_MAX = 20_000  # a payload holding more things than any Reddit page is cut there
_CONTEXT_LINK_RE = re.compile(r"/comments/([a-z0-9]+)/", re.IGNORECASE)
_PATH_SAFE = "/%_-.~!$&'()*+,;=:@"
_NOT_A_LISTING = (
    "expected a Reddit Listing ({kind: Listing, data: {children: [...]}}), a list of Listings "
    "(a comment page) or an /api/comment answer (json.data.things)"
)


def thing_of(entry: Any) -> tuple[str, dict[str, Any]] | None:
    """(kind, data) of a well-formed child (not a Listing), else None."""
    kind = entry.get("kind") if isinstance(entry, dict) else None
    if isinstance(kind, str) and kind != "Listing" and isinstance(entry.get("data"), dict):
        return entry["kind"], entry["data"]
    return None


def page_entries(payload: Any) -> tuple[list[Any], bool]:
    """Every entry of the payload in reading order (a thing before its replies), well-formed or not, and
    whether its strings are HTML-escaped (saved without raw_json=1). Raises PayloadError for a payload
    that is not a Reddit item payload at all."""
    if isinstance(payload, dict):
        kind = payload.get("kind")
        if payload.get("json") is not None and kind is None:
            return _api_things(payload), False
        if "error" in payload and kind is None:
            raise PayloadError(
                f"this is a Reddit error response (error {clean.preview(payload.get('error'), 40)}: "
                f"{clean.preview(payload.get('message') or payload.get('reason') or '', 100)}), not a Listing."
            )
        if kind != "Listing" and thing_of(payload) is None:
            raise PayloadError(f"{_NOT_A_LISTING}; got an object with keys {clean.keys_shown(payload)}.")
    elif not isinstance(payload, list):
        raise PayloadError(f"{_NOT_A_LISTING}; got {type(payload).__name__}.")
    entries = _flatten(payload)
    escaped = any(_looks_escaped(thing[1]) for thing in map(thing_of, entries) if thing is not None)
    return entries, escaped


def _api_things(payload: dict[str, Any]) -> list[Any]:
    envelope = payload["json"]
    if not isinstance(envelope, dict):
        raise PayloadError(f'Reddit "json" answer is not an object: {clean.preview(envelope)}')
    if envelope.get("errors"):
        raise PayloadError(f"Reddit answered with errors, not items: {clean.preview(envelope['errors'], 300)}")
    things = clean.mapping(envelope.get("data")).get("things")
    if not isinstance(things, list):
        raise PayloadError('Reddit "json" answer without data.things: nothing to ingest.')
    return _flatten(things)


def _flatten(payload: Any) -> list[Any]:
    """Listings opened, things listed with their replies after them; without recursion. A list is opened
    only where Reddit sends one (the payload itself, a thing's replies); anywhere else it is an entry that
    the parser rejects."""
    entries: list[Any] = []
    stack: list[tuple[Any, bool]] = [(payload, True)]
    while stack and len(entries) < ENTRIES_MAX:
        node, list_expected = stack.pop()
        if isinstance(node, list) and list_expected:
            stack.extend((member, False) for member in reversed(node))
        elif isinstance(node, dict) and node.get("kind") == "Listing":
            children = clean.mapping(node.get("data")).get("children")
            if isinstance(children, list):
                stack.extend((child, False) for child in reversed(children))
            else:
                entries.append(node)  # rejected: a Listing without a children list
        else:
            entries.append(node)
            thing = thing_of(node)
            replies = thing[1].get("replies") if thing else None
            if isinstance(replies, dict | list) and replies:  # "" when there are none
                stack.append((replies, True))
    return entries


def _looks_escaped(data: dict[str, Any]) -> bool:
    # Without raw_json=1 Reddit escapes <, > and & in every string, so its HTML fields start
    # with "&lt;div" instead of "<div".
    return any(
        isinstance(data.get(k), str) and data[k].lstrip().startswith("&lt;") for k in ("body_html", "selftext_html")
    )


def _unescape(value: str) -> str:
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def fullname(kind: str, data: dict[str, Any]) -> str:
    name = clean.ident(data.get("name")) if isinstance(data.get("name"), str) else ""
    if name:
        return name
    item_id = clean.ident(data.get("id"))
    return f"{kind}_{item_id}" if item_id and isinstance(data.get("id"), str) else ""


def created_of(data: dict[str, Any]) -> float | None:
    """The item's `created_utc` as epoch seconds, when it is a time a mention can have."""
    moment = clean.epoch(data.get("created_utc"))
    return moment.timestamp() if moment is not None else None


def parse_entries(entries: list[Any], *, escaped: set[int] | bool = False) -> Parsed:
    """The entries' comments and posts, each read on its own (`escaped`: all, or the ids of the entries whose
    page was saved without raw_json=1)."""

    def parse_one(entry: Any) -> IncomingMention | None:
        unescape = escaped if isinstance(escaped, bool) else id(entry) in escaped
        return thing_mention(entry, unescape=unescape)

    parsed = parse_each(entries, parse_one, id_keys=(), platform="reddit")
    parsed.rejected = [dataclasses.replace(r, external_id=_name_of(r.raw)) for r in parsed.rejected]
    return parsed


def _name_of(raw: Any) -> str:
    thing = thing_of(raw)
    return fullname(*thing) if thing else ""


def parse_page(payload: Any) -> Parsed:
    entries, escaped = page_entries(payload)
    return parse_entries(entries, escaped=escaped)


def thing_mention(entry: Any, *, unescape: bool = False) -> IncomingMention | None:
    """One entry as a mention; None for kinds that are not comments or posts."""
    thing = thing_of(entry)
    if thing is None:
        if isinstance(entry, dict) and entry.get("kind") == "Listing":
            raise PayloadError("Reddit Listing without a data.children list.")
        raise PayloadError(f"Reddit listing entry is not a {{kind, data}} object: {clean.preview(entry, 200)}")
    kind, data = thing
    if kind not in KINDS:
        return None
    return mention(kind, data, unescape=unescape)


def mention(kind: str, data: dict[str, Any], *, unescape: bool = False) -> IncomingMention:
    name = fullname(kind, data)
    if not name:
        raise PayloadError(f"Reddit {kind} item without name or id: {clean.preview(data, 200)}")
    created = clean.epoch(data.get("created_utc"))
    if created is None:
        raise clean.Unstorable(
            f"Reddit item {name}: no usable created_utc ({clean.preview(data.get('created_utc'), 40)})."
        )

    def text(key: str) -> str:
        value = clean.text(data.get(key))
        return _unescape(value) if unescape else value

    if kind == "t3":
        selftext, url = text("selftext"), _post_url(text("url"))
        # A link post's body is its URL; newer link posts may carry text as well.
        link = url if data.get("is_self") is not True and url and url not in selftext else ""
        body = "\n\n".join(part for part in (selftext, link) if part) or url
        title = text("title")
        parent_id = thread_id = ""
        media = post_media(data)
    else:
        body = text("body")
        title = text("link_title")
        parent_id = clean.ident(data.get("parent_id"))
        thread_id = clean.ident(data.get("link_id")) or _thread_from_context(data.get("context"))
        media = ()
    author = clean.handle(data.get("author"))
    known_author = bool(author) and author != "[deleted]"
    return IncomingMention(
        external_id=name,
        created_at=created,
        text=body,
        title=title,
        author_handle=author if known_author else "",
        author_name=author,
        author_url=USER_URL.format(user=quote(author, safe="")) if known_author else "",
        permalink=permalink_of(kind, data, name),
        parent_id=parent_id if parent_id != name else "",
        thread_id=thread_id if thread_id != name else "",
        deleted=is_deleted(kind, data),
        edited_at=_edited_at(data.get("edited")),
        media=media,
        raw={"kind": kind, "data": {k: v for k, v in data.items() if k != "replies"}},
    )


def _post_url(url: str) -> str:
    # A crosspost's `url` is the original post's path on Reddit, without the host.
    if url.startswith("/") and not url.startswith("//"):
        url = WEB_URL + url
    return clean.url(url)


def is_deleted(kind: str, data: dict[str, Any]) -> bool:
    body = data.get("body") if kind == "t1" else data.get("selftext")
    if body == "[removed]":
        return True  # removed by moderators or Reddit
    if body == "[deleted]" and data.get("author") == "[deleted]":
        return True  # deleted by its author
    # A removed link post has no body to replace; "automod_filtered" waits for approval.
    category = data.get("removed_by_category")
    return kind == "t3" and isinstance(category, str) and bool(category) and category != "automod_filtered"


def signature(kind: str, data: dict[str, Any]) -> int:
    """What the cursor's `seen` remembers of an item's state: -1 deleted, else its edit time (0 = never)."""
    if is_deleted(kind, data):
        return -1
    edited = _edited_at(data.get("edited"))
    return int(edited.timestamp()) if edited else 0


def _edited_at(value: Any) -> datetime | None:
    # `edited` is false, or the edit time as epoch seconds (very old items: true, time unknown).
    return clean.epoch(value) if clean.number(value) else None


def permalink_of(kind: str, data: dict[str, Any], name: str) -> str:
    relative = clean.text(data.get("permalink")) or clean.text(data.get("context"))  # inbox items: `context`
    if relative.startswith("/") and not relative.startswith("//"):
        return clean.url(WEB_URL + quote(relative.split("?", 1)[0], safe=_PATH_SAFE))
    if relative.startswith(WEB_URL + "/"):
        return clean.url(quote(relative.split("?", 1)[0], safe=_PATH_SAFE + "#"))
    item_id = name.split("_", 1)[1] if "_" in name else name
    if kind == "t3":
        return clean.url(f"{WEB_URL}/comments/{quote(item_id, safe='')}/")
    link_id = clean.ident(data.get("link_id"))
    if link_id.startswith("t3_"):
        return clean.url(f"{WEB_URL}/comments/{quote(link_id[3:], safe='')}/_/{quote(item_id, safe='')}/")
    return ""


def _thread_from_context(context: Any) -> str:
    match = _CONTEXT_LINK_RE.search(context) if isinstance(context, str) else None
    return f"t3_{match.group(1).lower()}" if match else ""
