"""From Bluesky payloads to `IncomingMention`s, item by item.

Accepted: the answer of `app.bsky.feed.searchPosts` or `getPosts` (`{"posts": [postView...]}`),
`app.bsky.notification.listNotifications` (`{"notifications": [...]}`), `app.bsky.feed.getPostThread`
(`{"thread": threadViewPost}`, parents and replies walked with an explicit stack, never recursively), a feed
(`{"feed": [{"post": ...}]}`), a list of any of those items, or one item (a dead letter read again). Anything
else (an XRPC error body) is a `PayloadError`. Each item is read on its own (`guard.parse_each`): one without a
post's AT URI, its cid or a usable time is rejected with its raw payload, the rest are handed over.
Notifications other than mentions, replies and quotes (likes, reposts, follows), deleted or blocked posts in a
thread, and records that are not posts are skipped.

The AT URI is the id. A reply's `record.reply.parent` and `record.reply.root` are its parent and thread, so it
joins the ticket of its root. The author's handle is the handle ("handle.invalid" or none: the DID); a post by one
of `ours` (the channel's handle and team handles) is our reply. `author.followersCount`, where a hydrated profile
view carries it, is the author's weight. Link facets' shortened text is given back its full address, and a link
card's address is added to the text. Images (`app.bsky.embed.images#view`: thumb and fullsize URLs and alt text),
a video's playlist, or a notification record's image blobs are kept as `media` in the raw payload; those with an
address are the message's attachments (`attachments_of`), listed on the ticket as links.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from channels import clean

from ..base import IncomingMention, Media, PayloadError
from ..guard import Parsed, parse_each
from .config import handle_of

WEB_URL = "https://bsky.app"
POST = "app.bsky.feed.post"
NOTIFIED = frozenset({"mention", "reply", "quote"})  # the notifications that are posts to answer
ENTRIES_MAX = 20_000
MEDIA_MAX = 10
AT_POST = re.compile(
    r"\Aat://(did:[a-z0-9]{1,16}:[A-Za-z0-9._:%-]{1,160})/app\.bsky\.feed\.post/([A-Za-z0-9._~:-]{1,64})\Z"
)
_SKIPPED_NODES = ("#notFoundPost", "#blockedPost")
_NOT_A_PAYLOAD = (
    "expected a Bluesky answer with posts (searchPosts, getPosts), notifications (listNotifications), a thread "
    "(getPostThread) or a feed, a list of their items, or one item"
)
FUTURE_CREATED = timedelta(minutes=5)


def post_uri(value: Any) -> str:
    """`value` if it is the AT URI of a post, else ""."""
    return value if isinstance(value, str) and AT_POST.match(value) else ""


def did_and_rkey(uri: str) -> tuple[str, str]:
    match = AT_POST.match(uri)
    return (match.group(1), match.group(2)) if match else ("", "")


def page_entries(payload: Any) -> list[Any]:
    """Every item of the payload in reading order, well-formed or not; PayloadError for a payload that holds no
    Bluesky items at all."""
    if isinstance(payload, list):
        return _flatten(payload)
    if not isinstance(payload, dict):
        raise PayloadError(f"{_NOT_A_PAYLOAD}; got {type(payload).__name__}.")
    for key in ("posts", "notifications", "feed"):
        if isinstance(payload.get(key), list):
            return _flatten(payload[key])
    if isinstance(payload.get("thread"), dict):
        return _flatten([payload["thread"]])
    if "error" in payload and "uri" not in payload:
        raise PayloadError(
            f"this is a Bluesky error answer ({clean.preview(payload.get('error'), 60)}: "
            f"{clean.preview(payload.get('message') or '', 120)}), not posts."
        )
    if "uri" in payload or "post" in payload:
        return _flatten([payload])
    raise PayloadError(f"{_NOT_A_PAYLOAD}; got an object with keys {clean.keys_shown(payload)}.")


def _flatten(items: list[Any]) -> list[Any]:
    """The items with thread views and feed items opened (their post, a thread's parents and replies), in
    reading order, without recursion; deleted and blocked posts of a thread left out."""
    found: list[Any] = []
    stack: list[Any] = list(reversed(items))
    while stack and len(found) < ENTRIES_MAX:
        node = stack.pop()
        if not isinstance(node, dict) or "post" not in node:
            if not (isinstance(node, dict) and str(node.get("$type", "")).endswith(_SKIPPED_NODES)):
                found.append(node)
            continue
        found.append(node["post"])
        replies = node.get("replies")
        if isinstance(replies, list):
            stack.extend(reversed(replies))
        parent = node.get("parent")
        if isinstance(parent, dict):
            stack.append(parent)
    return found


def parse_entries(entries: list[Any], *, ours: frozenset[str] = frozenset()) -> Parsed:
    return parse_each(entries, lambda entry: item_mention(entry, ours=ours), id_keys=("uri",), platform="bluesky")


def parse_page(payload: Any, *, ours: frozenset[str] = frozenset()) -> Parsed:
    return parse_entries(page_entries(payload), ours=ours)


def item_mention(entry: Any, *, ours: frozenset[str] = frozenset()) -> IncomingMention | None:
    """One item as a mention; None for an item that is rightly skipped (a like, a follow, a record that is not a
    post). `ours`: lowercased handles and DIDs whose posts are our replies."""
    if not isinstance(entry, dict):
        raise PayloadError(f"Bluesky item is not an object: {clean.preview(entry, 200)}")
    record = entry.get("record")
    if "reason" in entry and (entry.get("reason") not in NOTIFIED):
        return None  # a like, repost or follow of ours: nobody to answer
    if isinstance(record, dict) and record.get("$type") not in (None, POST):
        return None
    return post_mention(entry, ours=ours)


def post_mention(view: dict[str, Any], *, ours: frozenset[str] = frozenset()) -> IncomingMention:
    uri = post_uri(view.get("uri"))
    if not uri:
        raise PayloadError(f"Bluesky item without a post's AT URI: {clean.preview(view.get('uri'), 120)}")
    cid = clean.ident(view.get("cid"))
    if not cid:
        raise PayloadError(f"Bluesky post {uri} without its cid (a reply to it could not name it).")
    record = clean.mapping(view.get("record"))
    created = created_of(record.get("createdAt"), view.get("indexedAt"))
    if created is None:
        raise clean.Unstorable(f"Bluesky post {uri}: no usable createdAt or indexedAt.")
    did, rkey = did_and_rkey(uri)
    author = clean.mapping(view.get("author"))
    handle = handle_of(author.get("handle"))
    handle = "" if handle == "handle.invalid" else handle
    shown = handle or did
    reply = clean.mapping(record.get("reply"))
    parent = post_uri(clean.mapping(reply.get("parent")).get("uri"))
    root = post_uri(clean.mapping(reply.get("root")).get("uri"))
    followers = clean.whole(author.get("followersCount"), minimum=0)
    # Facets count UTF-8 bytes of the text as it was posted: read them before any cleaning moves a byte.
    text = record["text"] if isinstance(record.get("text"), str) else ""
    return IncomingMention(
        external_id=uri,
        created_at=created,
        text=post_text(text, record),
        author_handle=shown,
        author_name=clean.line(author.get("displayName")) or shown,
        author_url=f"{WEB_URL}/profile/{quote(shown, safe=':.')}",
        permalink=f"{WEB_URL}/profile/{quote(shown, safe=':.')}/post/{quote(rkey, safe='')}",
        parent_id=parent if parent != uri else "",
        thread_id=root if root != uri else "",
        by_us=bool(ours) and (shown.casefold() in ours or did.casefold() in ours),
        mentioned=mentioned_handles(text, record.get("facets")),
        author_audience=followers,
        author_audience_kind="followers" if followers is not None else "",
        media=attachments_of(media := media_of(view.get("embed"), record.get("embed"))),
        raw={**view, "media": media},
    )


def created_of(created_at: Any, indexed_at: Any) -> datetime | None:
    """The post's own time (`createdAt`, which its author's app sets), unless it is later than when Bluesky saw the
    post (`indexedAt`): a post dated in the future counts from when it arrived."""
    created, indexed = clean.iso_time(created_at), clean.iso_time(indexed_at)
    if created is not None and indexed is not None and created > indexed + FUTURE_CREATED:
        return indexed
    return created or indexed


def sort_time(entry: Any) -> float | None:
    """When the item sorts in a newest-first listing (Unix seconds): a notification's `indexedAt`, a post's time."""
    if not isinstance(entry, dict):
        return None
    if "reason" in entry:
        moment = clean.iso_time(entry.get("indexedAt"))
    else:
        moment = created_of(clean.mapping(entry.get("record")).get("createdAt"), entry.get("indexedAt"))
    return moment.timestamp() if moment is not None else None


# --- rich text ---------------------------------------------------------------------------------------------------


def _slices(text: str, facets: Any, feature: str) -> list[tuple[int, int, dict[str, Any]]]:
    """(byte start, byte end, feature) of the facets of one kind, in order, inside the text and not overlapping."""
    size = len(text.encode("utf-8", "surrogatepass"))
    found = []
    for facet in clean.objects(facets)[:100]:
        index = clean.mapping(facet.get("index"))
        start, end = clean.whole(index.get("byteStart"), minimum=0), clean.whole(index.get("byteEnd"), minimum=0)
        for part in clean.objects(facet.get("features"))[:5]:
            if part.get("$type") == feature and start is not None and end is not None and start < end <= size:
                found.append((start, end, part))
    found.sort(key=lambda item: item[0])
    kept: list[tuple[int, int, dict[str, Any]]] = []
    for item in found:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _bytes_slice(data: bytes, start: int, end: int) -> str | None:
    try:
        return data[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return None  # the offsets cut a character in two: not the text the facet was made for


def mentioned_handles(text: str, facets: Any) -> tuple[str, ...]:
    """The handles the post's mention facets point at, as its text writes them ("@name.bsky.social")."""
    data = text.encode("utf-8", "surrogatepass")
    found = []
    for start, end, _feature in _slices(text, facets, "app.bsky.richtext.facet#mention"):
        shown = _bytes_slice(data, start, end)
        handle = handle_of(shown) if shown and shown.startswith("@") else ""
        if handle and handle not in found:
            found.append(handle)
    return tuple(found)


