"""Replying on Discord as the bot (discord.com/developers/docs/resources/message, "Create Message"; .../channel,
"Start Thread from Message"):

- **Where**: in the ticket's thread. A message in a thread (a forum post, a text channel's thread) is answered
  there with ``POST /channels/{thread_id}/messages``. A message in a text channel that has no thread yet gets one
  first: ``POST /channels/{channel_id}/messages/{message_id}/threads`` (named after the message's first words);
  the thread takes the message's id, so the answer and the rest of the conversation stay under it. A thread that
  exists already (error 160004) is answered in.
- **Length**: 2,000 characters, Discord's limit for a bot's message.
- **Images**: the same one request, as ``multipart/form-data`` ("Uploading Files"): the JSON body as
  ``payload_json`` and each image as ``files[n]``, described by ``attachments[n]`` (``id`` n, ``filename``,
  ``description``: the alt text). Discord takes the message and its files together or not at all (413 when they
  are too large), so nothing is half posted; the answer's ``attachments`` give each image's address.
- **Who is pinged**: ``allowed_mentions`` lets the reply notify only the person answered (``replied_user``) and
  users it names; never ``@everyone``, ``@here`` or a role, whatever the text says.
- **Like** (👍, ``PUT .../reactions/%F0%9F%91%8D/@me``) and **delete** our message (``DELETE
  /channels/{id}/messages/{mid}``): 204 when done; liking twice or deleting what is gone (404, error 10008) is done.
- **Direct message** to the mention's author: ``POST /users/@me/channels`` with ``{"recipient_id"}`` answers the DM
  channel (``type`` 1), then ``POST /channels/{id}/messages`` with ``{"content"}``. A person who takes no messages
  from the bot (shares no server with it, or closed their DMs) is Discord's 403, error 50007 "Cannot send messages
  to this user": said so, not taken for the bot's token.
Every call is made with the bot token (the channel's, which the bot's account was connected with: `oauth.py`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from channels import clean
from channels.accounts.sending import Reply, iso_or_now, json_of, reply_poster, reply_request
from channels.http_status import Ladder, answered, status_error, succeeded

from ..base import OutgoingImage, ReplyError, ReplyTarget, SentReply
from .client import API, error_text, headers_of, retry_after, token_of
from .parse import WEB, media_of
from .platform import PLATFORM

if TYPE_CHECKING:
    from channels.models import Account, Channel

MAX_LENGTH = PLATFORM.reply_rule.most  # a direct message is a message too: the same limit
THREAD_EXISTS = 160004
UNKNOWN_MESSAGE = 10008
CANNOT_MESSAGE_USER = 50007
LIKE = quote("👍")
ALLOWED_MENTIONS = {"parse": ["users"], "replied_user": True}


# What a send's answer means before the caller reads it (base={}: only these rungs): a wait, or the bot refused;
# any other answer is the caller's (a thread that already exists, a message already deleted).
REFUSED: Ladder = {
    429: (ReplyError, "Discord asks to wait {wait:.0f} seconds (rate limit): nothing was posted."),
    **dict.fromkeys(
        (401, 403), (ReplyError, "Discord refused the bot (HTTP {status}: {said}): check its token and role.")
    ),
}


def _call(
    channel: Channel, session: requests.Session, method: str, path: str, **options: Any
) -> tuple[requests.Response, Any]:
    token = token_of(channel)
    response = reply_request(
        session, method, API + path, label="Discord", where="the thread on Discord",
        headers=headers_of(token), allow_redirects=False, **options,
    )  # fmt: skip
    data = json_of(response) if response.content else None
    if answered(response, 403) and clean.whole(clean.mapping(data).get("code")) == CANNOT_MESSAGE_USER:
        raise ReplyError(
            "Discord will not deliver it: this person takes no direct messages from the bot (they share no server "
            "with it, or closed their DMs). Nothing was sent; ask them in the thread to write to us instead."
        )
    error = status_error(
        response,
        "Discord",
        REFUSED,
        base={},
        said=error_text(data),
        secret=token,
        wait=retry_after(response, data) or 60,
    )
    if error is not None:
        raise error
    return response, data


def _not_done(what: str, response: requests.Response, data: Any, none_given: str) -> ReplyError:
    return ReplyError(f"Discord did not {what} (HTTP {response.status_code}: {error_text(data) or none_given}).")


def _where(target: ReplyTarget, channel: Channel) -> tuple[str, str]:
    """The message's channel and server: a message read by REST names no guild_id (only the gateway's events do),
    so the channel's own server stands in, and the reply's link is the server's rather than a direct message's."""
    raw = clean.mapping(target.raw)
    channel_id = clean.ident(raw.get("channel_id"))
    if not channel_id:
        raise ReplyError("The stored message does not say its Discord channel: reply on Discord.")
    guild = clean.ident(raw.get("guild_id")) or clean.ident(clean.mapping(channel.config).get("guild_id"))
    return channel_id, guild


def _with_files(body: dict[str, Any], media: Sequence[OutgoingImage]) -> dict[str, Any]:
    """The request's options: the JSON body alone, or with the images as one multipart request."""
    if not media:
        return {"json": body}
    described = [{"id": n, "filename": i.filename, "description": i.alt[:1024]} for n, i in enumerate(media)]
    payload = json.dumps({**body, "attachments": described})
    files = {f"files[{n}]": (i.filename, i.data, i.content_type) for n, i in enumerate(media)}
    return {"data": {"payload_json": payload}, "files": files}


