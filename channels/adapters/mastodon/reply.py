"""Replying on Mastodon as a connected account: ``POST /api/v1/statuses`` with ``status``, ``in_reply_to_id`` and
``visibility`` (docs.joinmastodon.org, methods/statuses, "Post a new status").

- **Who sees it**: the reply is as visible as the post it answers, never more: a private mention (``direct``)
  stays direct, a followers-only post (``private``) gets a followers-only reply, ``unlisted`` stays unlisted. The
  visibility is the stored post's; a stored post without one is asked of the instance first
  (``GET /api/v1/statuses/:id``). A visibility the desk does not know is refused rather than guessed.
- **Addressed**: the author's handle, in full (``@alice@example.social``), goes first unless the text already
  names them, so they are notified (and, for a private mention, can see it at all).
- **Length**: counted as Mastodon counts it, the handle included, against the instance's own limit (`length`).
- **Sent once**: an ``Idempotency-Key`` header made of the account, the post answered, the text and the images'
  hashes; the instance keeps it an hour, so a retry of the same reply within that hour answers with the first post
  instead of a second.
- **Images** (`media.py`): uploaded first, each with its description, then named in ``media_ids[]``; a refused
  upload posts nothing.

The answer is the new status, whose id the next poll finds again (a duplicate, not a second message). Refusals
(``{"error": ...}``) are said in words with the draft kept: 422 (the instance's reason, such as a text over its
limit), 404 (the post is gone, or the account cannot see it), 403, 429 (with when to try again). A 401 means
the token was revoked: the account needs connecting again (`channels.accounts.tokens`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import Reply, iso_or_now, json_of, reply_poster
from channels.http_status import Ladder, rate_limit_of, succeeded
from channels.http_status import refusal as send_refusal

from ..base import OutgoingImage, ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .client import error_text
from .config import instance_domain, validate_config
from .content import media_of
from .cursor import usable_id
from .length import instance_limits, status_length

if TYPE_CHECKING:
    from channels.models import Account

# Narrowest last: a reply may be as visible as its post or less, never more.
VISIBILITIES = ("public", "unlisted", "private", "direct")


def account_call(
    *, account: Account, session: requests.Session, method: str, url: str, where: str, **options: Any
) -> tuple[requests.Response, Any, list[str]]:
    """One call as the account (its token, refreshed or refused as `with_account_token` does), never following a
    redirect: the answer, its JSON (or None) and the tokens used (to keep them out of messages)."""
    from channels.accounts.tokens import account_request

    headers = {"Accept": "application/json", **options.pop("headers", {})}
    response, used = account_request(
        session, method, url, account=account, label="Mastodon", where=where, headers=headers, allow_redirects=False,
        **options,
    )  # fmt: skip
    return response, json_of(response), used


REFUSED: Ladder = {
    429: (ReplyError, "Mastodon's rate limit for this account is used up: try again {when} ({what} was not done)."),
    404: (ReplyError, "Mastodon refused: {said} ({gone}), HTTP 404; {what} was not done."),
    403: (
        ReplyError,
        "Mastodon refused: {said} (the account may not do this (suspended, or the token lacks the write scope)), "
        "HTTP 403; {what} was not done.",
    ),
    **dict.fromkeys(
        ("3xx", "4xx", "5xx"), (ReplyError, "Mastodon refused: {said}, HTTP {status}; {what} was not done.")
    ),
}


def refusal(response: requests.Response, answer: Any, *, what: str, gone: str, used: list[str]) -> Exception:
    """A refused call in words: `what` was not done; `gone`: what a 404 means here."""
    reset = rate_limit_of(response).reset_at
    return send_refusal(
        response, "Mastodon", REFUSED, said=error_text(answer) or "no reason given", secret=used, what=what, gone=gone,
        when=f"after {reset:%H:%M} UTC" if reset else "later",
    )  # fmt: skip


def visibility_of(*, target: ReplyTarget, account: Account, session: requests.Session, base_url: str) -> str:
    """Who may see the post answered: the stored post's visibility, else the instance's answer."""
    stored = target.raw.get("visibility") if isinstance(target.raw, dict) else None
    if stored is None:
        response, answer, used = account_call(
            account=account, session=session, method="GET", url=f"{base_url}/api/v1/statuses/{target.external_id}",
            where="the post",
        )  # fmt: skip
        if not succeeded(response):
            raise refusal(response, answer, what="the reply", gone="the post is gone", used=used)
        stored = clean.mapping(answer).get("visibility")
    if stored not in VISIBILITIES:
        raise ReplyError(
            f"Cannot tell who may see this post (visibility {clean.preview(stored, 40)}): reply on Mastodon itself."
        )
    return str(stored)


def addressed(text: str, author: str, *, ours: str, domain: str) -> str:
    """`text` with ``@author`` first unless it names the author already (or the author is the account itself)."""
    author = author.strip().removeprefix("@")
    if not author or author.casefold() == ours.strip().removeprefix("@").casefold():
        return text
    name, _, server = author.partition("@")
    spelled = [author] + ([name] if server.casefold() == domain.casefold() else [])
    for handle in spelled:
        if re.search(rf"(?<![\w@])@{re.escape(handle)}(?![\w@-]|\.\w)", text, re.IGNORECASE):
            return text
    return f"@{author} {text.lstrip()}"


def idempotency_key(account: Account, status_id: str, text: str, images: Sequence[OutgoingImage] = ()) -> str:
    hashes = "".join(f":{i.sha256}" for i in images)  # none: the key a reply without images always had
    return hashlib.sha256(f"desk:{account.pk}:{status_id}:{text}{hashes}".encode()).hexdigest()


@reply_poster(media=True)
def post_reply(reply: Reply) -> SentReply:
    status_id = usable_id(reply.target.external_id)
    if not status_id:
        raise ReplyError(f"Cannot reply to {str(reply.target.external_id)[:40]!r}: not a Mastodon post.")
    base = validate_config(reply.channel.config)["base_url"]
    domain = instance_domain(base)
    visibility = visibility_of(target=reply.target, account=reply.account, session=reply.session, base_url=base)
    if visibility == "direct" and not reply.target.author_handle:
        raise ReplyError("This private mention's author is not known: a reply would reach nobody. Reply on Mastodon.")
    body = addressed(reply.text, reply.target.author_handle, ours=reply.account.username, domain=domain)
    limits = instance_limits(reply.session, base)
    if (length := status_length(body, url_weight=limits.url_weight)) > limits.max_characters:
        raise ReplyError(
            f"The reply is {length} characters as Mastodon counts them (the author's handle included, each link "
            f"{limits.url_weight}); {domain} takes {limits.max_characters} at most. Nothing was sent."
        )
    where = f"{reply.account.username}'s posts"
    form: dict[str, Any] = {"status": body, "in_reply_to_id": status_id, "visibility": visibility}
    if reply.media:
        from .media import uploaded

        form["media_ids[]"] = uploaded(account=reply.account, session=reply.session, base=base, images=reply.media)
    response, answer, used = account_call(
        account=reply.account, session=reply.session, method="POST", url=f"{base}/api/v1/statuses", where=where,
        data=form, headers={"Idempotency-Key": idempotency_key(reply.account, status_id, body, reply.media)},
    )  # fmt: skip
    if not succeeded(response):
        raise refusal(
            response,
            answer,
            what="the reply",
            used=used,
            gone="the post you are answering is gone, or the account cannot see it",
        )
    posted = clean.mapping(answer)
    new_id = clean.ident(posted.get("id"))
    if not new_id:
        raise ReplyUncertain(f"Mastodon accepted the reply but named no post: check {where}.")
    return SentReply(
        external_id=new_id,
        permalink=clean.url(posted.get("url")) or clean.url(posted.get("uri")),
        created_at=iso_or_now(posted.get("created_at")),
        raw=posted,
        media=media_of(posted.get("media_attachments")),
    )
