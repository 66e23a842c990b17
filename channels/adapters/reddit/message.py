"""A private message on Reddit to the author of a post or comment, as a connected account: `POST /api/compose` with
`to`, `subject` and `text` (reddit.com/dev/api#POST_api_compose, scope `privatemessages`).

Like a comment, Reddit answers 200 even when it refuses: the reasons are `json.errors` triples (USER_DOESNT_EXIST,
NOT_WHITELISTED_BY_USER_MESSAGE when the person takes messages only from people they chose, RATELIMIT). A message
sent comes back as `{"json": {"errors": []}}` naming no message, so the desk keeps it without a platform id and links
the account's sent messages. An account connected before the desk asked for `privatemessages` is refused 403: it is
connected again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
from django.utils import timezone

from channels.accounts.sending import json_of, scrubbed
from channels.http_status import Ladder, refusal, succeeded

from ..base import ReplyError, ReplyTarget, SentReply
from .client import API_URL
from .oauth import reddit_signed
from .platform import PLATFORM
from .reply import FULLNAME

if TYPE_CHECKING:
    from channels.models import Account, Channel

COMPOSE_URL = API_URL + "/api/compose"
SENT_URL = "https://www.reddit.com/message/sent/"
MAX_LENGTH = PLATFORM.message_rule.most
SUBJECT_MAX = 100
REFUSALS = {
    "USER_DOESNT_EXIST": "that account no longer exists",
    "NOT_WHITELISTED_BY_USER_MESSAGE": "they take private messages only from people they chose",
    "USER_BLOCKED": "they blocked the account",
    "USER_BLOCKED_MESSAGE": "they blocked the account",
}


MESSAGE_REFUSED: Ladder = {
    **dict.fromkeys(
        ("3xx", "4xx", "5xx", 429), (ReplyError, "Reddit refused the message (HTTP {status}): nothing was sent.")
    ),
    403: (
        ReplyError,
        "Reddit refused the message (403): u/{user} was connected before the desk asked to send private messages, or "
        "may not send them: an admin connects it again. Nothing was sent.",
    ),
}


def direct_message(
    *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget, text: str
) -> SentReply:
    from channels.accounts.tokens import account_request

    author = (target.author_handle or "").strip().removeprefix("u/").removeprefix("/u/")
    if not author or author.casefold() in {"[deleted]", account.username.casefold()}:
        raise ReplyError("The author is not known (or deleted their account): nobody to send a message to.")
    if not FULLNAME.fullmatch(target.external_id or ""):
        raise ReplyError(f"Cannot answer {str(target.external_id)[:40]!r}: not a Reddit post or comment.")
    subject = " ".join(f"About: {target.title or 'your post'}".split())[:SUBJECT_MAX]
    response, used = account_request(
        session, "POST", COMPOSE_URL, account=account, label="Reddit", where=f"u/{account.username}'s sent messages",
        data={"api_type": "json", "to": author, "subject": subject, "text": text},
        signed=reddit_signed(channel, account),
    )  # fmt: skip
    if not succeeded(response):
        raise refusal(response, "Reddit", MESSAGE_REFUSED, user=account.username)
    body = json_of(response)
    data = body.get("json") if isinstance(body, dict) else None
    errors = data.get("errors") if isinstance(data, dict) else None
    if errors:
        raise ReplyError(scrubbed(_refusal(errors, author), *used))
    return SentReply(
        external_id="", permalink=SENT_URL, created_at=timezone.now(), raw={"to": author, "subject": subject}
    )


def _refusal(errors: list[Any], author: str) -> str:
    said = []
    for error in errors[:3]:
        if isinstance(error, list) and error:
            code, message = str(error[0]), str(error[1])[:200] if len(error) > 1 else ""
            said.append(REFUSALS.get(code, f"{code}: {message}"))
    return f"Reddit did not send the message to u/{author}: " + ("; ".join(said) or "no reason given") + "."
