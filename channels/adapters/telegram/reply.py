"""Replying on Telegram as the channel's bot (core.telegram.org/bots/api#sendmessage):

- **Where**: in the message's chat, answering it: ``sendMessage`` with ``chat_id``, ``reply_parameters``
  (``message_id``; ``allow_sending_without_reply`` so a message deleted meanwhile still gets its answer in the
  chat) and, in a forum topic, the topic's ``message_thread_id``, so the answer lands in the topic.
- **Text**: sent as plain text (no ``parse_mode``): what the advocate typed is shown as typed, never read as
  markup. 4,096 characters at most, Telegram's limit for a message (the platform's `reply_rule`).
- **Refusals** in words: a 429 says how long to wait (``parameters.retry_after``); a 403 is the bot removed from
  the group or not allowed to write there; a 400 quotes Telegram's description (a chat or topic gone).
- **Delete** our message (core.telegram.org/bots/api#deletemessage): ``deleteMessage`` with the ``chat_id`` and
  ``message_id`` the sent message was stored with; ``{"ok": true, "result": true}`` when done. A message already
  gone ("Bad Request: message to delete not found") is done; "message can't be deleted" is Telegram's limit (a
  bot deletes its own messages in a group for 48 hours after sending them) and said so.
- The token is in the address: no error shown or stored quotes the address, and a failure's cause (which may
  hold the address) is not chained to the error the desk keeps (`_sent`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import Reply, epoch_or_now, json_of, reply_poster, reply_request
from channels.http_status import Ladder, refusal, succeeded

from ..base import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .client import method_url, retry_after, said, token_of
from .parse import chat_of, message_key, message_of, permalink, topic_of
from .platform import PLATFORM

if TYPE_CHECKING:
    from channels.models import Account, Channel

MAX_LENGTH = PLATFORM.reply_rule.most

REFUSED: Ladder = {
    429: (ReplyError, "Telegram asks to wait {wait:.0f} seconds (rate limit): nothing was posted."),
    **dict.fromkeys(
        (401, 404), (ReplyError, "Telegram refused the bot's token (HTTP {status}): store the channel's new token.")
    ),
    403: (ReplyError, "Telegram will not let the bot write there ({said}): is it still a member of the group?"),
}


def _sent(
    session: requests.Session, token: str, body: dict[str, Any], method: str = "sendMessage"
) -> requests.Response:
    try:
        return reply_request(
            session, "POST", method_url(token, method), label="Telegram", where="the group on Telegram",
            json=body, allow_redirects=False,
        )  # fmt: skip
    except ReplyUncertain as exc:
        raise ReplyUncertain(str(exc)) from None  # the cause names the address, and the address holds the token
    except ReplyError as exc:
        raise ReplyError(str(exc)) from None


@reply_poster(media=False)
def post_reply(reply: Reply) -> SentReply:
    """The reply as the channel's bot; `reply.account` is that bot (`oauth.bot_token_grant`), so the token is the
    channel's, never the account's."""
    if len(reply.text) > MAX_LENGTH:
        raise ReplyError(f"A Telegram message is 1 to {MAX_LENGTH} characters; this reply is {len(reply.text)}.")
    message = message_of(reply.target.raw)
    chat_id = clean.whole(chat_of(message).get("id"))
    message_id = clean.whole(message.get("message_id"), minimum=1)
    if chat_id is None or message_id is None:
        raise ReplyError("The stored message does not say its Telegram chat: reply on Telegram.")
    body: dict[str, Any] = {
        "chat_id": chat_id,
        "text": reply.text,
        "reply_parameters": {"message_id": message_id, "allow_sending_without_reply": True},
    }
    if topic_of(message):
        body["message_thread_id"] = clean.whole(message.get("message_thread_id"))
    token = token_of(reply.channel)
    response = _sent(reply.session, token, body)
    data = json_of(response)
    posted = clean.mapping(clean.mapping(data).get("result"))
    key = message_key(chat_of(posted).get("id"), posted.get("message_id"))
    if not succeeded(response) or not key:
        if succeeded(response):
            raise ReplyUncertain(
                "Telegram answered without the message it posted: check the group before sending again."
            )
        wait = retry_after(data) or 0.0
        raise refusal(
            response, "Telegram", REFUSED, what="reply", said=said(data, token) or "no reason given", wait=wait,
            secret=token,
        )  # fmt: skip
    return SentReply(
        external_id=key,
        permalink=permalink(posted),
        created_at=epoch_or_now(posted.get("date")),
        raw={"update_id": 0, "message": clean.raw(posted)},
    )


GONE = "message to delete not found"
DELETE_REFUSED: Ladder = {
    **REFUSED,
    429: (ReplyError, "Telegram asks to wait {wait:.0f} seconds (rate limit): the message is still there."),
    403: (ReplyError, "Telegram will not let the bot delete it ({said}): is it still a member of the group?"),
    400: (
        ReplyError,
        "Telegram will not delete it ({said}): a bot deletes its own messages in a group for 48 hours after it "
        "sent them; delete it in Telegram as a group admin.",
    ),
}


def delete_post(
    *, channel: Channel, session: requests.Session, target: ReplyTarget, account: Account | None = None
) -> None:
    """Delete the bot's message `target` (a reply the desk sent); one gone already is done. As the channel's bot,
    whichever account is given (it is that bot)."""
    message = message_of(target.raw)
    chat_id = clean.whole(chat_of(message).get("id"))
    message_id = clean.whole(message.get("message_id"), minimum=1)
    if chat_id is None or message_id is None:
        raise ReplyError("The stored message does not say its Telegram chat: delete it on Telegram.")
    token = token_of(channel)
    response = _sent(session, token, {"chat_id": chat_id, "message_id": message_id}, "deleteMessage")
    data = json_of(response)
    if succeeded(response) and clean.mapping(data).get("result") is True:
        return
    words = said(data, token)
    if GONE in words.casefold():
        return  # deleted already (in Telegram, or by an earlier press): what was asked is done
    if succeeded(response):
        raise ReplyError("Telegram answered without saying the message was deleted: check the group.")
    raise refusal(
        response, "Telegram", DELETE_REFUSED, what="deletion", said=words or "no reason given",
        wait=retry_after(data) or 0.0, secret=token,
    )  # fmt: skip