# The bot posts, likes and deletes for every advocate: the desk's `account` (and a reply's `style`) are taken, as
# every adapter's send is called, and not used.


@reply_poster(media=True)
def post_reply(reply: Reply) -> SentReply:
    if len(reply.text) > MAX_LENGTH:
        raise ReplyError(f"The reply is {len(reply.text)} characters; Discord takes {MAX_LENGTH} at most.")
    channel_id, guild = _where(reply.target, reply.channel)
    thread_id = _thread_from(reply.channel, reply.session, channel_id, reply.target)
    body = {
        "content": reply.text,
        "allowed_mentions": ALLOWED_MENTIONS,
        "message_reference": {"message_id": reply.target.external_id, "fail_if_not_exists": False},
    }
    response, data = _call(
        reply.channel, reply.session, "POST", f"/channels/{thread_id}/messages", **_with_files(body, reply.media)
    )
    return _sent(response, data, "post the reply", where=f"{guild or '@me'}/{thread_id}")


def _sent(response: requests.Response, data: Any, what: str, *, where: str) -> SentReply:
    """The message Discord took, at `where` (its guild, or @me, and its channel), with its attachments; else what
    Discord said instead, in words."""
    posted = clean.mapping(data)
    mid = clean.ident(posted.get("id"))
    if not succeeded(response) or not mid:
        raise _not_done(what, response, data, "no reason given")
    return SentReply(
        external_id=mid,
        permalink=f"{WEB}/{where}/{mid}",
        created_at=iso_or_now(posted.get("timestamp")),
        raw=posted,
        media=media_of(posted.get("attachments")),
    )


def _thread_from(channel: Channel, session: requests.Session, channel_id: str, target: ReplyTarget) -> str:
    """The thread the message is in or under, or one started under it now (it takes the message's id)."""
    if target.thread_id:
        return target.thread_id
    words = " ".join(clean.text(clean.mapping(target.raw).get("content")).split())[:90] or "Reply"
    path = f"/channels/{channel_id}/messages/{target.external_id}/threads"
    response, data = _call(channel, session, "POST", path, json={"name": words, "auto_archive_duration": 1440})
    if succeeded(response) or clean.whole(clean.mapping(data).get("code")) == THREAD_EXISTS:
        return target.external_id
    raise _not_done("open a thread for the reply", response, data, "")


def like(*, channel: Channel, session: requests.Session, target: ReplyTarget, account: Account | None = None) -> None:
    channel_id, _ = _where(target, channel)
    response, data = _call(
        channel, session, "PUT", f"/channels/{channel_id}/messages/{target.external_id}/reactions/{LIKE}/@me"
    )
    if not succeeded(response):
        raise _not_done("add the 👍", response, data, "no reason given")


def delete_post(
    *, channel: Channel, session: requests.Session, target: ReplyTarget, account: Account | None = None
) -> None:
    channel_id, _ = _where(target, channel)
    response, data = _call(channel, session, "DELETE", f"/channels/{channel_id}/messages/{target.external_id}")
    gone = clean.whole(clean.mapping(data).get("code")) == UNKNOWN_MESSAGE  # already deleted: what was asked is done
    if not succeeded(response) and not gone:
        raise _not_done("delete the message", response, data, "no reason")


def direct_message(
    *, channel: Channel, session: requests.Session, target: ReplyTarget, text: str, account: Account | None = None
) -> SentReply:
    if not text.strip() or len(text) > MAX_LENGTH:
        raise ReplyError(f"A direct message on Discord is 1 to {MAX_LENGTH} characters; this one is {len(text)}.")
    recipient = clean.ident(clean.mapping(clean.mapping(target.raw).get("author")).get("id"))
    if not recipient:
        raise ReplyError("The stored message does not name its author's Discord id: send the message on Discord.")
    response, data = _call(channel, session, "POST", "/users/@me/channels", json={"recipient_id": recipient})
    dm_channel = clean.ident(clean.mapping(data).get("id"))
    if not succeeded(response) or not dm_channel:
        raise _not_done("open a direct message", response, data, "no reason")
    body = {"content": text, "allowed_mentions": {"parse": []}}
    response, data = _call(channel, session, "POST", f"/channels/{dm_channel}/messages", json=body)
    return _sent(response, data, "send the message", where=f"@me/{dm_channel}")
