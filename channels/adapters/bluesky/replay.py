"""The demo's Bluesky (https://bsky.social, the entryway and the PDS it names), after channels.demo.replay_kit (what
every replay shares): each thread's first post, and its follow-ups, each a reply to the post before it.

Shapes, after the recorded fixtures (tests/fixtures/SOURCES.md) and Bluesky's HTTP reference where none was recorded:

- ``POST com.atproto.server.createSession``: the session and a DID document naming this host as the PDS; an empty
  password is 401 ``AuthenticationRequired``. ``refreshSession`` (the refresh token): a new session, another token
  400 ``ExpiredToken`` (recorded_errors.json).
- ``GET app.bsky.feed.searchPosts?q&sort=latest&since&until&cursor&limit``: posts holding every word of ``q``
  (``from:<handle>``: that author's), ``cursor`` an offset (search_posts_bluepy.json).
- ``GET app.bsky.notification.listNotifications?reasons=mention&reasons=reply``: mentions of our account and
  replies to its posts, ``cursor`` the time of the last one (list_notifications_bluepy.json).
- ``GET app.bsky.feed.getPostThread?uri``: the thread, follow-ups as ``replies`` (aibot_post_thread.json).
- ``POST com.atproto.repo.uploadBlob``, ``createRecord``, ``deleteRecord``; ``GET
  com.atproto.identity.resolveHandle``.
- Direct messages through the PDS with ``atproto-proxy: did:web:api.bsky.chat#bsky_chat`` (docs.bsky.app "Direct
  messages"; lexicons chat.bsky.convo.*): ``getConvoForMembers``, ``sendMessage`` and ``getMessages`` (our messages
  and the other member's answer to each, given at the desk's first read after it was sent: replay_dm.py).

Without this replay's access token: 401 ``AuthMissing``; an unknown method 404 ``MethodNotImplemented``. Every
answer carries ``RateLimit-*``. A post's image is its record's ``app.bsky.embed.images`` and its view's
``#view``, as the fixtures' posts with images have them. A week's name is ``<name>.bsky.social``; DIDs and record
keys come from the handle and the post's time, so a post has the same AT URI at every poll.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from base64 import b32encode
from datetime import UTC, datetime
from typing import Any

import requests

from channels.adapters.base import IncomingMention, Media
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.competitors import is_demo_term, sayings_between
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, limit_of, whole, zulu

from .replay_dm import convo_opened, message_sent, messages

HOSTS = ("bsky.social",)
SERVICE = "https://bsky.social"
# The session it issues on sign-in: the demo account's tokens (channels.demo.channels), fake constants.
ACCESS_TOKEN: str = DEMO_CHANNELS["bluesky"]["account_tokens"]["access_token"]
REFRESH_TOKEN: str = DEMO_CHANNELS["bluesky"]["account_tokens"]["refresh_token"]
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"  # the chat service a PDS proxies to (chat.py's header)
AUTH_MISSING = {"error": "AuthMissing", "message": "Authentication Required"}


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any, dict[str, str]]:
    asked = Asked(request)
    status, body = _answer(asked, asked.path.removeprefix("/xrpc/"), posts)
    return status, body, rate_headers()


def _answer(asked: Asked, method: str, posts: DemoPosts) -> tuple[int, Any]:
    bearer, params, post = asked.header("Authorization").removeprefix("Bearer "), asked.query, asked.method == "POST"
    ours = handle_of(posts.our_account) if posts.our_account else "desk.bsky.social"
    if method == "com.atproto.server.createSession" and post:
        sent = asked.json
        if not sent.get("password") or not sent.get("identifier"):
            return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        return 200, session(str(sent["identifier"]).lower())
    if method == "com.atproto.server.refreshSession" and post:
        if bearer != REFRESH_TOKEN:
            return 400, {"error": "ExpiredToken", "message": "Token has been revoked"}
        return 200, session(ours)
    if method == "com.atproto.identity.resolveHandle":
        return 200, {"did": did_of(params.get("handle", ""))}
    if bearer != ACCESS_TOKEN:
        return 401, AUTH_MISSING
    if method == "app.bsky.feed.searchPosts" and is_demo_term(params.get("q", "")):
        return 200, search(competitor_views(params["q"], ours), params)
    views = post_views(posts, ours)
    if method == "app.bsky.feed.searchPosts":
        return 200, search(views, params)
    if method == "app.bsky.notification.listNotifications":
        return 200, notifications(views, ours, asked)
    if method == "app.bsky.feed.getPostThread":
        return thread(views, params.get("uri", ""))
    if method in ("com.atproto.repo.createRecord", "com.atproto.repo.deleteRecord") and post:
        sent = asked.json
        if method.endswith("deleteRecord"):
            return 200, {"commit": {"cid": cid_of(json.dumps(sent)), "rev": tid(time.time())}}
        uri = f"at://{sent.get('repo')}/{sent.get('collection')}/{tid(time.time())}"
        return 200, {"uri": uri, "cid": cid_of(uri), "validationStatus": "valid"}
    if method == "com.atproto.repo.uploadBlob" and post:  # a reply's image, as the PDS takes it
        data, kind = asked.body, asked.header("Content-Type") or "application/octet-stream"
        blob = {"$type": "blob", "ref": {"$link": cid_of(hashlib.sha256(data).hexdigest())}, "mimeType": kind}
        return 200, {"blob": {**blob, "size": len(data)}}
    if method.startswith("chat.bsky.convo.") and asked.header("atproto-proxy") == CHAT_PROXY:
        return chat(asked, method, ours)
    return 404, {"error": "MethodNotImplemented", "message": f"Method Not Implemented: {method}"}


def chat(asked: Asked, method: str, ours: str) -> tuple[int, Any]:
    """Bluesky's chat service, proxied by the PDS: the conversation with a member, and a message sent there."""
    me = did_of(ours)
    if method == "chat.bsky.convo.getConvoForMembers" and asked.method == "GET":
        members = sorted({me, *asked.lists.get("members", [])})
        if len(members) < 2 or not all(m.startswith("did:") for m in members):
            return 400, {"error": "InvalidRequest", "message": "members must hold another account's DID"}
        convo_id = cid_of("convo:" + ",".join(members))[7:20]
        views = [{"did": m, "handle": ours if m == me else "handle.invalid"} for m in members]
        convo = {"id": convo_id, "rev": tid(time.time()), "members": views, "muted": False, "unreadCount": 0}
        convo_opened(convo_id, me, members)
        return 200, {"convo": convo}
    if method == "chat.bsky.convo.getMessages" and asked.method == "GET":
        if not asked.query.get("convoId"):
            return 400, {"error": "InvalidRequest", "message": "convoId is required"}
        return 200, messages(asked.query["convoId"], datetime.now(UTC))
    if method == "chat.bsky.convo.sendMessage" and asked.method == "POST":
        sent = asked.json
        text = str((sent.get("message") or {}).get("text") or "")
        if not sent.get("convoId") or not text.strip():
            return 400, {"error": "InvalidRequest", "message": "convoId and message.text are required"}
        now = datetime.now(UTC)
        view = {"id": tid(now.timestamp()), "rev": tid(now.timestamp()), "text": text, "sender": {"did": me}}
        message_sent(str(sent["convoId"]), view, now)  # its other member answers it at the next read
        return 200, {**view, "sentAt": zulu(now)}
    return 404, {"error": "MethodNotImplemented", "message": f"Method Not Implemented: {method}"}


