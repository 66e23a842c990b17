"""A Telegram channel's settings: `validate_config`, the defaults and the schema admin builds its form from.

Telegram names a group by its chat id (``-1001971186208`` for a supergroup, a smaller negative number for a basic
group) or, for a public one, by its @username; either may be listed in ``chats``."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, keywords, number
from ..values import with_defaults

MAX_CHATS = 50
MAX_KEYWORDS = 20
# A chat id is a signed 52-bit integer; a public chat's username is 4-32 letters, digits and underscores.
_CHAT_ID_RE = re.compile(r"-?[1-9][0-9]{0,15}")
_USERNAME_RE = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")
_EXAMPLE = '{"chats": ["-1001971186208", "@our_product_chat"]}'


def chat_key(value: Any) -> str:
    """A listed chat as the desk compares it: the id as digits, a username as "@name" in lower case."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if _CHAT_ID_RE.fullmatch(text):
        return text
    if _USERNAME_RE.fullmatch(text):
        return text.lower()
    raise ConfigError(f'Each of "chats" is a chat id (-100…) or a public chat\'s @username; got {str(value)[:60]!r}.')


def _chats(chats: Any) -> list[str]:
    if not isinstance(chats, list) or not chats or len(chats) > MAX_CHATS:
        raise ConfigError(f'"chats" lists the groups to read (1 to {MAX_CHATS}), e.g. {_EXAMPLE}.')
    return list(dict.fromkeys(chat_key(c) for c in chats))


SCHEMA = KindSchema(
    settings=(
        Setting(
            "chats",
            "Chats",
            "lines",
            "One group a line: its chat id (-100…) or a public group's @username; the bot must be a member",
            example="-1001971186208",
            required=True,
            clean=_chats,
        ),
        keywords(
            "Only for a busy group: a message opens a ticket when it names one, mentions the bot or replies to it",
            what="words",
            max_length=200,
            max_count=MAX_KEYWORDS,
            fold_spaces=False,
        ),
        # getUpdates' `limit` is 1-100 (core.telegram.org/bots/api#getupdates).
        number("limit", 100, (1, 100), ("Updates per request", "getUpdates' limit (1-100)")),
        number("max_requests_per_poll", 5, (1, 50)),
    ),
    credentials=(
        Credential("bot_token", "Bot token", "The token @BotFather gave the bot (123456:ABC…); stored encrypted"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    return SCHEMA.checked(config, "Telegram", _EXAMPLE)


settings_of = with_defaults(DEFAULTS, validate_config)
