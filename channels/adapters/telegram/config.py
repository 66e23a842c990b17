"""A Telegram channel's settings: `validate_config`, the defaults and the schema admin builds its form from.

Telegram names a group by its chat id (``-1001971186208`` for a supergroup, a smaller negative number for a basic
group) or, for a public one, by its @username; either may be listed in ``chats``."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import MAX_REQUESTS_HELP, Credential, KindSchema, Setting, int_setting
from ..values import config_keys_check, keyword_list, whole_numbers_check, with_defaults

DEFAULTS: dict[str, Any] = {
    "chats": [],
    "keywords": [],
    "limit": 100,
    "max_requests_per_poll": 5,
}
# getUpdates' `limit` is 1-100 (core.telegram.org/bots/api#getupdates).
_INT_LIMITS: dict[str, tuple[int, int]] = {"limit": (1, 100), "max_requests_per_poll": (1, 50)}
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


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    config_keys_check(config, allowed=set(DEFAULTS), platform="Telegram", example=_EXAMPLE)
    chats = config.get("chats")
    if not isinstance(chats, list) or not chats or len(chats) > MAX_CHATS:
        raise ConfigError(f'"chats" lists the groups to read (1 to {MAX_CHATS}), e.g. {_EXAMPLE}.')
    result: dict[str, Any] = {**config, "chats": list(dict.fromkeys(chat_key(c) for c in chats))}
    if "keywords" in config:
        result["keywords"] = keyword_list(
            config["keywords"], what="words", max_length=200, max_count=MAX_KEYWORDS, fold_spaces=False
        )
    whole_numbers_check(config, _INT_LIMITS)
    return result


settings_of = with_defaults(DEFAULTS, validate_config)


SCHEMA = KindSchema(
    settings=(
        Setting(
            "chats",
            "Chats",
            "lines",
            "One group a line: its chat id (-100…) or a public group's @username; the bot must be a member",
            example="-1001971186208",
            required=True,
        ),
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Only for a busy group: a message opens a ticket when it names one, mentions the bot or replies to it",
        ),
        int_setting("limit", "Updates per request", "getUpdates' limit (1-100)", defaults=DEFAULTS, limits=_INT_LIMITS),
        int_setting(
            "max_requests_per_poll", "Requests per poll", MAX_REQUESTS_HELP, defaults=DEFAULTS, limits=_INT_LIMITS
        ),
    ),
    credentials=(
        Credential("bot_token", "Bot token", "The token @BotFather gave the bot (123456:ABC…); stored encrypted"),
    ),
)
