"""The demo's Discord server: Discord's REST API (https://discord.com/api/v10) answered from the week's Discord threads
(channels.demo.threads.chat), after channels.demo.replay_kit (what every replay shares).

The server is the demo channel's (its guild, #help, the #duo-and-ide forum, gitlab_team's user id, the bot). A
thread with a title is a forum post (a type 11 thread whose first message has its id); one without is a question in
#help, which gets a thread of its own once someone follows up. Our replies reply (type 19) to the question.

Shapes, after discord.com/developers/docs/resources (message.mdx "Message Object", "Attachment Object"; channel.mdx
"Channel Object" and fixtures/docs_thread_channel.json; guild.mdx "List Active Guild Threads"; user.mdx "Create DM";
reference "Uploading Files"): ``GET /users/@me``, ``/guilds/{guild}``, ``/guilds/{guild}/channels``,
``/guilds/{guild}/threads/active``, ``/channels/{id}/threads/archived/public`` (none), ``GET
/channels/{id}/messages?limit&after&before`` (50, at most 100; newest first); ``POST /channels/{id}/messages`` (JSON,
or a multipart ``payload_json`` and ``files[n]``), ``POST .../messages/{mid}/threads`` (201, or 400 code 160004),
``PUT .../reactions/{emoji}/@me`` and ``DELETE .../messages/{mid}`` (204), ``POST /users/@me/channels`` (a DM,
whose recipient answers what the bot posts there at the desk's next read: replay_dm.py).

Without the bot token: 401 ``{"message": "401: Unauthorized", "code": 0}``; unknown channel 404 code 10003, message
10008, route ``{"message": "404: Not Found", "code": 0}``. Every answer carries the route's ``X-RateLimit-*``.
"""

from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from channels.adapters.base import IncomingMention, Media
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Answer, Asked, fixed, id_page, limit_of, sent_json, whole

from .replay_dm import dm_messages, dm_opened, dm_posted

HOSTS = ("discord.com",)
SPEC: dict[str, Any] = DEMO_CHANNELS["discord"]
GUILD: str = SPEC["config"]["guild_id"]
HELP: str = SPEC["config"]["text_channels"][0]
FORUM: str = SPEC["config"]["forum_channels"][0]
TEAM_USER: str = SPEC["config"]["team_user_ids"][0]
BOT_USER: str = SPEC["config"]["application_id"]  # a bot's user id is its application's id
TOKEN: str = SPEC["credentials"]["bot_token"]
DISCORD_EPOCH_MS = 1_420_070_400_000
ARCHIVE_MINUTES = 10_080
THREAD_NAME_MAX = 100
_ROUTE = re.compile(
    r"/api/v10/(?:users/(?P<me>@me)(?P<dm>/channels)?|guilds/(?P<guild>\d+)(?P<guild_part>/channels|/threads/active)?"
    r"|channels/(?P<channel>\d+)(?:/(?P<part>messages|threads/archived/public)"
    r"(?:/(?P<message>\d+)(?:/(?P<sub>threads|reactions/[^/]+/@me))?)?)?)"
)
UNAUTHORIZED = {"message": "401: Unauthorized", "code": 0}
NOT_FOUND = {"message": "404: Not Found", "code": 0}
UNKNOWN_CHANNEL = {"message": "Unknown Channel", "code": 10003}
UNKNOWN_MESSAGE = {"message": "Unknown Message", "code": 10008}
File = tuple[str, str, int, str]  # a file sent: its name, content type, size and description
DM_BASE = 1_190_000_000_000_000_000  # the DM channels' ids: this plus a digest of the recipient's id


