"""The Slack channel: messages of the desk's own Slack workspace that someone turns into tickets (issue 31), the
questions asked internally, in #community-advocates and elsewhere, that the handbook asks advocates to answer too.
Push only: the desk's Slack app (slackapp) receives the *Create ticket* message shortcut and, in the channels chosen
here, the chosen emoji reaction, and hands the message to the ingest. Never polled.

What the app hands over, one message each (`parse_payload`; also how a saved one is read again)::

    {"channel_id": "CJDP9QK1U",                     required, where the message is
     "message": {"ts": "1557796107.000500",         required, Slack's message object as its APIs give it
                 "text": "…", "user": "U…", "user_profile": {…}, "thread_ts": "…"},
     "permalink": "https://….slack.com/archives/…",  optional, the message's link
     "author_name": "dana"}                          optional, when the payload named the author

The id is `slack:<channel id>:<message ts>`: a message is one ticket however often, and however (a shortcut, a
reaction, Slack's retries), it arrives, since the ingest stores an id once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from ..adapter import Adapter
from ..base import ConfigError, IncomingMention, PayloadError
from ..guard import Parsed, item_mentions, parse_each
from ..schema import KindSchema, Setting
from .markup import slack_text

if TYPE_CHECKING:
    from channels.models import Channel

DEFAULT_EMOJI = "ticket"
_EMOJI = re.compile(r"[a-z0-9_+'-]{1,100}")
# A Slack timestamp ("1355517523.000005"): Unix seconds and a sequence, ASCII digits only (\d takes other scripts'
# digits). Ten digits of seconds reach the year 2286, inside what a datetime holds; twelve reached the year 33658
# and "year 33658 is out of range" (issue 55).
TS_PATTERN = re.compile(r"[0-9]{1,10}\.[0-9]{1,6}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")

SCHEMA = KindSchema(
    settings=(
        Setting(
            "reaction_channels",
            "Reaction channels",
            "lines",
            "Slack channels where the reaction below makes a ticket of a message (#name or channel id, one per "
            "line); the Create ticket shortcut works in every channel the app is in",
            example="#community-advocates",
        ),
        Setting(
            "reaction_emoji",
            "Reaction emoji",
            "text",
            "The emoji name (without colons) whose reaction makes a ticket in those channels",
            example="ticket",
            default=DEFAULT_EMOJI,
        ),
    ),
)


def emoji_name(value: Any) -> str:
    """An emoji as Slack names it in `reaction_added` ("ticket", "+1"), colons and case dropped."""
    return str(value or "").strip().strip(":").lower()


class SlackAdapter(Adapter):
    kind = "slack"
    schema = SCHEMA

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        from channels.models import slack_destination_clean

        if not isinstance(config, dict):
            raise ConfigError("Config must be a JSON object ({} is fine: the shortcut needs no setting).")
        unknown = set(config) - {"reaction_channels", "reaction_emoji"}
        if unknown:
            raise ConfigError(f"Unknown Slack setting(s): {', '.join(sorted(unknown))}.")
        cleaned = dict(config)
        if "reaction_channels" in config:
            channels = config["reaction_channels"]
            if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
                raise ConfigError('"reaction_channels": a list of Slack channels, e.g. ["#community-advocates"].')
            try:
                cleaned["reaction_channels"] = [slack_destination_clean(c) for c in channels if c.strip()]
            except ValidationError as exc:
                raise ConfigError(f'"reaction_channels": {exc.messages[0]}') from None
        if "reaction_emoji" in config:
            emoji = emoji_name(config["reaction_emoji"])
            if not _EMOJI.fullmatch(emoji):
                raise ConfigError('"reaction_emoji": an emoji name as Slack writes it, e.g. ticket or +1.')
            cleaned["reaction_emoji"] = emoji
        return cleaned

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        from django.conf import settings

        token = "set" if settings.SLACK_BOT_TOKEN else "NOT set: the desk cannot read reacted messages nor answer"
        secret = "set" if settings.SLACK_SIGNING_SECRET else "NOT set: Slack's requests are refused"
        return f"Push only: the desk's Slack app sends messages here (bot token {token}; signing secret {secret})."

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        if isinstance(payload, list):
            return [m for item in payload for m in self.parse_payload(item)]
        return item_mentions(payload, mention_from_message)

    def parse_page(self, payload: Any) -> Parsed:
        if not isinstance(payload, dict | list):
            raise PayloadError("a Slack message must be a JSON object (or a list of them)")
        return parse_each(payload if isinstance(payload, list) else [payload], mention_from_message, platform="slack")


MESSAGE_PARTS = ("attachments", "blocks", "files")


def message_problem(message: dict[str, Any], where: str = "message") -> str:
    """Empty when the parts of a Slack message the desk may read are in Slack's documented shape, else the first
    that is not (`where` names the message in the answer: "message", "event"). Each of `attachments`,
    `blocks` and `files` is a list of objects when present (api.slack.com/events/message: "attachments",
    "blocks", "files"); null counts as absent."""
    for part in MESSAGE_PARTS:
        value = message.get(part)
        if value is None:
            continue
        if not isinstance(value, list):
            return f"{where}.{part}: a list of objects (got {type_name(value)})"
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                return f"{where}.{part}[{index}]: an object (got {type_name(item)})"
    return ""


def type_name(value: Any) -> str:
    """A JSON value's type as JSON names it, for an error a reader of the payload understands."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def slack_ts_time(ts: object) -> datetime | None:
    """The time a Slack timestamp stands for, or None when `ts` is not one: the one place a ts becomes a datetime."""
    if not isinstance(ts, str) or not TS_PATTERN.fullmatch(ts):
        return None
    return datetime.fromtimestamp(float(ts), tz=UTC)


def message_time(ts: str) -> datetime:
    """A message's time, or PayloadError naming `ts` (the worker fails the delivery at once, never retries it)."""
    found = slack_ts_time(ts)
    if found is None:
        raise PayloadError(f"message.ts: not a Slack timestamp ({ts[:40]!r})")
    return found


def mention_from_message(data: Any) -> IncomingMention:
    """One message in the shape above, or a PayloadError naming the field. Cleaned by the caller (guard)."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        raise PayloadError("a Slack message needs its channel_id and message")
    channel_id, message = str(data.get("channel_id") or ""), data["message"]
    ts = str(message.get("ts") or "")
    if not _CHANNEL_ID.fullmatch(channel_id):
        raise PayloadError(f"channel_id: not a Slack channel id ({channel_id[:40]!r})")
    if not TS_PATTERN.fullmatch(ts):
        raise PayloadError(f"message.ts: not a Slack timestamp ({ts[:40]!r})")
    problem = message_problem(message)
    if problem:
        raise PayloadError(problem)
    text = slack_text(str(message.get("text") or ""))
    if not text:  # a message of attachments only: their fallback is what a notification shows
        text = "\n".join(slack_text(str(a.get("fallback") or "")) for a in message.get("attachments") or [])
    profile = message.get("user_profile") if isinstance(message.get("user_profile"), dict) else {}
    author = str(message.get("user") or message.get("bot_id") or "")
    name = data.get("author_name") or profile.get("real_name") or profile.get("display_name") or profile.get("name")
    return IncomingMention(
        external_id=f"slack:{channel_id}:{ts}",
        created_at=message_time(ts),
        text=text,
        title=next((line for line in text.splitlines() if line.strip()), ""),
        author_handle=author,
        author_name=str(name or message.get("username") or author),
        permalink=str(data.get("permalink") or ""),
        raw=data,
    )