def rate_headers() -> dict[str, str]:
    reset = int(time.time()) + 300
    return {
        "RateLimit-Limit": "3000",
        "RateLimit-Remaining": "2999",
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": "3000;w=300",
    }


def handle_of(name: str) -> str:
    name = name.strip().lstrip("@").lower()
    return name if "." in name else f"{re.sub(r'[^a-z0-9-]+', '-', name).strip('-') or 'someone'}.bsky.social"


def did_of(handle: str) -> str:
    return "did:plc:" + b32encode(hashlib.sha256(f"demo-did:{handle}".encode()).digest()).decode().lower()[:24]


def cid_of(seed: str) -> str:
    return "bafyrei" + b32encode(hashlib.sha256(seed.encode()).digest()).decode().lower().rstrip("=")[:52]


def tid(seconds: float, clock: int = 0) -> str:
    """A record key as Bluesky makes them: the time in microseconds and a clock id, in sortable base 32."""
    number = (int(seconds * 1_000_000) << 10) | (clock & 0x3FF)
    return "".join(TID_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(13)))


def session(handle: str) -> dict[str, Any]:
    did = did_of(handle)
    document = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "alsoKnownAs": [f"at://{handle}"],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": SERVICE}],
    }
    return {
        "accessJwt": ACCESS_TOKEN,
        "refreshJwt": REFRESH_TOKEN,
        "handle": handle,
        "did": did,
        "didDoc": document,
        "active": True,
    }


def post_views(posts: DemoPosts, ours: str) -> list[dict[str, Any]]:
    """Every post of the week served by now, newest first: first posts, and follow-ups replying to them."""
    views: list[dict[str, Any]] = []
    for thread_posts in posts.threads():
        root = view_of(thread_posts[0], ours, index=0)
        views.append(root)
        first = parent = {"uri": root["uri"], "cid": root["cid"]}
        for index, mention in enumerate(thread_posts[1:], start=1):
            view = view_of(mention, ours, index=index, reply={"root": first, "parent": parent})
            views.append(view)
            parent = {"uri": view["uri"], "cid": view["cid"]}  # each follow-up answers the post before it
    views.sort(key=lambda v: (v["indexedAt"], v["uri"]), reverse=True)
    return views