def snowflake(moment: datetime, place: int = 0) -> str:
    """Discord's id: milliseconds since Discord's epoch shifted 22 bits, then (here) the post's place."""
    return str(((int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) | (place & 0xFFF))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass
class Server:
    """The week by now as Discord holds it: each channel's messages (oldest first) and the active threads."""

    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    threads: list[dict[str, Any]] = field(default_factory=list)


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> Answer:
    sent = Asked(request)
    route = _ROUTE.fullmatch(sent.path.rstrip("/"))
    headers = limits(sent.path)
    if sent.header("Authorization") != f"Bot {TOKEN}":
        return 401, UNAUTHORIZED, headers
    if route is None:
        return 404, NOT_FOUND, headers
    asked = route.groupdict()
    if asked["me"] and asked["dm"] and sent.method == "POST":
        recipient = str(sent.json.get("recipient_id") or "")
        if not recipient.isdigit():
            return 400, {"message": "Invalid Form Body", "code": 50035}, headers
        recipients = [{**user(f"user{recipient}", ""), "id": recipient}]
        dm_id = dm_channel_id(recipient)
        dm = {"id": dm_id, "type": 1, "last_message_id": None, "recipients": recipients}
        dm_opened(dm_id, recipient)
        return 200, dm, headers
    if asked["me"]:
        return 200, bot(), headers
    if asked["guild"]:
        if asked["guild"] != GUILD:
            return 404, {"message": "Unknown Guild", "code": 10004}, headers
        if asked["guild_part"] == "/channels":
            return 200, [channel_object(HELP, 0, "help"), channel_object(FORUM, 15, "duo-and-ide")], headers
        if asked["guild_part"] == "/threads/active":
            return 200, {"threads": server_of(posts).threads, "members": []}, headers
        return 200, {"id": GUILD, "name": "GitLab Community", "icon": None, "owner_id": TEAM_USER}, headers
    status, body = _channel(sent, asked, server_of(posts), posts)
    return status, body, headers


def _channel(request: Asked, asked: dict[str, Any], server: Server, posts: DemoPosts) -> tuple[int, Any]:
    channel_id, part, mid, sub, now = asked["channel"], asked["part"], asked["message"], asked["sub"], posts.now
    known = server.messages.get(channel_id)
    if known is None and any(m["id"] == channel_id for m in server.messages[HELP]):
        known = []  # a #help question's thread, started by the desk's reply (nothing posted is kept)
    dm = known is None and DM_BASE <= int(channel_id) < DM_BASE + 2**32
    if dm:
        known = dm_messages(channel_id, posts)  # a DM channel the bot opened: its messages and answers (replay_dm.py)
    if known is None:
        return 404, UNKNOWN_CHANNEL
    if part == "threads/archived/public":
        return 200, {"threads": [], "members": [], "has_more": False}
    if part is None:
        return 200, next((t for t in server.threads if t["id"] == channel_id), None) or channel_object(
            channel_id, 15 if channel_id == FORUM else 0, "duo-and-ide" if channel_id == FORUM else "help"
        )
    if mid is None:
        if request.method == "POST":
            status, body = posted(channel_id, *sent_form(request), now)
            if dm and status == 200:
                dm_posted(channel_id, body, now)  # its recipient answers it at the next read
            return status, body
        return 200, page(known, request.query)
    message = next((m for m in known if m["id"] == mid), None)
    if sub == "threads" and request.method == "POST":
        if message is None:
            return 404, UNKNOWN_MESSAGE
        if message.get("thread"):
            return 400, {"message": "A thread has already been created for this message", "code": 160004}
        name = str(request.json.get("name") or "")[:THREAD_NAME_MAX]
        return 201, thread_object(mid, channel_id, name or "Thread", message["author"]["id"], [], now)
    if request.method in ("PUT", "DELETE"):  # a 👍 or a deletion: done, as Discord says it with no body
        return (204, b"") if message is not None or int(mid) > _newest(known) else (404, UNKNOWN_MESSAGE)
    return (200, message) if message is not None and request.method == "GET" else (404, NOT_FOUND)


def dm_channel_id(recipient: str) -> str:
    return str(DM_BASE + zlib.crc32(recipient.encode()))


def limits(path: str) -> dict[str, str]:
    """The route's bucket (5 requests in 5 seconds, one spent): the adapter reads these on every answer."""
    route = re.sub(r"/\d+", "/:id", path)
    bucket = f"{zlib.crc32(route.encode()):08x}"
    return {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": f"{time.time() + 5:.3f}",
        "X-RateLimit-Reset-After": "5.000",
        "X-RateLimit-Bucket": bucket,
    }


def _newest(messages: list[dict[str, Any]]) -> int:
    return max((int(m["id"]) for m in messages), default=0)


def user(handle: str, ours: str) -> dict[str, Any]:
    """A user object: gitlab_team has the team's id (the channel's team_user_ids), others one of their name's."""
    uid = TEAM_USER if handle == ours else str(900_000_000_000_000_000 + zlib.crc32(handle.encode()) * 1000)
    return {
        "id": uid,
        "username": handle,
        "global_name": handle.replace("_", " ").title(),
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
    }


def bot() -> dict[str, Any]:
    return {"id": BOT_USER, "username": "GitLab Desk", "discriminator": "4242", "avatar": None, "bot": True}


def channel_object(channel_id: str, kind: int, name: str) -> dict[str, Any]:
    return {"id": channel_id, "type": kind, "guild_id": GUILD, "name": name, "position": 1 if kind else 0}


def attachment(media: Media, place: int) -> dict[str, Any]:
    """The image as an attachment: its id and file name are the CDN address's last two parts."""
    parts = urlsplit(media.url).path.split("/")
    filename = unquote(parts[-1]) or "image.png"
    kind = "image/png" if filename.endswith(".png") else "image/jpeg"
    return {
        "id": parts[-2] if len(parts) > 2 and parts[-2].isdigit() else str(place),
        "filename": filename,
        "description": media.alt,
        "content_type": kind if media.kind == "image" else "application/octet-stream",
        "size": 184_320,
        "url": media.url,
        "proxy_url": media.preview_url or media.url,
        "width": 1600,
        "height": 900,
    }


def message(post: IncomingMention, mid: str, channel_id: str, ours: str, **more: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "type": 0,
        "channel_id": channel_id,
        "author": user(post.author_handle, ours),
        "content": post.text,
        "timestamp": iso(post.created_at),
        "edited_timestamp": None,
        **fixed("tts mention_everyone pinned", False),
        **fixed("mentions mention_roles embeds components", []),
        "attachments": [attachment(m, n) for n, m in enumerate(post.media)],
        "flags": 0,
        **more,
    }


def thread_object(
    tid: str, parent: str, name: str, owner: str, inside: list[dict[str, Any]], started: datetime
) -> dict[str, Any]:
    """A public thread (type 11), as docs_thread_channel.json; `inside`: its messages by now."""
    counted = len([m for m in inside if m["id"] != tid])  # a forum post's first message is not counted
    return {
        "id": tid,
        "type": 11,
        "guild_id": GUILD,
        "parent_id": parent,
        "owner_id": owner,
        "name": name,
        "last_message_id": str(_newest(inside)) if inside else None,
        "message_count": counted,
        "member_count": len({m["author"]["id"] for m in inside}),
        "rate_limit_per_user": 0,
        "flags": 0,
        "total_message_sent": counted,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": ARCHIVE_MINUTES,
            "archive_timestamp": iso(started),
            "locked": False,
            "create_timestamp": iso(started),
        },
    }


