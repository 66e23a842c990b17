"""The demo's Bluesky (https://bsky.social, the entryway and the PDS it names), answered from the demo week's posts
of this kind (channels.demo.replay): each thread's first post, and its follow-ups, each a reply to the post
before it.

Endpoints, as the adapter calls them (`auth.py`, `client.py`, `paging.py`, `thread.py`, `reply.py`), in the shapes
of the recorded fixtures (tests/fixtures/SOURCES.md) and of Bluesky's HTTP reference where nothing was recorded:

- ``POST /xrpc/com.atproto.server.createSession`` (``{identifier, password}``): ``{accessJwt, refreshJwt, handle,
  did, didDoc, active}``, the DID document naming this host as the PDS; an empty password is 401
  ``{"error": "AuthenticationRequired", "message": "Invalid identifier or password"}``.
- ``POST /xrpc/com.atproto.server.refreshSession`` (Bearer the refresh token): a new session; another token is 400
  ``{"error": "ExpiredToken", "message": "Token has been revoked"}`` (recorded_errors.json).
- ``GET /xrpc/app.bsky.feed.searchPosts?q=…&sort=latest&since&until&cursor&limit``: post views whose text holds
  every word of ``q`` (``from:<handle>``: that author's posts), newest first, ``cursor`` an offset
  (search_posts_bluepy.json).
- ``GET /xrpc/app.bsky.notification.listNotifications?reasons=mention&reasons=reply``: the posts that mention our
  account (reason ``mention``) or answer one of its posts (``reply``), newest first, ``cursor`` the time of the
  last one (list_notifications_bluepy.json).
- ``GET /xrpc/app.bsky.feed.getPostThread?uri=…``: the thread, its follow-ups as ``replies`` (aibot_post_thread.json).
- ``POST /xrpc/com.atproto.repo.uploadBlob`` (a reply's image: the blob, its CID from the bytes), ``createRecord`` /
  ``deleteRecord``, ``GET /xrpc/com.atproto.identity.resolveHandle``.
- Direct messages, through the PDS with ``atproto-proxy: did:web:api.bsky.chat#bsky_chat`` (docs.bsky.app "Direct
  messages"; lexicons chat.bsky.convo.*): ``GET chat.bsky.convo.getConvoForMembers?members=<did>`` answers the
  ``{"convo": convoView}`` of our account and that member (the same id for the same member), ``POST
  chat.bsky.convo.sendMessage`` the ``messageView`` sent. Without the header: 404 MethodNotImplemented, as the PDS
  has no such method of its own. Writes are answered as done and kept nowhere.

Every other call without the access token this replay issued is 401 ``{"error": "AuthMissing", "message":
"Authentication Required"}``; an unknown method is 404 ``{"error": "MethodNotImplemented"}``. Every answer carries
``RateLimit-*`` headers for 3,000 requests per 5 minutes.

A post's image (the thread's `media`) is its record's ``app.bsky.embed.images`` (the blob by CID, alt text) and its
view's hydrated ``app.bsky.embed.images#view`` (``thumb`` and ``fullsize`` on Bluesky's image CDN, ``alt``), as
the fixtures' posts with images have them.

Handles: a week's name becomes ``<name>.bsky.social`` (underscores as hyphens); DIDs and record keys are derived
from the handle and the post's time, so the same post has the same AT URI at every poll.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from base64 import b32encode
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from channels.adapters.base import IncomingMention, Media
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts
from channels.demo.router import sent_json

HOSTS = ("bsky.social",)
SERVICE = "https://bsky.social"
# The session it issues on sign-in: the demo account's tokens (channels.demo.channels), fake constants.
ACCESS_TOKEN: str = DEMO_CHANNELS["bluesky"]["account_tokens"]["access_token"]
REFRESH_TOKEN: str = DEMO_CHANNELS["bluesky"]["account_tokens"]["refresh_token"]
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"  # the chat service a PDS proxies to (chat.py's header)
AUTH_MISSING = {"error": "AuthMissing", "message": "Authentication Required"}


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any, dict[str, str]]:
    url = urlparse(request.url or "")
    method = url.path.removeprefix("/xrpc/")
    params = parse_qs(url.query, keep_blank_values=True)
    status, body = _answer(request, method, params, posts)
    return status, body, rate_headers()


def _answer(
    request: requests.PreparedRequest, method: str, params: dict[str, list[str]], posts: DemoPosts
) -> tuple[int, Any]:
    bearer = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
    ours = handle_of(posts.our_account) if posts.our_account else "desk.bsky.social"
    if method == "com.atproto.server.createSession" and request.method == "POST":
        sent = sent_json(request.body)
        if not sent.get("password") or not sent.get("identifier"):
            return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        return 200, session(str(sent["identifier"]).lower())
    if method == "com.atproto.server.refreshSession" and request.method == "POST":
        if bearer != REFRESH_TOKEN:
            return 400, {"error": "ExpiredToken", "message": "Token has been revoked"}
        return 200, session(ours)
    if method == "com.atproto.identity.resolveHandle":
        return 200, {"did": did_of(params.get("handle", [""])[-1])}
    if bearer != ACCESS_TOKEN:
        return 401, AUTH_MISSING
    views = post_views(posts, ours)
    if method == "app.bsky.feed.searchPosts":
        return 200, search(views, params)
    if method == "app.bsky.notification.listNotifications":
        return 200, notifications(views, ours, params)
    if method == "app.bsky.feed.getPostThread":
        return thread(views, params.get("uri", [""])[-1])
    if method in ("com.atproto.repo.createRecord", "com.atproto.repo.deleteRecord") and request.method == "POST":
        sent = sent_json(request.body)
        if method.endswith("deleteRecord"):
            return 200, {"commit": {"cid": cid_of(json.dumps(sent)), "rev": tid(time.time())}}
        uri = f"at://{sent.get('repo')}/{sent.get('collection')}/{tid(time.time())}"
        return 200, {"uri": uri, "cid": cid_of(uri), "validationStatus": "valid"}
    if method == "com.atproto.repo.uploadBlob" and request.method == "POST":  # a reply's image, as the PDS takes it
        data = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        kind = request.headers.get("Content-Type") or "application/octet-stream"
        blob = {"$type": "blob", "ref": {"$link": cid_of(hashlib.sha256(data).hexdigest())}, "mimeType": kind}
        return 200, {"blob": {**blob, "size": len(data)}}
    if method.startswith("chat.bsky.convo.") and request.headers.get("atproto-proxy") == CHAT_PROXY:
        return chat(request, method, params, ours)
    return 404, {"error": "MethodNotImplemented", "message": f"Method Not Implemented: {method}"}


def chat(request: requests.PreparedRequest, method: str, params: dict[str, list[str]], ours: str) -> tuple[int, Any]:
    """Bluesky's chat service, proxied by the PDS: the conversation with a member, and a message sent there."""
    me = did_of(ours)
    if method == "chat.bsky.convo.getConvoForMembers" and request.method == "GET":
        members = sorted({me, *params.get("members", [])})
        if len(members) < 2 or not all(m.startswith("did:") for m in members):
            return 400, {"error": "InvalidRequest", "message": "members must hold another account's DID"}
        convo_id = cid_of("convo:" + ",".join(members))[7:20]
        views = [{"did": m, "handle": ours if m == me else "handle.invalid"} for m in members]
        convo = {"id": convo_id, "rev": tid(time.time()), "members": views, "muted": False, "unreadCount": 0}
        return 200, {"convo": convo}
    if method == "chat.bsky.convo.sendMessage" and request.method == "POST":
        sent = sent_json(request.body)
        text = str((sent.get("message") or {}).get("text") or "")
        if not sent.get("convoId") or not text.strip():
            return 400, {"error": "InvalidRequest", "message": "convoId and message.text are required"}
        sent_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return 200, {
            "id": tid(time.time()),
            "rev": tid(time.time()),
            "text": text,
            "sender": {"did": me},
            "sentAt": sent_at,
        }
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


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def view_of(mention: IncomingMention, ours: str, *, index: int, reply: dict[str, Any] | None = None) -> dict[str, Any]:
    handle = handle_of(mention.author_handle) if mention.author_handle else ours
    did = did_of(handle)
    uri = f"at://{did}/app.bsky.feed.post/{tid(mention.created_at.timestamp(), index)}"
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": mention.text,
        "createdAt": iso(mention.created_at),
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
        "indexedAt": iso(mention.created_at),
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


