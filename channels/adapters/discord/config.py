"""A Discord channel's settings: `validate_config`, the defaults and the schema admin builds its form from.

Discord names everything by snowflake (a decimal id of up to 20 digits): the server (``guild_id``), the text and
forum channels read, and the team's users and roles, whose messages are our replies."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, keywords, number
from ..values import with_defaults

MAX_IDS = 50
MAX_KEYWORDS = 20
_SNOWFLAKE_RE = re.compile(r"[1-9][0-9]{5,19}")
_EXAMPLE = '{"guild_id": "613425648685547541", "text_channels": ["613425648685547543"]}'


def snowflake(value: Any, key: str) -> str:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _SNOWFLAKE_RE.fullmatch(text):
        raise ConfigError(f'"{key}" must be a Discord id (Developer Mode, right-click, Copy ID); got {value!r}.')
    return text


def _id_list(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise ConfigError(f'"{key}" must be a list of at most {MAX_IDS} Discord ids.')
    return list(dict.fromkeys(snowflake(item, key) for item in value))


def keyword_match(text: str, keywords: list[str]) -> bool:
    """No keywords: everything matches (a text channel is read whole); else any keyword, case-insensitive."""
    folded = text.casefold()
    return not keywords or any(k.casefold() in folded for k in keywords)


def _ids(key: str, label: str, help: str) -> Setting:
    """A list of Discord ids, one a line."""
    help = f"One Discord id a line (Developer Mode on, right-click, Copy ID): {help}"
    return Setting(key, label, "lines", help, clean=partial(_id_list, key=key))


SCHEMA = KindSchema(
    settings=(
        Setting(
            "guild_id",
            "Server id",
            "text",
            "The Discord server (guild) the bot is in",
            required=True,
            clean=partial(snowflake, key="guild_id"),
        ),
        _ids("text_channels", "Text channels", "every message there is read"),
        _ids("forum_channels", "Forum channels", "each post is a ticket"),
        _ids("team_user_ids", "Team's users", "their messages are our replies"),
        _ids("team_role_ids", "Team's roles", "members with one are ours (gateway only)"),
        keywords(
            "Only for a busy text channel: read only messages with one",
            what="words",
            max_length=200,
            max_count=MAX_KEYWORDS,
            fold_spaces=False,
        ),
        Setting(
            "application_id",
            "Application id",
            "text",
            "The bot's application id, for the Add to server link",
            clean=partial(snowflake, key="application_id"),
        ),
        number("backfill_messages", 50, (0, 100), ("Backfill", "Messages a new channel reads back")),
        number("max_requests_per_poll", 20, (1, 100)),
    ),
    credentials=(
        Credential("bot_token", "Bot token", "The bot's token (Developer Portal, Bot, Reset Token); stored encrypted"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Discord", _EXAMPLE)
    if not result.get("text_channels") and not result.get("forum_channels"):
        raise ConfigError(f"Choose the channels to read: text_channels, forum_channels or both, e.g. {_EXAMPLE}.")
    return result


settings_of = with_defaults(DEFAULTS, validate_config)
