"""Replying on YouTube: ``comments.insert`` (developers.google.com/youtube/v3/docs/comments/insert) with
``snippet.parentId``, the thread's top-level comment (YouTube's replies are one level deep: an answer to a reply
answers its thread), and ``snippet.textOriginal``, the advocate's text as typed. As the connected account, its token
refreshed and the send made once more after a 401 (`channels.accounts.tokens.account_request`).

Each insert costs 50 of the project's daily units; it is not counted in the channel's poll budget, which leaves
room for replies (`config.DEFAULTS["daily_quota"]`). Refusals in words, by Google's reason
(developers.google.com/youtube/v3/docs/errors): ``commentsDisabled`` and ``forbidden`` (403), ``processingFailure``
(400), ``commentNotFound`` (404), ``quotaExceeded`` (403); nothing was posted in any of them.

Deleting our reply: ``comments.delete`` (developers.google.com/youtube/v3/docs/comments/delete): ``DELETE
comments?id=<the comment's id>`` with no body, as the connected account (the ``youtube.force-ssl`` scope it was
connected with), 50 units; ``204 No Content`` when done. A comment already gone (404 ``commentNotFound``) is done;
``forbidden`` (403) is a comment this account did not post (or may not delete), ``processingFailure`` (400) and
``quotaExceeded`` (403) are said in words, and in each the comment is still there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels import clean
from channels.accounts.sending import Reply, iso_or_now, json_of, reply_poster
from channels.http_status import Ladder, refusal, succeeded

from ..base import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .client import COMMENTS_URL, error_of
from .parse import permalink, snippet_of
from .platform import PLATFORM

if TYPE_CHECKING:
    import requests

    from channels.models import Account, Channel

MAX_LENGTH = PLATFORM.reply_rule.most

# Google's reasons, each in the advocate's words (nothing was posted in any of them).
REASONS = {
    "commentsDisabled": "comments are turned off on this video",
    "forbidden": "YouTube does not let this account comment there (the video is private, or the account is blocked)",
    "processingFailure": "YouTube could not process the reply (processingFailure): check its text and try again",
    "commentNotFound": "the comment you are answering was deleted",
    "parentCommentNotFound": "the comment you are answering was deleted",
    "quotaExceeded": "the project's YouTube quota for today is used up: try again after midnight Pacific time",
    "commentTextTooLong": f"the reply is longer than YouTube's {MAX_LENGTH:,} characters",
}
REFUSED: Ladder = {
    **dict.fromkeys((400, 403, 404), (ReplyError, "YouTube refused the reply: {said}. Nothing was posted.")),
}


def top_level_of(target: ReplyTarget) -> str:
    """The thread's top-level comment: the target's parent when it is a reply, else the target itself."""
    parent = clean.ident(snippet_of(target.raw).get("parentId"))
    return parent or target.thread_id or target.parent_id or target.external_id


@reply_poster(media=False)
def post_reply(reply: Reply) -> SentReply:
    """The reply posted (the platform's one reply style: `style` is not read)."""
    from channels.accounts.tokens import account_request

    target, text = reply.target, reply.text
    if len(text) > MAX_LENGTH:
        raise ReplyError(f"A YouTube comment is 1 to {MAX_LENGTH:,} characters; this reply is {len(text):,}.")
    parent = top_level_of(target)
    if not parent:
        raise ReplyError("The stored comment does not say its YouTube id: reply on YouTube.")
    where = f"the video's comments on YouTube ({target.permalink or 'the thread'})"
    response, used = account_request(
        reply.session, "POST", COMMENTS_URL, account=reply.account, label="YouTube", where=where,
        params={"part": "snippet"}, json={"snippet": {"parentId": parent, "textOriginal": text}},
    )  # fmt: skip
    data = json_of(response)
    if not succeeded(response):
        reason, said = error_of(data)
        words = REASONS.get(reason) or (f"{reason}: {said}" if reason else said or "no reason given")
        raise refusal(response, "YouTube", REFUSED, what="reply", said=words, secret=used)
    posted = clean.mapping(data)
    ident = clean.ident(posted.get("id"))
    if not ident:
        raise ReplyUncertain(f"YouTube answered without the comment it posted: check {where} before sending again.")
    snippet = snippet_of(posted)
    video = clean.ident(snippet.get("videoId")) or clean.ident(snippet_of(target.raw).get("videoId"))
    raw = {**posted, "snippet": {**snippet, "videoId": video, "parentId": snippet.get("parentId") or parent}}
    return SentReply(
        external_id=ident,
        permalink=permalink(video, ident),
        created_at=iso_or_now(snippet.get("publishedAt")),
        raw=clean.raw(raw),
    )


# Google's reasons for a refused deletion (comments.delete's errors), in the advocate's words.
DELETE_REASONS = {
    "forbidden": "YouTube does not let this account delete it (only the channel that posted a comment can)",
    "processingFailure": "YouTube could not process the deletion (processingFailure): try again",
    "quotaExceeded": "the project's YouTube quota for today is used up: try again after midnight Pacific time",
}
DELETE_REFUSED: Ladder = {
    429: (ReplyError, "YouTube asks to wait (rate limit): the comment is still there, try again later."),
    **dict.fromkeys(("3xx", "4xx", "5xx"), (ReplyError, "YouTube refused the deletion: {said}. It is still there.")),
}


def delete_post(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    """Delete one of our own comments (a reply the desk posted) by its id; one gone already is done."""
    from channels.accounts.tokens import account_request

    ident = clean.ident(target.external_id)
    if not ident:
        raise ReplyError("The stored comment does not say its YouTube id: delete it on YouTube.")
    where = f"{account.username}'s comment on YouTube ({target.permalink or ident})"
    response, used = account_request(
        session, "DELETE", COMMENTS_URL, account=account, label="YouTube", where=where, params={"id": ident}
    )
    if succeeded(response):
        return
    reason, said = error_of(json_of(response))
    if reason == "commentNotFound":  # YouTube's own reason (sent with its 404): the body says it, not the status
        return  # deleted already (on YouTube, or by an earlier press): what was asked is done
    words = DELETE_REASONS.get(reason) or (f"{reason}: {said}" if reason else said or "no reason given")
    raise refusal(response, "YouTube", DELETE_REFUSED, what="deletion", said=words, secret=used)
