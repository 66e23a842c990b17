"""Discord messages as mentions (discord.com/developers/docs/resources/message, "Message Object"; the same object
comes from REST and in the gateway's MESSAGE_CREATE / MESSAGE_UPDATE).

- **Tickets**: a forum post is a thread whose first message has the thread's id: that message opens the ticket
  (titled with the post's name) and the thread's other messages follow up on it. In a text channel a message that
  starts a thread (its ``thread``) opens a ticket and the thread's messages follow up; a plain message that replies
  to another (``message_reference``, type 19) joins that message's ticket.
- **Ours**: a message by the bot, by one of the team's users (``team_user_ids``) or by a member holding one of
  the team's roles (``member.roles``, which only the gateway's events carry) is our reply. Other bots and webhooks
  are not people asking: skipped.
- **Author weight**: none. Discord says nothing of a member's standing in a message (no followers, no karma).
- **Attachments** (``attachments[]``): ``url``, ``proxy_url`` as the preview, ``description`` (alt text) or the
  ``filename`` as the link's words, the kind from ``content_type``.

Accepted payloads: one message, a list of them, or ``{"messages": [...], "threads": [...]}`` (a saved poll: the
threads, as ``GET /guilds/{id}/threads/active`` lists them, name the forum posts and say which channel is a thread).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from channels import clean

from ..base import IncomingMention, Media
from ..guard import Parsed, parse_each
from .config import keyword_match

# Message types that are someone's words: DEFAULT, REPLY (discord.com/developers/docs/resources/message, types).
USER_TYPES = (0, 19)
REPLY_TYPE = 19
WEB = "https://discord.com/channels"


@dataclass(frozen=True)
class Context:
    """What a message alone does not say: the threads (id -> channel object) and who is the team."""

    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    team_users: frozenset[str] = frozenset()
    team_roles: frozenset[str] = frozenset()
    bot_id: str = ""
    guild_id: str = ""


def threads_by_id(items: Iterable[Any]) -> dict[str, dict[str, Any]]:
    return {tid: t for t in clean.objects(list(items)) if (tid := clean.ident(t.get("id")))}


def context_of(config: dict[str, Any], bot_id: str, threads: dict[str, dict[str, Any]] | None = None) -> Context:
    """The channel's team and the bot, for a poll's page or a gateway event."""
    return Context(
        threads=threads or {},
        team_users=frozenset(config.get("team_user_ids") or []),
        team_roles=frozenset(config.get("team_role_ids") or []),
        bot_id=bot_id,
        guild_id=str(config.get("guild_id") or ""),
    )


def wanted(mention: IncomingMention, config: dict[str, Any]) -> bool:
    """Keywords filter only what opens a ticket in a text channel; a thread's or a reply's messages all count."""
    opens = not mention.parent_id and not mention.thread_id
    return mention.by_us or not opens or keyword_match(mention.text, config["keywords"])


def parse_page(payload: Any, context: Context | None = None) -> Parsed:
    context = context or Context()
    if isinstance(payload, dict) and ("messages" in payload or "threads" in payload):
        known = threads_by_id(clean.items(payload.get("threads")))
        context = replace(context, threads={**context.threads, **known})
        payload = clean.items(payload.get("messages"))
    items = payload if isinstance(payload, list) else [payload]
    return parse_each(items, lambda item: parse_message(item, context), platform="discord")


def parse_message(item: Any, context: Context) -> IncomingMention | None:
    message = clean.mapping(item)
    if not message:
        raise ValueError("a Discord message is a JSON object")
    mid, channel_id = clean.ident(message.get("id")), clean.ident(message.get("channel_id"))
    created = clean.iso_time(message.get("timestamp"))
    if not mid or not channel_id or created is None:
        raise ValueError("a Discord message has an id, a channel_id and a timestamp")
    if clean.whole(message.get("type")) not in USER_TYPES:
        return None  # joins, pins, boosts, thread-created notices: not someone's words
    author = clean.mapping(message.get("author"))
    author_id = clean.ident(author.get("id"))
    ours = _ours(message, author_id, context)
    if (author.get("bot") is True or message.get("webhook_id")) and not ours:
        return None
    thread_id, parent_id, title = _place(message, mid, channel_id, context)
    guild = clean.ident(message.get("guild_id")) or context.guild_id or "@me"
    return IncomingMention(
        external_id=mid,
        created_at=created,
        text=clean.text(message.get("content")),
        author_handle=clean.line(author.get("username")),
        author_name=clean.line(author.get("global_name")) or clean.line(author.get("username")),
        permalink=f"{WEB}/{guild}/{channel_id}/{mid}",
        title=title,
        parent_id=parent_id,
        thread_id=thread_id,
        edited_at=clean.iso_time(message.get("edited_timestamp")),
        by_us=ours,
        mentioned=tuple(h for u in clean.objects(message.get("mentions")) if (h := clean.line(u.get("username")))),
        media=media_of(message.get("attachments")),
        raw=clean.raw(message),
    )


def _ours(message: dict[str, Any], author_id: str, context: Context) -> bool:
    if author_id and (author_id == context.bot_id or author_id in context.team_users):
        return True
    roles = set(clean.strings(clean.mapping(message.get("member")).get("roles")))
    return bool(roles & context.team_roles)


def _place(message: dict[str, Any], mid: str, channel_id: str, context: Context) -> tuple[str, str, str]:
    """(thread_id, parent_id, title): where the message sits in its ticket."""
    started = clean.mapping(message.get("thread"))
    if started:  # it started a thread in a text channel: it opens the ticket
        return clean.ident(started.get("id")) or mid, "", clean.line(started.get("name"))
    thread = context.threads.get(channel_id)
    if thread is not None or _in_thread(message):
        name = clean.line((thread or {}).get("name"))
        if mid == channel_id:  # a forum post's first message has the thread's id
            return channel_id, "", name
        return channel_id, _replied_to(message) or channel_id, ""
    return "", _replied_to(message), ""


def _in_thread(message: dict[str, Any]) -> bool:
    # A gateway MESSAGE_CREATE in a thread says so only through the thread's id being its channel; REST says
    # nothing either. The poll's Context knows the threads; a message whose position is set is in one too.
    return clean.whole(message.get("position")) is not None


def _replied_to(message: dict[str, Any]) -> str:
    if clean.whole(message.get("type")) != REPLY_TYPE:
        return ""  # a crosspost's or a pin's reference is not a reply
    return clean.ident(clean.mapping(message.get("message_reference")).get("message_id"))


def media_of(value: Any) -> tuple[Media, ...]:
    found = []
    for attachment in clean.objects(value):
        url = clean.url(attachment.get("url"))
        if not url:
            continue
        kind = clean.line(attachment.get("content_type")).split("/")[0]
        found.append(
            Media(
                kind=kind if kind in ("image", "video", "audio") else "file",
                url=url,
                preview_url=clean.url(attachment.get("proxy_url")),
                alt=clean.line(attachment.get("description")) or clean.line(attachment.get("filename")),
            )
        )
    return tuple(found)
