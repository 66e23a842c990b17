"""A Discord channel's settings: `validate_config`, the defaults and the schema admin builds its form from.

Discord names everything by snowflake (a decimal id of up to 20 digits): the server (``guild_id``), the text and
forum channels read, and the team's users and roles, whose messages are our replies."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, int_settings
from ..values import config_keys_check, keyword_list, whole_numbers_check, with_defaults

DEFAULTS: dict[str, Any] = {
    "text_channels": [],
    "forum_channels": [],
    "team_user_ids": [],
    "team_role_ids": [],
    "keywords": [],
    "backfill_messages": 50,
    "max_requests_per_poll": 20,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {"backfill_messages": (0, 100), "max_requests_per_poll": (1, 100)}
MAX_IDS = 50
MAX_KEYWORDS = 20
_SNOWFLAKE_RE = re.compile(r"[1-9][0-9]{5,19}")
_EXAMPLE = '{"guild_id": "613425648685547541", "text_channels": ["613425648685547543"]}'


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    config_keys_check(config, allowed={"guild_id", "application_id", *DEFAULTS}, platform="Discord", example=_EXAMPLE)
    result: dict[str, Any] = {**config, "guild_id": snowflake(config.get("guild_id"), "guild_id")}
    if "application_id" in config:
        result["application_id"] = snowflake(config["application_id"], "application_id")
    for key in ("text_channels", "forum_channels", "team_user_ids", "team_role_ids"):
        if key in config:
            result[key] = _ids(config[key], key)
    if "keywords" in config:
        result["keywords"] = keyword_list(
            config["keywords"], what="words", max_length=200, max_count=MAX_KEYWORDS, fold_spaces=False
        )
    if not result.get("text_channels") and not result.get("forum_channels"):
        raise ConfigError(f"Choose the channels to read: text_channels, forum_channels or both, e.g. {_EXAMPLE}.")
    whole_numbers_check(config, _INT_LIMITS)
    return result


settings_of = with_defaults(DEFAULTS, validate_config)


def snowflake(value: Any, key: str) -> str:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _SNOWFLAKE_RE.fullmatch(text):
        raise ConfigError(f'"{key}" must be a Discord id (Developer Mode, right-click, Copy ID); got {value!r}.')
    return text


def _ids(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise ConfigError(f'"{key}" must be a list of at most {MAX_IDS} Discord ids.')
    return list(dict.fromkeys(snowflake(item, key) for item in value))


def keyword_match(text: str, keywords: list[str]) -> bool:
    """No keywords: everything matches (a text channel is read whole); else any keyword, case-insensitive."""
    folded = text.casefold()
    return not keywords or any(k.casefold() in folded for k in keywords)


_IDS_HELP = "One Discord id a line (Developer Mode on, right-click, Copy ID)"
SCHEMA = KindSchema(
    settings=(
        Setting("guild_id", "Server id", "text", "The Discord server (guild) the bot is in", required=True),
        Setting("text_channels", "Text channels", "lines", f"{_IDS_HELP}: every message there is read"),
        Setting("forum_channels", "Forum channels", "lines", f"{_IDS_HELP}: each post is a ticket"),
        Setting("team_user_ids", "Team's users", "lines", f"{_IDS_HELP}: their messages are our replies"),
        Setting("team_role_ids", "Team's roles", "lines", f"{_IDS_HELP}: members with one are ours (gateway only)"),
        Setting("keywords", "Keywords", "lines", "Only for a busy text channel: read only messages with one"),
        Setting("application_id", "Application id", "text", "The bot's application id, for the Add to server link"),
        *int_settings(
            ("backfill_messages", "Backfill", "Messages a new channel reads back"),
            "max_requests_per_poll",
            defaults=DEFAULTS,
            limits=_INT_LIMITS,
        ),
    ),
    credentials=(
        Credential("bot_token", "Bot token", "The bot's token (Developer Portal, Bot, Reset Token); stored encrypted"),
    ),
)
