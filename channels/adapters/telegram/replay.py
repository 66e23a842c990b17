"""The demo's Telegram group: the Bot API (https://api.telegram.org/bot<token>/<method>) answered from the demo week
(channels.demo.replay), after channels.demo.replay_kit (what every replay shares).

Shapes, after the recorded answers in tests/fixtures (SOURCES.md: ``getUpdates`` of a forum supergroup and a
``sendMessage`` answer) and core.telegram.org/bots/api ("Making requests", "Update", "Message", "getMe"):

- ``getMe``: the bot (``is_bot``, its id, its username, ``can_read_all_group_messages``);
- ``getUpdates`` (JSON ``offset``, ``limit``): the group's messages posted by now, oldest first, those with an
  ``update_id`` at or after the offset (Telegram forgets the ones before it), ``limit`` at most;
- ``sendMessage``: the bot's message in the group, answering ``reply_parameters.message_id``;
- ``deleteMessage`` (``chat_id``, ``message_id``): ``true`` for a message the bot sent from the demo desk (an id
  above SENT_BASE: nothing is kept, so any such id), ``400 Bad Request: message to delete not found`` for another;
- every answer is ``{"ok": true, "result": …}``; a wrong token ``401 Unauthorized`` and an unknown method
  ``404 Not Found``, as ``{"ok": false, "error_code": …, "description": …}``.

The week as Telegram: each thread of the week (this package's `demo.THREADS`) is a message in the public supergroup
and its follow-ups answer it (``reply_to_message``); our replies are the bot's. A message's id and its update's id
are the seconds between a fixed day and its time, so they grow as the week goes on, and a demo desk seeded before
keeps the same ids. Nothing is kept: a message sent is answered as posted and not seen again in the updates.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import requests

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, limit_of, stamp, whole

from .demo import BOT, BOT_TOKEN, DEMO

HOSTS = ("api.telegram.org",)
BOT_ID = int(BOT_TOKEN.partition(":")[0])  # a bot's id is its token's first part
CHAT: dict[str, Any] = {
    "id": int(DEMO["config"]["chats"][0]),
    "title": "GitLab community (demo)",
    "username": "gitlab_demo_chat",
    "type": "supergroup",
}
EPOCH = 1_700_000_000  # the ids count seconds from here (2023-11-14), so they stay well inside Telegram's int range
SENT_BASE = 1_000_000_000  # the ids of messages the bot sends from the demo desk: above any of the week's
_ROUTE = re.compile(r"/bot(?P<token>[^/]*)/(?P<method>[A-Za-z]+)")
Body = dict[str, Any]


def _error(code: int, description: str) -> tuple[int, Body]:
    return code, {"ok": False, "error_code": code, "description": description}


def _ok(result: Any) -> tuple[int, Body]:
    return 200, {"ok": True, "result": result}


def message_id(moment: datetime) -> int:
    return int(moment.timestamp()) - EPOCH


def _user(handle: str) -> Body:
    if handle == BOT:
        return {"id": BOT_ID, "is_bot": True, "first_name": "GitLab desk", "username": BOT}
    person = 5_000_000_000 + sum(map(ord, handle)) * 7919  # a fixed number a name, as Telegram's user ids are
    return {"id": person, "is_bot": False, "first_name": handle, "username": handle}


def _message(post: IncomingMention, parent: Body | None) -> Body:
    message: Body = {
        "message_id": message_id(post.created_at),
        "from": _user(post.author_handle),
        "chat": CHAT,
        "date": int(post.created_at.timestamp()),
        "text": post.text,
    }
    if parent is not None:
        message["reply_to_message"] = parent
    return message


def updates(posts: DemoPosts) -> list[Body]:
    """Every message of the week by now as an update, oldest first; a follow-up answers its thread's first post."""
    found: list[Body] = []
    for thread in posts.threads():
        opening = _message(thread[0], None)
        found.append(opening)
        found.extend(_message(post, opening) for post in thread[1:])
    found.sort(key=lambda m: m["message_id"])
    return [{"update_id": m["message_id"], "message": m} for m in found]


def _sent(body: Body) -> tuple[int, Body]:
    text = body.get("text")
    if body.get("chat_id") != CHAT["id"]:
        return _error(400, "Bad Request: chat not found")
    if not isinstance(text, str) or not 1 <= len(text) <= 4096:
        return _error(400, "Bad Request: message text is empty")
    now = datetime.now(UTC)
    sent = IncomingMention(external_id="", author_handle=BOT, text=text, created_at=now)
    message = {**_message(sent, None), "message_id": SENT_BASE + stamp(now) % SENT_BASE}
    answered = whole(str((body.get("reply_parameters") or {}).get("message_id", "")))
    if answered:
        message["reply_to_message"] = {"message_id": answered, "chat": CHAT, "date": message["date"]}
    return _ok(message)


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Body]:
    sent = Asked(request)
    route = _ROUTE.fullmatch(sent.path)
    if route is None:
        return _error(404, "Not Found")
    if route["token"] != BOT_TOKEN:
        return _error(401, "Unauthorized")
    method, body = route["method"], sent.json
    if method == "getMe":
        return _ok({**_user(BOT), "can_join_groups": True, "can_read_all_group_messages": True})
    if method == "getUpdates":
        offset = whole(str(body.get("offset", ""))) or 0
        limit = limit_of(str(body.get("limit", "")), 100, 100)
        return _ok([u for u in updates(posts) if u["update_id"] >= offset][:limit])
    if method == "sendMessage":
        return _sent(body)
    if method == "deleteMessage":
        mid = whole(str(body.get("message_id", ""))) or 0
        if body.get("chat_id") == CHAT["id"] and mid >= SENT_BASE:
            return _ok(True)
        return _error(400, "Bad Request: message to delete not found")
    return _error(404, "Not Found")
