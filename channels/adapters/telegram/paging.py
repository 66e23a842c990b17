"""One poll's walk of ``getUpdates``: page after page of updates, each page one chunk with the cursor just after
it (`cursor.py`), until a page comes back short (nothing more waits) or the poll's budget or a 429 stops it.

Which messages are mentions (`kept`): those of the channel's chats, and where the channel lists keywords (a busy
group) only a message that names a keyword, mentions the bot (``@<bot username>``), answers the bot, or follows a
message kept before (a reply to it, or a message in a forum topic where one was kept); without keywords every
message of the chats is. The bot's own messages are always kept (our replies).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from ..poll.engine import Page
from .client import Client
from .cursor import Cursor
from .parse import Context, chat_of, message_of, parent_of, parse_update, topic_of, words_of

ALLOWED_UPDATES = ["message", "edited_message"]


def in_chats(message: dict[str, Any], chats: list[str]) -> bool:
    """Whether the message is in one of the channel's chats; one without a chat id is left to the parser to refuse."""
    chat = chat_of(message)
    ident = clean.whole(chat.get("id"))
    username = clean.handle(chat.get("username")).lower()
    return ident is None or str(ident) in chats or (bool(username) and f"@{username}" in chats)


def wanted(message: dict[str, Any], config: dict[str, Any], context: Context, cursor: Cursor) -> bool:
    """Whether a message of the channel's chats is a mention (the module's rules)."""
    keywords: list[str] = config["keywords"]
    author = clean.ident(clean.mapping(message.get("from")).get("id"))
    if not keywords or (context.bot_id and author == context.bot_id):
        return True
    text = words_of(message).casefold()
    if any(k.casefold() in text for k in keywords):
        return True
    if context.bot_username and f"@{context.bot_username.casefold()}" in text:
        return True
    replied = clean.mapping(clean.mapping(message.get("reply_to_message")).get("from"))
    if context.bot_id and clean.ident(replied.get("id")) == context.bot_id:
        return True
    return parent_of(message) in cursor.kept or topic_of(message) in cursor.topics


def page_chunk(updates: list[Any], config: dict[str, Any], context: Context, cursor: Cursor) -> Parsed:
    """The page's mentions, oldest first (what cannot be read rejected, the rest kept), the cursor moved past every
    update of the page. Each is chosen after the ones before it are kept, so a reply follows a message of its page."""
    parsed = Parsed()
    for update in updates:
        message = message_of(update)
        if message and not (in_chats(message, config["chats"]) and wanted(message, config, context, cursor)):
            continue  # another chat the bot is in, or a busy group's chatter
        one = parse_each([update], lambda u: parse_update(u, context), id_keys=("update_id",), platform="telegram")
        one.mentions = [_joined(m, cursor) for m in one.mentions]
        parsed.extend(one)
    ids = [u for u in (clean.whole(clean.mapping(x).get("update_id"), minimum=0) for x in updates) if u is not None]
    if ids:
        cursor.offset = max(max(ids) + 1, cursor.offset or 0)
    return parsed


def _joined(mention: IncomingMention, cursor: Cursor) -> IncomingMention:
    """A topic's message without a parent of its own joins the topic's first kept message; remembered as kept."""
    root = cursor.topics.get(mention.thread_id, "") if mention.thread_id else ""
    cursor.keep(mention.external_id, mention.thread_id)
    if root and not mention.parent_id and root != mention.external_id:
        return replace(mention, related_ids=(root,))
    return mention


def update_chunks(client: Client, config: dict[str, Any], context: Context, cursor: Cursor) -> Iterator[Page]:
    """Pages of updates from the cursor's offset on, each a chunk."""
    limit = int(config["limit"])
    while client.can_call():
        params: dict[str, Any] = {"limit": limit, "timeout": 0, "allowed_updates": ALLOWED_UPDATES}
        if cursor.offset is not None:
            params["offset"] = cursor.offset
        updates = client.call("getUpdates", params)
        if not isinstance(updates, list):
            raise PayloadError(f"Telegram getUpdates: expected a list of updates, got {clean.preview(updates)}")
        more = len(updates) >= limit
        yield Page(page_chunk(updates, config, context, cursor), more=more, reads=len(updates))
        if not more:
            return