def server_of(posts: DemoPosts) -> Server:
    """The week's threads by now: forum posts (those with a title) and #help questions with their threads."""
    server = Server(messages={HELP: [], FORUM: []})
    place = 0
    for thread_posts in posts.threads():
        opening, followups = thread_posts[0], thread_posts[1:]
        place += 1
        tid = snowflake(opening.created_at, place)
        owner = user(opening.author_handle, posts.our_account)["id"]
        inside: list[dict[str, Any]] = []
        first = message(opening, tid, tid if opening.title else HELP, posts.our_account)
        if opening.title:
            inside.append({**first, "position": 0})
        for number, post in enumerate(followups, start=1):
            place += 1
            reply: dict[str, Any] = {}
            if post.author_handle == posts.our_account:  # as the desk answers: a reply to the question
                reference = {"type": 0, "message_id": tid, "channel_id": first["channel_id"], "guild_id": GUILD}
                reply = {"type": 19, "message_reference": reference, "referenced_message": first}
            inside.append(
                message(post, snowflake(post.created_at, place), tid, posts.our_account, position=number, **reply)
            )
        if opening.title:
            server.threads.append(thread_object(tid, FORUM, opening.title, owner, inside, opening.created_at))
        elif followups:
            name = _first_words(opening.text)
            made = thread_object(tid, HELP, name, owner, inside, followups[0].created_at)
            server.threads.append(made)
            first = {**first, "flags": 32, "thread": made}  # HAS_THREAD: the question started it
        if not opening.title:
            server.messages[HELP].append(first)
        if inside or opening.title:
            server.messages[tid] = inside
    return server


