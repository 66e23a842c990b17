"""Telegram, declared for the registry (channels.adapters.platform).

Request budget: the Bot API documents no limit on reading (``getUpdates``); it limits sending (about 30 messages a
second per bot, 20 a minute in one group: core.telegram.org/bots/faq). A poll asks for one page of updates (more
only when a page comes back full), and Telegram hands each update to one reader per bot, so the desk bounds the
reads of every channel with the same bot token at 60 a minute, and a 429's ``retry_after`` is honoured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyRule
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel

READS_PER_MINUTE = 60


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    who = f"telegram:{hashed(credential(channel, 'bot_token'))}"
    label = f"Telegram: the desk's own {READS_PER_MINUTE} getUpdates a minute per bot (no documented read limit)"
    return [Bucket(who, 1, READS_PER_MINUTE, 60, label)]


PLATFORM = Platform(
    kind="telegram",
    label="Telegram",
    adapter="channels.adapters.telegram.TelegramAdapter",
    help_text="Telegram groups the team's bot is in (and their forum topics); replies go in the thread, as the bot.",
    config_example={"chats": ["-1001971186208"], "keywords": ["runner"]},
    budget=budget,
    watch=None,
    replies="channels.adapters.telegram.TelegramAdapter.post_reply",
    accounts="channels.adapters.telegram.oauth.TelegramBotToken",
    credentials_required=("bot_token",),
    # sendMessage: "Text of the message to be sent, 1-4096 characters after entities parsing"; no parse_mode, so
    # none is parsed.
    reply_rule=ReplyRule(limit=4096),
    own_place=True,  # the product's own groups
    # deleteMessage, as the bot: its own message taken back (reply.delete_post), within Telegram's 48 hours.
    actions={"delete": "Delete"},
    unsupported={
        "watch": "Telegram hands every message of the group to the bot: each poll reads a thread's follow-ups already.",
    },
    author_ids=("message.from.id", "edited_message.from.id"),
)
