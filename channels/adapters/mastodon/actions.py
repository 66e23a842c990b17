"""What an advocate may do to a post besides answering it, as a connected account (docs.joinmastodon.org,
methods/statuses): favourite it (``POST /api/v1/statuses/:id/favourite``), boost it (``POST .../reblog``), and
delete one of our own posts (``DELETE /api/v1/statuses/:id``). Each answers with the status as it is now (a boost:
the boost, carrying the boosted status in ``reblog``). A direct message is a new status (``POST /api/v1/statuses``)
with ``visibility: "direct"`` that starts with the author's full @handle (only those it mentions see it) and no
``in_reply_to_id``: it is not part of the public thread.

Favouriting and boosting a post twice is harmless (Mastodon answers 200 and changes nothing), so these are safe to
retry. Deleting is limited to 30 a half hour per account (``rack_attack.rb``, "throttle_api_delete"). Refusals are
`ReplyError`s in words, as a reply's are (`reply.refusal`); no answer at all is `ReplyUncertain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import iso_or_now
from channels.http_status import succeeded

from ..base import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .config import instance_domain, validate_config
from .cursor import usable_id
from .length import instance_limits, status_length
from .reply import account_call, idempotency_key, refusal

if TYPE_CHECKING:
    from channels.models import Account, Channel


@dataclass(frozen=True)
class Done:
    """What the instance says after an action: the post's id, whether it is now favourited (boosted, deleted), and
    the status it answered with."""

    status_id: str
    state: bool
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def _act(
    channel: Channel, account: Account, session: requests.Session, status_id: str, method: str, suffix: str, what: str
) -> dict[str, Any]:
    """`method` on the post's address (`suffix` after it) as `account`: the status the instance answered with."""
    found = usable_id(status_id)
    if not found:
        raise ReplyError(f"Cannot {what} {str(status_id)[:40]!r}: not a Mastodon post.")
    base = validate_config(channel.config)["base_url"]
    response, answer, used = account_call(
        account=account, session=session, method=method, url=f"{base}/api/v1/statuses/{found}{suffix}",
        where=f"the post {found} on {base}",
    )  # fmt: skip
    if not succeeded(response):
        gone = "the post is gone, or the account cannot see it" if method == "POST" else "no such post of this account"
        raise refusal(response, answer, what=f"{what} {found}", gone=gone, used=used)
    status = clean.mapping(answer)
    if not clean.ident(status.get("id")):
        raise ReplyUncertain(f"Mastodon answered without the post: check whether {what} {found} was done.")
    return status


def favourite(*, channel: Channel, account: Account, session: requests.Session, status_id: str) -> Done:
    status = _act(channel, account, session, status_id, "POST", "/favourite", "favourite")
    return Done(clean.ident(status.get("id")), status.get("favourited") is True, status)


def boost(*, channel: Channel, account: Account, session: requests.Session, status_id: str) -> Done:
    status = _act(channel, account, session, status_id, "POST", "/reblog", "boost")
    boosted = clean.mapping(status.get("reblog")) or status
    return Done(clean.ident(boosted.get("id")), boosted.get("reblogged") is True, status)


def delete_post(*, channel: Channel, account: Account, session: requests.Session, status_id: str) -> Done:
    status = _act(channel, account, session, status_id, "DELETE", "", "delete")
    return Done(clean.ident(status.get("id")), True, status)


def direct_message(
    *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget, text: str
) -> SentReply:
    """`text` to the post's author only: a direct status addressed to them, sent once (the Idempotency-Key)."""
    author = (target.author_handle or "").strip().removeprefix("@")
    if not author or author.casefold() == account.username.strip().removeprefix("@").casefold():
        raise ReplyError("The post's author is not known (or is this account): nobody to send a direct message to.")
    base = validate_config(channel.config)["base_url"]
    if "@" not in author:  # a local account: its full handle, so that the status reaches only them
        author = f"{author}@{instance_domain(base)}"
    body = f"@{author} {(text or '').strip()}"
    limits = instance_limits(session, base)
    if (length := status_length(body, url_weight=limits.url_weight)) > limits.max_characters:
        raise ReplyError(
            f"The message is {length} characters as Mastodon counts them (@{author} included); "
            f"{instance_domain(base)} takes {limits.max_characters} at most. Nothing was sent."
        )
    where = f"{account.username}'s direct messages"
    response, answer, used = account_call(
        account=account, session=session, method="POST", url=f"{base}/api/v1/statuses", where=where,
        data={"status": body, "visibility": "direct"},
        headers={"Idempotency-Key": idempotency_key(account, f"direct:{target.external_id}", body)},
    )  # fmt: skip
    if not succeeded(response):
        raise refusal(response, answer, what="the direct message", gone="the person cannot be found", used=used)
    posted = clean.mapping(answer)
    if not clean.ident(posted.get("id")) or posted.get("visibility") != "direct":
        raise ReplyUncertain(f"Mastodon did not answer with a direct message: check {where}.")
    return SentReply(
        external_id=clean.ident(posted.get("id")),
        permalink=clean.url(posted.get("url")) or clean.url(posted.get("uri")),
        created_at=iso_or_now(posted.get("created_at")),
        raw=posted,
    )
