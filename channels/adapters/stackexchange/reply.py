"""Replying on Stack Exchange as a connected account: a comment on the question or answer
(`POST /posts/{id}/comments/add`), or an answer to the question (`POST /questions/{id}/answers/add`)
(api.stackexchange.com/docs/create-comment, /docs/create-answer).

Stack Exchange answers errors as `{"error_id", "error_name", "error_message"}` (HTTP 400 and others):
a token it refuses (401/402/403/406) means connecting again, since it has no refresh tokens; the
rest (too short, not enough reputation, a throttle) are said in its own words. Our comment comes
back as `c<comment_id>`, our answer as `a<answer_id>`, the ids the poll stores.
"""

from __future__ import annotations

import requests

from channels.accounts.sending import Reply, epoch_or_now, json_of, reply_poster
from channels.http import credential_of
from channels.http_status import Ladder, Rung, refusal, succeeded

from ..base import ReplyError, ReplyUncertain, SentReply
from .client import API_ROOT
from .config import site_domain

STYLES = (("comment", "Comment"), ("answer", "Answer"))
TOKEN_ERRORS = {401, 402, 403, 406}  # access_token_required, invalid_access_token, access_denied, compromised
COMMENT_LENGTH = (15, 600)
ANSWER_MIN = 30


def error_id(response: requests.Response) -> int | None:
    body = json_of(response)
    value = body.get("error_id") if isinstance(body, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def token_refused(response: requests.Response) -> bool:
    return error_id(response) in TOKEN_ERRORS


def _number(external_id: str, prefixes: str) -> str:
    if external_id[:1] in prefixes and external_id[1:].isdigit():
        return external_id[1:]
    return ""


THROTTLED: Rung = (ReplyError, "Stack Exchange refused the reply: {throttled}.")
THROTTLED_LADDER: Ladder = dict.fromkeys(("2xx", "3xx", "4xx", "5xx", 429), THROTTLED)
REFUSED: Ladder = {
    **dict.fromkeys(("2xx", "3xx", "4xx", "5xx"), (ReplyError, "Stack Exchange refused the reply: {said}.")),
    429: THROTTLED,
}


@reply_poster(media=False)
def post_reply(reply: Reply) -> SentReply:
    from channels.accounts.tokens import account_request

    style, text = reply.style or "comment", reply.text.strip()
    if style == "answer":
        post_id = _number(reply.target.external_id, "q") or _number(reply.target.thread_id, "q")
        url = f"{API_ROOT}/questions/{post_id}/answers/add"
        if len(text) < ANSWER_MIN:
            raise ReplyError(f"An answer needs at least {ANSWER_MIN} characters on Stack Exchange.")
    else:
        post_id = _number(reply.target.external_id, "qa") or _number(reply.target.parent_id, "qa")
        url = f"{API_ROOT}/posts/{post_id}/comments/add"
        low, high = COMMENT_LENGTH
        if not low <= len(text) <= high:
            raise ReplyError(f"A comment is {low} to {high} characters on Stack Exchange; this one is {len(text)}.")
    if not post_id:
        raise ReplyError(f"Cannot reply to {reply.target.external_id[:40]!r} this way on Stack Exchange.")
    site = reply.channel.config.get("site", "stackoverflow")
    key = credential_of(reply.channel, "key")
    where = f"{reply.account.username}'s activity on {site_domain(site)}"
    form = {"body": text, "site": site, "preview": "false", **({"key": key} if isinstance(key, str) and key else {})}
    response, used = account_request(
        reply.session, "POST", url, account=reply.account, label="Stack Exchange", where=where, refused=token_refused,
        signed=lambda tokens: {"data": {**form, "access_token": tokens["access_token"]}},
    )  # fmt: skip
    body = json_of(response)
    if succeeded(response) and isinstance(body, dict) and not body.get("error_id"):
        items = body.get("items")
        item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        number = item.get("answer_id" if style == "answer" else "comment_id")
        if not isinstance(number, int):
            raise ReplyUncertain(f"Stack Exchange accepted the reply but named no post: check {where}.")
        external_id = f"a{number}" if style == "answer" else f"c{number}"
        fallback = f"https://{site_domain(site)}/" + (
            f"a/{number}" if style == "answer" else f"posts/comments/{number}"
        )
        return SentReply(
            external_id=external_id,
            permalink=str(item.get("link") or fallback),
            created_at=epoch_or_now(item.get("creation_date")),
            raw=item,
        )
    said = str(body.get("error_message") or body.get("error_name") or "") if isinstance(body, dict) else ""
    name = body.get("error_name") if isinstance(body, dict) else None
    throttled = f"too many requests: {said or 'try again later'} (nothing was posted)"
    ladder = THROTTLED_LADDER if name == "throttle_violation" else REFUSED
    said = said[:300] or f"HTTP {response.status_code}"
    raise refusal(response, "Stack Exchange", ladder, said=said, secret=used, throttled=throttled)