def _first_words(text: str) -> str:
    """A thread's name as Discord's client suggests it: the message's first words, within 100 characters."""
    words = " ".join(text.split())
    return words if len(words) <= THREAD_NAME_MAX else words[:THREAD_NAME_MAX].rsplit(" ", 1)[0]


def page(messages: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    """A channel's messages newest first: the `limit` just after ``after``, just before ``before``, or the latest."""
    newest = sorted(messages, key=lambda m: int(m["id"]), reverse=True)
    after, size = whole(query.get("after")), limit_of(query.get("limit"), 50, 100)
    below = None if after is not None else whole(query.get("before"))
    return id_page(newest, lambda m: int(m["id"]), size, below=below, above=after, nearest_above=after is not None)


def posted(
    channel_id: str, sent: dict[str, Any], files: list[tuple[str, str, int, str]], now: datetime
) -> tuple[int, Any]:
    """The bot's message as Discord answers a Create Message: a reply (type 19) when it names the message it answers,
    its files as attachments on Discord's CDN."""
    content = str(sent.get("content") or "")
    if not content and not files:
        return 400, {"message": "Cannot send an empty message", "code": 50006}
    if len(content) > 2000:
        errors = {
            "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}
        }
        return 400, {"message": "Invalid Form Body", "code": 50035, "errors": errors}
    reference = sent.get("message_reference") if isinstance(sent.get("message_reference"), dict) else None
    mid, ours = snowflake(now), IncomingMention(external_id="", author_handle="", text=content, created_at=now)
    attachments = [uploaded_attachment(channel_id, int(mid) + n + 1, *file) for n, file in enumerate(files)]
    body = message(ours, mid, channel_id, "", type=19 if reference else 0, author=bot(), attachments=attachments)
    if reference:
        body["message_reference"] = {
            "type": 0,
            "message_id": str(reference.get("message_id")),
            "channel_id": channel_id,
        }
    return 200, body


def sent_form(asked: Asked) -> tuple[dict[str, Any], list[File]]:
    """A Create Message's JSON, or its multipart form (a reply with files): ``payload_json`` and each ``files[n]``
    part's (filename, content type, size, description: the payload's ``attachments[n]`` with ``id`` n)."""
    if not asked.parts:
        return asked.json, []
    payload = asked.parts.get("payload_json")
    sent = sent_json(payload.data) if payload else {}
    described = {
        str(a.get("id")): str(a.get("description") or "") for a in sent.get("attachments") or [] if isinstance(a, dict)
    }
    files = [part for name, part in asked.parts.items() if name.startswith("files[")]
    return sent, [
        (f.filename or "file", f.content_type, len(f.data), described.get(str(n), "")) for n, f in enumerate(files)
    ]


def uploaded_attachment(
    channel_id: str, number: int, filename: str, content_type: str, size: int, description: str = ""
) -> dict[str, Any]:
    where = f"attachments/{channel_id}/{number}/{filename}"
    return {
        "id": str(number),
        "filename": filename,
        "size": size,
        "url": f"https://cdn.discordapp.com/{where}",
        "proxy_url": f"https://media.discordapp.net/{where}",
        "content_type": content_type,
        **({"description": description} if description else {}),
    }