def competitor_views(term: str, ours: str, now: float | None = None) -> list[dict[str, Any]]:
    """What the demo's people said of a competitor (channels.demo.competitors) in the last two days, as Bluesky's post
    views, newest first: the demo's answer to a search for its term."""
    now = time.time() if now is None else now
    views = []
    for n, posted, said in sayings_between(term.casefold(), now - 2 * 86_400, now + 1, shift=1):
        at = datetime.fromtimestamp(posted, UTC)
        views.append(view_of(IncomingMention(str(n), at, said.text, author_handle=said.author), ours, index=n))
    return views


def view_of(mention: IncomingMention, ours: str, *, index: int, reply: dict[str, Any] | None = None) -> dict[str, Any]:
    handle = handle_of(mention.author_handle) if mention.author_handle else ours
    did = did_of(handle)
    uri = f"at://{did}/app.bsky.feed.post/{tid(mention.created_at.timestamp(), index)}"
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": mention.text,
        "createdAt": zulu(mention.created_at),
        "langs": ["en"],
    }
    if reply:
        record["reply"] = reply
    images = [m for m in mention.media if m.kind == "image"][:4]  # Bluesky's most a post holds
    if images:
        record["embed"] = {"$type": "app.bsky.embed.images", "images": [image_record(m) for m in images]}
    author = {"did": did, "handle": handle, "displayName": mention.author_name or handle, "labels": []}
    counts = {"replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0}
    view = {
        "uri": uri,
        "cid": cid_of(uri),
        "author": author,
        "record": record,
        **counts,
        "indexedAt": zulu(mention.created_at),
        "labels": [],
    }
    if images:
        view["embed"] = {"$type": "app.bsky.embed.images#view", "images": [image_view(m) for m in images]}
    return view


ASPECT = {"width": 1600, "height": 900}


def image_record(media: Media) -> dict[str, Any]:
    """The record's image: the blob by the CID its CDN address names (``…/<did>/<cid>@jpeg``)."""
    cid = media.url.rsplit("/", 1)[-1].split("@")[0]
    blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": "image/jpeg", "size": 184_320}
    return {"alt": media.alt, "image": blob, "aspectRatio": ASPECT}


def image_view(media: Media) -> dict[str, Any]:
    return {"thumb": media.preview_url or media.url, "fullsize": media.url, "alt": media.alt, "aspectRatio": ASPECT}


def _since_until(views: list[dict[str, Any]], params: dict[str, str]) -> list[dict[str, Any]]:
    since, until = params.get("since", ""), params.get("until", "")
    return [
        v
        for v in views
        if (not since or v["record"]["createdAt"] >= since) and (not until or v["record"]["createdAt"] < until)
    ]


def search(views: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
    words = params.get("q", "").casefold().split()
    authors = {w.removeprefix("from:") for w in words if w.startswith("from:")}  # Bluesky's search syntax
    words = [w for w in words if not w.startswith("from:")]
    found = [
        v
        for v in _since_until(views, params)
        if (words or authors)
        and all(w in v["record"]["text"].casefold() for w in words)
        and (not authors or v["author"]["handle"] in authors)
    ]
    offset, size = whole(params.get("cursor")) or 0, limit_of(params.get("limit"), 25, 100)
    page = found[offset : offset + size]
    return {"posts": page, **({"cursor": str(offset + size)} if offset + size < len(found) else {})}


def notifications(views: list[dict[str, Any]], ours: str, asked: Asked) -> dict[str, Any]:
    our_uris = {v["uri"] for v in views if v["author"]["handle"] == ours}
    wanted = set(asked.lists.get("reasons", [])) or {"mention", "reply"}
    found = []
    for view in views:
        if view["author"]["handle"] == ours:
            continue
        parent = view["record"].get("reply", {}).get("parent", {}).get("uri")
        reason = "reply" if parent in our_uris else "mention" if f"@{ours}" in view["record"]["text"] else ""
        if reason in wanted:
            item = {k: view[k] for k in ("uri", "cid", "author", "record", "indexedAt", "labels")}
            found.append(
                {**item, "reason": reason, **({"reasonSubject": parent} if reason == "reply" else {}), "isRead": False}
            )
    before = asked.query.get("cursor", "")
    found = [n for n in found if not before or n["indexedAt"] < before]
    page = found[: limit_of(asked.query.get("limit"), 25, 100)]
    more = len(found) > len(page)
    return {"notifications": page, **({"cursor": page[-1]["indexedAt"]} if more else {}), "priority": False}


def thread(views: list[dict[str, Any]], uri: str) -> tuple[int, Any]:
    root = next((v for v in views if v["uri"] == uri), None)
    if root is None:
        return 400, {"error": "NotFound", "message": f"Post not found: {uri}"}
    replies = [v for v in reversed(views) if v["record"].get("reply", {}).get("root", {}).get("uri") == uri]
    below = [{"$type": "app.bsky.feed.defs#threadViewPost", "post": r, "replies": []} for r in replies]
    return 200, {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": root, "replies": below}}
