"""What an advocate may do to a post besides answering it, as a connected account (docs.joinmastodon.org,
methods/statuses): favourite it (``POST /api/v1/statuses/:id/favourite``), boost it (``POST .../reblog``), and
delete one of our own posts (``DELETE /api/v1/statuses/:id``). Each answers with the status as it is now (a boost:
the boost, carrying the boosted status in ``reblog``).

Favouriting and boosting a post twice is harmless (Mastodon answers 200 and changes nothing), so these are safe to
retry. Deleting is limited to 30 a half hour per account (``rack_attack.rb``, "throttle_api_delete"). Refusals are
`ReplyError`s in words, as a reply's are (`reply.refusal`); no answer at all is `ReplyUncertain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import ReplyError, ReplyUncertain
from .config import validate_config
from .cursor import usable_id
from .reply import account_call, refusal

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
    *,
    channel: Channel,
    account: Account,
    session: requests.Session,
    status_id: str,
    method: str,
    suffix: str,
    what: str,
) -> dict[str, Any]:
    found = usable_id(status_id)
    if not found:
        raise ReplyError(f"Cannot {what} {str(status_id)[:40]!r}: not a Mastodon post.")
    base = validate_config(channel.config)["base_url"]
    response, answer, used = account_call(
        account=account, session=session, method=method, url=f"{base}/api/v1/statuses/{found}{suffix}",
        where=f"the post {found} on {base}",
    )  # fmt: skip
    if not 200 <= response.status_code < 300:
        gone = "the post is gone, or the account cannot see it" if method == "POST" else "no such post of this account"
        raise refusal(response, answer, what=f"{what} {found}", gone=gone, used=used)
    status = clean.mapping(answer)
    if not clean.ident(status.get("id")):
        raise ReplyUncertain(f"Mastodon answered without the post: check whether {what} {found} was done.")
    return status


def favourite(*, channel: Channel, account: Account, session: requests.Session, status_id: str) -> Done:
    status = _act(
        channel=channel, account=account, session=session, status_id=status_id, method="POST", suffix="/favourite",
        what="favourite",
    )  # fmt: skip
    return Done(clean.ident(status.get("id")), status.get("favourited") is True, status)


def boost(*, channel: Channel, account: Account, session: requests.Session, status_id: str) -> Done:
    status = _act(
        channel=channel, account=account, session=session, status_id=status_id, method="POST", suffix="/reblog",
        what="boost",
    )  # fmt: skip
    boosted = clean.mapping(status.get("reblog")) or status
    return Done(clean.ident(boosted.get("id")), boosted.get("reblogged") is True, status)


def delete_post(*, channel: Channel, account: Account, session: requests.Session, status_id: str) -> Done:
    status = _act(
        channel=channel, account=account, session=session, status_id=status_id, method="DELETE", suffix="",
        what="delete",
    )  # fmt: skip
    return Done(clean.ident(status.get("id")), True, status)
