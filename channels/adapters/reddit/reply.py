"""Replying on Reddit: `POST /api/comment` with the parent's fullname (`thing_id`: t3_ a post, t1_ a
comment) as a connected account (reddit.com/dev/api#POST_api_comment).

Reddit answers 200 even when it refuses: the reasons are in `json.errors` as
`[code, message, field]` triples (RATELIMIT "you are doing that too much. try again in 5 minutes.",
THREAD_LOCKED, DELETED_COMMENT, TOO_OLD...). Our comment comes back in `json.data.things[0]` with
the same fullname and permalink the poll stores, so the next poll sees a duplicate.
"""

from __future__ import annotations

import re
from typing import Any

from channels.accounts.sending import Reply, epoch_or_now, json_of, reply_poster, scrubbed
from channels.http_status import Ladder, rate_limit_of, refusal, succeeded

from ..base import ReplyError, ReplyUncertain, SentReply
from .client import API_URL
from .oauth import reddit_signed
from .parse import permalink_of

COMMENT_URL = API_URL + "/api/comment"
FULLNAME = re.compile(r"t[13]_[0-9a-z]{1,13}")
# Reddit's own words are clear; these say what the advocate can do about them.
REFUSALS = {
    "THREAD_LOCKED": "the thread is locked: nobody can comment",
    "DELETED_COMMENT": "the comment you are answering was deleted",
    "DELETED_LINK": "the post you are answering was deleted",
    "TOO_OLD": "the post is archived (older than six months): Reddit takes no new comments",
    "USER_BLOCKED": "its author blocked the account",
    "SUBREDDIT_NOTALLOWED": "the subreddit does not allow this account to comment",
    "BANNED_FROM_SUBREDDIT": "the account is banned from this subreddit",
}


REPLY_REFUSED: Ladder = {
    **dict.fromkeys(
        ("3xx", "4xx", "5xx"), (ReplyError, "Reddit refused the reply (HTTP {status}): nothing was posted.")
    ),
    429: (ReplyError, "Reddit's rate limit is used up: try again{wait} (nothing was posted)."),
    403: (
        ReplyError,
        "Reddit refused the reply (403): {said} (a private or quarantined subreddit, or the account lacks the submit "
        "scope).",
    ),
}


@reply_poster(media=False)
def post_reply(reply: Reply) -> SentReply:
    from channels.accounts.tokens import account_request

    thing_id = reply.target.external_id
    if not FULLNAME.fullmatch(thing_id or ""):
        raise ReplyError(f"Cannot reply to {str(thing_id)[:40]!r}: not a Reddit post or comment.")
    where = f"u/{reply.account.username}'s comments"
    response, used = account_request(
        reply.session, "POST", COMMENT_URL, account=reply.account, label="Reddit", where=where,
        data={"api_type": "json", "thing_id": thing_id, "text": reply.text},
        signed=reddit_signed(reply.channel, reply.account),
    )  # fmt: skip
    body = json_of(response)
    if not succeeded(response):
        reset = rate_limit_of(response).until_reset()
        wait = f" in about {round(reset)} s" if reset is not None else " later"
        raise refusal(response, "Reddit", REPLY_REFUSED, said=_first_error(body) or "forbidden", secret=used, wait=wait)
    data = body.get("json") if isinstance(body, dict) else None
    errors = data.get("errors") if isinstance(data, dict) else None
    if errors:
        raise ReplyError(scrubbed(_refusal(errors), *used))
    things = (data.get("data") or {}).get("things") if isinstance(data, dict) else None
    thing = things[0].get("data") if isinstance(things, list) and things and isinstance(things[0], dict) else None
    name = thing.get("name") if isinstance(thing, dict) else None
    if not isinstance(thing, dict) or not isinstance(name, str) or not FULLNAME.fullmatch(name):
        raise ReplyUncertain(f"Reddit accepted the reply but named no comment: check {where}.")
    return SentReply(
        external_id=name,
        permalink=permalink_of("t1", thing, name),
        created_at=epoch_or_now(thing.get("created_utc")),
        raw={"kind": "t1", "data": thing},
    )


def _first_error(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("reason") or "")[:200]
    return ""


def _refusal(errors: list[Any]) -> str:
    said = []
    for error in errors[:3]:
        if not isinstance(error, list) or not error:
            continue
        code = str(error[0])
        message = str(error[1]) if len(error) > 1 else ""
        if code == "RATELIMIT":
            said.append(f"Reddit's posting limit for this account: {message[:200]} (nothing was posted)")
        else:
            said.append(REFUSALS.get(code, f"{code}: {message[:200]}"))
    return "Reddit refused the reply: " + ("; ".join(said) or "no reason given") + "."
