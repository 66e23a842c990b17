"""The bot's account: Telegram's replies are posted by the channel's bot, not by a person's account.

A Telegram bot has no sign-in page: @BotFather gives its token, which the channel's credentials hold. "Connect"
therefore says so, and the account is connected with the channel's bot token (`bot_token_grant`, admin's "or with
the channel's bot token"): ``getMe`` says which bot the token is, and the account is that bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels import clean
from channels.accounts.oauth import Grant, KeyOnly, bot_grant

from ..base import PayloadError
from .client import Client, token_of

if TYPE_CHECKING:
    from channels.models import Channel


class TelegramBotToken(KeyOnly):
    """No authorisation to ask for: the bot acts with its token, the channel's credential."""

    label = "Telegram"
    how = "A Telegram bot has no sign-in page: connect the account with the channel's bot token (from @BotFather)."
    refreshes = False  # a bot token does not expire: a revoked one is stored again in the channel's credentials


def whoami(session: requests.Session, token: str) -> tuple[str, str]:
    """The bot's username and id: ``getMe``."""
    me = clean.mapping(Client(session, token, budget=1).call("getMe"))
    name, uid = clean.handle(me.get("username")), clean.ident(me.get("id"))
    if not name or not uid or me.get("is_bot") is not True:
        raise PayloadError("Telegram did not say which bot the token is (getMe).")
    return name, uid


def bot_token_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """Post as the channel's bot, after Telegram says the token is `username`'s (any name, when none is given)."""
    token = token_of(channel)
    return bot_grant(token, *whoami(session, token), username=username)
