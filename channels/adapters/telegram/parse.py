"""Telegram updates as mentions (core.telegram.org/bots/api, "Update" and "Message").

- **Which updates**: ``message`` and ``edited_message`` (an edit is the same message with its ``edit_date``: the
  ingest keeps the new text, the old in the history). Channel posts, member changes, polls and the rest are not
  asked for (``allowed_updates``) and skipped if they come.
- **Which messages**: someone's words, its ``text`` or a photo's or file's ``caption``. Service messages (a topic
  opened, members joining, a pin) carry neither and are skipped. Other bots are skipped; the channel's own bot
  (``from.id``, the id ``getMe`` gave) is our reply.
- **Ids**: a ``message_id`` is unique within its chat only, so a message is ``"<chat id>:<message id>"``.
- **Threads**: a message answering another (``reply_to_message``) is under it (``parent_id``). In a forum
  supergroup a topic's messages (``is_topic_message``) share the topic's ``message_thread_id`` (the id of the
  service message that opened it), its ``thread_id``; Telegram makes every topic message a reply to that service
  message, which is no parent of its own (it is never stored): only a reply to another message is.
- **Author**: ``from.username`` (a user without one is known by the number Telegram gives them), ``first_name``
  and ``last_name``; an anonymous admin or a linked channel writes as ``sender_chat`` (its @username or title).
- **Addresses**: ``https://t.me/<group username>/<message id>`` for a public group (``…/<topic>/<message id>``
  in a topic); ``https://t.me/c/<id>/<message id>`` for a private supergroup (members only); a basic group's
  messages have no address.
- **Attachments**: not kept. A file's address holds the bot token (``/file/bot<token>/…``), which never leaves
  the desk; the raw update keeps the file's id.

Accepted payloads: one update, a list of them, or getUpdates' whole answer ``{"ok": true, "result": [...]}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each

WEB = "https://t.me"
KINDS = ("message", "edited_message")
_MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{3,31})")


@dataclass(frozen=True)
class Context:
    """What an update alone does not say: which user is the channel's bot."""

    bot_id: str = ""
    bot_username: str = ""


def message_of(update: Any) -> dict[str, Any]:
    """The message an update carries (new or edited), or {}."""
    body = clean.mapping(update)
    for kind in KINDS:
        if isinstance(body.get(kind), dict):
            return body[kind]
    return {}


def chat_of(message: dict[str, Any]) -> dict[str, Any]:
    return clean.mapping(message.get("chat"))


def message_key(chat_id: Any, message_id: Any) -> str:
    chat, mid = clean.whole(chat_id), clean.whole(message_id, minimum=1)
    return f"{chat}:{mid}" if chat is not None and mid is not None else ""


def topic_of(message: dict[str, Any]) -> str:
    """The forum topic's key ("<chat>:<thread id>"), or "" outside a topic."""
    if message.get("is_topic_message") is not True:
        return ""
    return message_key(chat_of(message).get("id"), message.get("message_thread_id"))


def parent_of(message: dict[str, Any]) -> str:
    """The message this one answers, unless it is only its topic's opening service message."""
    replied = clean.mapping(message.get("reply_to_message"))
    if not replied or "forum_topic_created" in replied:
        return ""
    if topic_of(message) and clean.whole(replied.get("message_id")) == clean.whole(message.get("message_thread_id")):
        return ""
    return message_key(chat_of(message).get("id"), replied.get("message_id"))


def words_of(message: dict[str, Any]) -> str:
    return clean.text(message.get("text")) or clean.text(message.get("caption"))


def parse_page(payload: Any, context: Context | None = None) -> Parsed:
    context = context or Context()
    if isinstance(payload, dict) and "result" in payload and "update_id" not in payload:
        payload = payload["result"]
    items = payload if isinstance(payload, list) else [payload]
    if not isinstance(payload, list | dict):
        raise PayloadError(f"expected Telegram updates, got {clean.preview(payload)}")
    return parse_each(items, lambda item: parse_update(item, context), id_keys=("update_id",), platform="telegram")


def parse_update(update: Any, context: Context) -> IncomingMention | None:
    body = clean.mapping(update)
    if clean.whole(body.get("update_id"), minimum=0) is None:
        raise ValueError("a Telegram update has a whole-number update_id")
    message = message_of(body)
    if not message:
        return None  # an update of another kind (a channel post, a member change): not asked for
    chat = chat_of(message)
    key = message_key(chat.get("id"), message.get("message_id"))
    created = clean.epoch(message.get("date"))
    if not key or created is None:
        raise ValueError("a Telegram message has a message_id, a chat with an id and a date")
    text = words_of(message)
    if not text:
        return None  # a service message (a topic opened, a member joined) or a sticker: no words
    author = clean.mapping(message.get("from"))
    ours = bool(context.bot_id) and clean.ident(author.get("id")) == context.bot_id
    if author.get("is_bot") is True and not ours:
        return None  # another bot's messages are not someone asking
    handle, name = _author(author, clean.mapping(message.get("sender_chat")))
    replied = clean.mapping(message.get("reply_to_message"))
    topic_name = clean.line(clean.mapping(replied.get("forum_topic_created")).get("name"))
    return IncomingMention(
        external_id=key,
        created_at=created,
        text=text,
        author_handle=handle,
        author_name=name,
        author_url=f"{WEB}/{handle}" if handle and not handle.isdigit() else "",
        permalink=permalink(message),
        title=topic_name,
        parent_id=parent_of(message),
        thread_id=topic_of(message),
        edited_at=clean.epoch(message.get("edit_date")),
        by_us=ours,
        mentioned=tuple(dict.fromkeys(_MENTION_RE.findall(text))),
        raw=clean.raw(body),
    )


def _author(user: dict[str, Any], sender_chat: dict[str, Any]) -> tuple[str, str]:
    if sender_chat:  # an anonymous admin or a linked channel writes as the chat
        title = clean.line(sender_chat.get("title"))
        return clean.handle(sender_chat.get("username")) or clean.ident(sender_chat.get("id")), title
    handle = clean.handle(user.get("username")) or clean.ident(user.get("id"))
    name = " ".join(part for part in (clean.line(user.get("first_name")), clean.line(user.get("last_name"))) if part)
    return handle, name or handle


def permalink(message: dict[str, Any]) -> str:
    chat = chat_of(message)
    mid = clean.whole(message.get("message_id"), minimum=1)
    topic = clean.whole(message.get("message_thread_id"), minimum=1) if topic_of(message) else None
    where = f"{topic}/{mid}" if topic else f"{mid}"
    # A private chat's username is the person's, not an address of the message: only groups' are.
    username = clean.handle(chat.get("username")) if chat.get("type") in ("supergroup", "channel") else ""
    if username:
        return f"{WEB}/{username}/{where}"
    chat_id = str(clean.whole(chat.get("id")) or "")
    if chat_id.startswith("-100") and mid is not None:  # a supergroup: its id without -100 (members only)
        return f"{WEB}/c/{chat_id[4:]}/{where}"
    return ""