def _since_until(views: list[dict[str, Any]], params: dict[str, list[str]]) -> list[dict[str, Any]]:
    since, until = params.get("since", [""])[-1], params.get("until", [""])[-1]
    return [
        v
        for v in views
        if (not since or v["record"]["createdAt"] >= since) and (not until or v["record"]["createdAt"] < until)
    ]


def _limit(params: dict[str, list[str]]) -> int:
    value = params.get("limit", ["25"])[-1]
    return min(max(int(value), 1), 100) if value.isdigit() else 25


def search(views: list[dict[str, Any]], params: dict[str, list[str]]) -> dict[str, Any]:
    words = params.get("q", [""])[-1].casefold().split()
    authors = {w.removeprefix("from:") for w in words if w.startswith("from:")}  # Bluesky's search syntax
    words = [w for w in words if not w.startswith("from:")]
    found = [
        v
        for v in _since_until(views, params)
        if (words or authors)
        and all(w in v["record"]["text"].casefold() for w in words)
        and (not authors or v["author"]["handle"] in authors)
    ]
    offset = int(params.get("cursor", ["0"])[-1] or 0) if params.get("cursor", ["0"])[-1].isdigit() else 0
    size = _limit(params)
    page = found[offset : offset + size]
    return {"posts": page, **({"cursor": str(offset + size)} if offset + size < len(found) else {})}


def notifications(views: list[dict[str, Any]], ours: str, params: dict[str, list[str]]) -> dict[str, Any]:
    our_uris = {v["uri"] for v in views if v["author"]["handle"] == ours}
    wanted = set(params.get("reasons", [])) or {"mention", "reply"}
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
    before = params.get("cursor", [""])[-1]
    found = [n for n in found if not before or n["indexedAt"] < before]
    page = found[: _limit(params)]
    more = len(found) > len(page)
    return {"notifications": page, **({"cursor": page[-1]["indexedAt"]} if more else {}), "priority": False}


def thread(views: list[dict[str, Any]], uri: str) -> tuple[int, Any]:
    root = next((v for v in views if v["uri"] == uri), None)
    if root is None:
        return 400, {"error": "NotFound", "message": f"Post not found: {uri}"}
    replies = [v for v in reversed(views) if v["record"].get("reply", {}).get("root", {}).get("uri") == uri]
    below = [{"$type": "app.bsky.feed.defs#threadViewPost", "post": r, "replies": []} for r in replies]
    return 200, {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": root, "replies": below}}