def post_text(text: str, record: dict[str, Any]) -> str:
    """The post's text with each link's shortened display ("github.com/gitlab-org/gitl...") given back its full
    address, and a link card's address added when the text does not hold it."""
    data = text.encode("utf-8", "surrogatepass")
    pieces, position = [], 0
    for start, end, feature in _slices(text, record.get("facets"), "app.bsky.richtext.facet#link"):
        shown, target = _bytes_slice(data, start, end), clean.url(feature.get("uri"))
        if shown is None or not target or not _shortened(shown, target):
            continue
        pieces += [data[position:start], target.encode()]
        position = end
    if pieces:
        text = b"".join([*pieces, data[position:]]).decode("utf-8", "replace")
    card = clean.url(clean.mapping(_external_of(record.get("embed"))).get("uri"))
    if card and card not in text:
        text = f"{text}\n\n{card}" if text else card
    return text


def _shortened(shown: str, target: str) -> bool:
    bare = re.sub(r"\A[a-z]+://", "", target, flags=re.IGNORECASE).casefold()
    stem = shown.rstrip(".…").casefold()
    return bool(stem) and shown != target and re.sub(r"\A[a-z]+://", "", stem) in bare


def _external_of(embed: Any) -> Any:
    embed = clean.mapping(embed)
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = clean.mapping(embed.get("media"))
    return embed.get("external") if embed.get("$type") == "app.bsky.embed.external" else None


