"""Replying on Disqus: `POST posts/create` with `parent` (the post answered) as a connected account
(disqus.com/api/docs/posts/create/).

Every answer is `{"code": N, "response": ...}`: 0 with the new post, otherwise an error code and its
message (2 a missing or invalid argument, such as a deleted parent; 4 no authenticated user, i.e. a
token Disqus no longer accepts; 12 not enough privileges; 13 and 14 rate limits). Our post comes
back with the id the poll stores, so the next poll sees a duplicate.
"""

from __future__ import annotations

from typing import Any

import requests

from channels.accounts.sending import Reply, iso_or_now, json_of, reply_poster
from channels.http_status import Ladder, refusal, succeeded

from ..base import ReplyError, ReplyUncertain, SentReply
from .client import API_ROOT
from .oauth import disqus_app

CREATE_URL = API_ROOT + "/posts/create.json"
TOKEN_REFUSED = {4}  # "You must provide an authenticated user for this method": the token is no longer good
REFUSALS = {
    2: "Disqus refused an argument (the comment answered may have been deleted)",
    8: "the comment answered no longer exists",
    12: "the account may not post here (not enough privileges, or the thread is closed)",
    13: "Disqus's rate limit for this application is used up: try again in an hour (nothing was posted)",
    14: "Disqus's rate limit for this account is used up: try again later (nothing was posted)",
    17: "the account does not have access to posting here",
}


def disqus_code(body: Any) -> int | None:
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def token_refused(response: requests.Response) -> bool:
    return disqus_code(json_of(response)) in TOKEN_REFUSED


REFUSED: Ladder = dict.fromkeys(
    ("2xx", "3xx", "4xx", "5xx", 429), (ReplyError, "Disqus refused the reply (code {code}): {said}.")
)
RATE_LIMITED = (ReplyError, "Disqus refused the reply (code None): " + REFUSALS[13] + ".")


@reply_poster(media=False)
def post_reply(reply: Reply) -> SentReply:
    from channels.accounts.tokens import account_request

    parent = reply.target.external_id
    if not parent.isdigit():
        raise ReplyError(f"Cannot reply to {parent[:40]!r}: not a Disqus post id.")
    public, _secret = disqus_app(reply.channel)
    where = f"{reply.account.username}'s comments on the thread"
    form = {"parent": parent, "message": reply.text, "api_key": public}
    response, used = account_request(
        reply.session, "POST", CREATE_URL, account=reply.account, label="Disqus", where=where, refused=token_refused,
        signed=lambda tokens: {"data": {**form, "access_token": tokens["access_token"]}},
    )  # fmt: skip
    body = json_of(response)
    code = disqus_code(body)
    if code == 0 and succeeded(response):
        post = body.get("response")
        post_id = str(post.get("id") or "") if isinstance(post, dict) else ""
        if not post_id.isdigit():
            raise ReplyUncertain(f"Disqus accepted the reply but named no post: check {where}.")
        link = reply.target.permalink.split("#", 1)[0]
        return SentReply(
            external_id=post_id,
            permalink=f"{link}#comment-{post_id}" if link else "",
            created_at=iso_or_now(post.get("createdAt")),
            raw=post,
        )
    said = REFUSALS.get(code or -1) or (str(body.get("response"))[:200] if isinstance(body, dict) else "")
    # Disqus's own error code says why; a 429 without one is its rate limit (code 13) all the same.
    ladder: Ladder = {**REFUSED, 429: RATE_LIMITED} if code is None else REFUSED
    raise refusal(response, "Disqus", ladder, said=said or "no reason given", secret=used, code=code)
