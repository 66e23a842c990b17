"""From Mastodon payloads to `IncomingMention`s (docs.joinmastodon.org, entities Status and Notification).

A payload is a list of statuses (``GET /api/v1/timelines/tag/:hashtag``, an account's statuses), a list of
notifications (``GET /api/v1/notifications``), a search result (``GET /api/v2/search``: its ``statuses``), a
thread (``GET /api/v1/statuses/:id/context``: ``ancestors`` and ``descendants``), or one status or notification
(the answer to a post, a dead letter read again; the answer to a delete, the status with its source ``text``
instead of ``content``, is read as deleted). Something else is a `PayloadError`; inside one, each item is
read on its own (`guard.parse_each`): one that cannot be read is rejected with its raw payload, the others kept.

A status is a mention with the instance's id for it (what the API calls it by: the reply's ``in_reply_to_id``,
a favourite's path). A notification is read as its status when it is a ``mention``; other notifications
(follows, favourites, boosts of our posts) are not mentions. A boost (``reblog`` set) is not a post of its own and
is skipped; the boosted status, when it matters, comes by its own stream. The same status twice in one payload
(by ``id`` or by ``uri``, its address across servers) is read once.

Authors are written in full, ``name@instance`` (an account of the instance itself has no domain in ``acct``: its
profile address gives it), so the same person on two instances is two handles. ``followers_count`` is the
author's weight. The text is the content as plain text with the content warning and the media (`content`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from .config import full_handle, instance_domain
from .content import media_of, status_text

ITEMS_MAX = 5_000  # a payload holding more items than any Mastodon page (80 at most) is cut there
_NOT_MASTODON = (
    "expected Mastodon statuses or notifications: a JSON list of them (timelines, notifications), a search "
    "result (statuses), a thread (ancestors, descendants) or one of them"
)


def is_notification(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("type"), str)
        and "content" not in item
        and ("status" in item or "account" in item)
    )


def is_status(item: Any) -> bool:
    # A deleted status (the answer to DELETE /api/v1/statuses/:id) has its source `text` instead of `content`.
    return isinstance(item, dict) and ("content" in item or ("text" in item and "uri" in item))


def sort_key(item_id: str) -> tuple[int, str]:
    """Mastodon's ids sort as numbers (snowflakes written as strings); other servers' as fixed-length text."""
    return (len(item_id), item_id)


def handle_of(account: Any) -> str:
    account = clean.mapping(account)
    acct = clean.line(account.get("acct"), max_length=300)
    return full_handle(acct, instance_domain(clean.url(account.get("url")))) if acct else ""


def status_mention(status: Any) -> IncomingMention | None:
    """One status as a mention; None for a boost."""
    if not isinstance(status, dict):
        raise PayloadError(f"An entry is not a status object: {clean.preview(status)}")
    if status.get("reblog") is not None:
        return None
    status_id = clean.ident(status.get("id"))
    if not status_id:
        raise PayloadError(f"Status without a usable id: {clean.preview(status)}")
    created = clean.iso_time(status.get("created_at"))
    if created is None:
        raise clean.Unstorable(
            f"Status {status_id}: no usable created_at ({clean.preview(status.get('created_at'), 40)})."
        )
    account = clean.mapping(status.get("account"))
    followers = clean.whole(account.get("followers_count"), minimum=0, maximum=clean.AUDIENCE_MAX)
    permalink = clean.url(status.get("url")) or clean.url(status.get("uri"))
    deleted = "content" not in status
    return IncomingMention(
        external_id=status_id,
        created_at=created,
        text=clean.text(status.get("text")) if deleted else status_text(status),
        media=media_of(status.get("media_attachments")),
        deleted=deleted,
        author_handle=handle_of(account),
        author_name=clean.line(account.get("display_name")) or clean.line(account.get("username")),
        author_url=clean.url(account.get("url")),
        permalink=permalink,
        parent_id=clean.ident(status.get("in_reply_to_id")),
        edited_at=clean.iso_time(status.get("edited_at")),
        mentioned=tuple(h for h in (handle_of(m) for m in clean.objects(status.get("mentions"))) if h),
        author_audience=followers,
        author_audience_kind="followers" if followers is not None else "",
        # Seen by the people it mentions only: a direct status is never shown as a public post on a ticket.
        private=status.get("visibility") == "direct",
        raw=status,
    )


def notification_mention(notification: Any) -> IncomingMention | None:
    """A mention notification as its status; None for the other kinds."""
    if not isinstance(notification, dict):
        raise PayloadError(f"An entry is not a notification object: {clean.preview(notification)}")
    if notification.get("type") != "mention":
        return None
    status = notification.get("status")
    if not isinstance(status, dict):
        raise PayloadError(f"Mention notification {clean.ident(notification.get('id'))!r} without its status.")
    return status_mention(status)


def item_mention(item: Any) -> IncomingMention | None:
    if is_notification(item):
        return notification_mention(item)
    if is_status(item):
        return status_mention(item)
    raise PayloadError(f"Neither a Mastodon status nor a notification: {clean.preview(item)}")


def status_of(item: Any) -> dict[str, Any]:
    """The status an item is or carries ({} for none)."""
    return clean.mapping(item.get("status")) if is_notification(item) else clean.mapping(item)


def page_items(payload: Any) -> list[Any]:
    """The statuses and notifications of a payload, or `PayloadError` when it is neither."""
    if isinstance(payload, list):
        return payload[:ITEMS_MAX]
    if not isinstance(payload, dict):
        raise PayloadError(f"{_NOT_MASTODON}; got {type(payload).__name__}.")
    if is_status(payload) or is_notification(payload):
        return [payload]
    if "statuses" in payload or "ancestors" in payload or "descendants" in payload:
        parts = ("statuses",) if "statuses" in payload else ("ancestors", "descendants")
        return [item for part in parts for item in clean.items(payload.get(part))][:ITEMS_MAX]
    if "error" in payload:
        raise PayloadError(f"this is a Mastodon error response ({clean.preview(payload)}), not statuses.")
    raise PayloadError(f"{_NOT_MASTODON}; got an object with keys {clean.keys_shown(payload)}.")


def once(items: list[Any], seen: set[str] | None = None) -> list[Any]:
    """The items whose status was not met before (by id or by uri), in order; `seen` is updated."""
    seen = set() if seen is None else seen
    kept = []
    for item in items:
        status = status_of(item)
        keys = {k for k in (clean.ident(status.get("id")), clean.url(status.get("uri"))) if k}
        if keys & seen:
            continue
        seen.update(keys)
        kept.append(item)
    return kept


def parse_items(items: list[Any]) -> Parsed:
    """Each item read on its own; a rejected one is named by its status's id (a notification's own id is not
    the one the desk knows)."""
    parsed = parse_each(items, item_mention, id_keys=("id",), platform="mastodon")
    parsed.rejected = [
        dataclasses.replace(r, external_id=clean.ident(status_of(r.raw).get("id")) or r.external_id)
        for r in parsed.rejected
    ]
    return parsed


def parse_page(payload: Any) -> Parsed:
    """Every status of a payload, each status once, oldest first (a reply then follows what it answers)."""
    items = once(page_items(payload))
    items.sort(key=lambda item: sort_key(clean.ident(status_of(item).get("id"))))
    return parse_items(items)