# --- media --------------------------------------------------------------------------------------------------------


def attachments_of(media: list[dict[str, Any]]) -> tuple[Media, ...]:
    """The images and video the ticket links to: those with an address (a blob named only by its cid has none)."""
    found = []
    for item in media:
        address = item.get("fullsize") or item.get("playlist") or item.get("thumb") or ""
        if address:
            preview = item.get("thumb") or item.get("thumbnail") or ""
            found.append(Media(kind=item["kind"], url=address, preview_url=preview, alt=item.get("alt", "")))
    return tuple(found)


def media_of(view_embed: Any, record_embed: Any) -> list[dict[str, Any]]:
    """What the post shows: its images (thumb and fullsize URLs, alt text) or video (playlist, thumbnail, alt) from
    the hydrated view, else the image blobs its record names (a notification carries no view)."""
    view = clean.mapping(view_embed)
    if str(view.get("$type", "")).startswith("app.bsky.embed.recordWithMedia"):
        view = clean.mapping(view.get("media"))
    if "images" in view:
        return [
            _shown("image", image, thumb=clean.url(image.get("thumb")), fullsize=clean.url(image.get("fullsize")))
            for image in clean.objects(view.get("images"))[:MEDIA_MAX]
        ]
    if "playlist" in view:
        return [
            _shown("video", view, playlist=clean.url(view.get("playlist")), thumbnail=clean.url(view.get("thumbnail")))
        ]
    if view:
        return []
    record = clean.mapping(record_embed)
    if record.get("$type") == "app.bsky.embed.recordWithMedia":
        record = clean.mapping(record.get("media"))
    found = []
    for image in clean.objects(record.get("images"))[:MEDIA_MAX]:
        blob = clean.mapping(image.get("image"))
        cid = clean.ident(clean.mapping(blob.get("ref")).get("$link"))
        found.append(_shown("image", image, cid=cid, mime_type=clean.line(blob.get("mimeType"), max_length=80)))
    return found


def _shown(kind: str, item: dict[str, Any], **where: str) -> dict[str, Any]:
    """One image or video as the raw payload keeps it: where it is, and its alt text."""
    return {"kind": kind, **where, "alt": clean.text(item.get("alt"), max_length=2000)}
