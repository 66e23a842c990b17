"""The bot's account: Discord's replies are posted by the channel's bot, not by a person's account.

"Connect" is Discord's bot authorization (discord.com/developers/docs/topics/oauth2, "Bot Authorization Flow"):
``https://discord.com/oauth2/authorize?client_id=<application_id>&scope=bot&permissions=<...>&guild_id=<guild>``
adds the bot to the server with the permissions the desk needs (read history, send messages and messages in
threads, create public threads, add reactions). Discord then redirects back; nothing is exchanged, since a bot
acts with its token, which the channel's credentials hold. `complete` and `bot_token_grant` (admin's "or with the
channel's bot token") both ask ``GET /users/@me`` who the token is and connect the account as that bot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import requests

from channels import clean
from channels.accounts.oauth import Begun, Grant, Provider, bot_grant, whoami_answer

from ..base import AuthError, ConfigError, PayloadError
from .client import API, headers_of, token_of
from .config import validate_config

if TYPE_CHECKING:
    from channels.models import Channel

# VIEW_CHANNEL, SEND_MESSAGES, ADD_REACTIONS, READ_MESSAGE_HISTORY, CREATE_PUBLIC_THREADS, SEND_MESSAGES_IN_THREADS
PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 6) | (1 << 16) | (1 << 35) | (1 << 38)


class DiscordBotAuthorization(Provider):
    """Adding the bot to the server, not an account's authorisation code: nothing is exchanged, the bot's token is
    the channel's."""

    label = "Discord"
    refreshes = False  # a bot token does not expire: a reset one is stored again in the channel's credentials

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        config = validate_config(channel.config)
        if not config.get("application_id"):
            raise ConfigError("Set the channel's application_id (Developer Portal, General Information) first.")
        query = {
            "client_id": config["application_id"],
            "scope": "bot",
            "permissions": str(PERMISSIONS),
            "guild_id": config["guild_id"],
            "disable_guild_select": "true",
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return Begun(url=f"https://discord.com/oauth2/authorize?{urlencode(query)}")

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        if params.get("error"):
            raise AuthError(f"Discord said: {clean.line(params.get('error_description') or params.get('error'))}")
        return bot_token_grant(channel=channel, session=session, username="")


def whoami(session: requests.Session, token: str) -> tuple[str, str]:
    """The bot's username and id: ``GET /users/@me``."""
    user, status = whoami_answer(
        session, API + "/users/@me", label="Discord", headers=headers_of(token), allow_redirects=False,
        refused="Discord refused the bot token (HTTP {status}): it may have been reset.",
    )  # fmt: skip
    name, uid = clean.line(user.get("username")), clean.ident(user.get("id"))
    if not name or not uid:
        raise PayloadError(f"Discord did not say who the bot is (HTTP {status}).")
    return name, uid


def bot_token_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """Post as the channel's bot, after Discord says the token is `username`'s (any name, when none is given)."""
    token = token_of(channel)
    return bot_grant(token, *whoami(session, token), username=username)
