"""Messages as the poll hands them to the guard: one item per message, parsed item by item, so a message the
parser cannot read costs that message (kept as a dead letter), never the chunk or the mailbox.

An item is a JSON object, so a dead letter keeps the message itself and an admin's retry reads it again::

    {"uid": 42, "mailbox": "INBOX", "internaldate": "2025-03-03T09:00:00+00:00", "size": 2048,
     "message": "<the raw message, base64>"}

(``uid`` and ``mailbox`` are absent for a saved file; a message larger than `KEPT_MAX` keeps its first
`KEPT_MAX` bytes, with ``"truncated": true``.)
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from .parse import looks_like_message, read_message, split_messages

logger = logging.getLogger(__name__)

KEPT_MAX = 10 * 1024 * 1024  # bytes of a message kept in its item (and so in a dead letter)


def message_item(
    raw: bytes, *, uid: int | None = None, internaldate: datetime | None = None, mailbox: str = ""
) -> dict[str, Any]:
    return {
        **({"uid": uid} if uid is not None else {}),
        **({"mailbox": mailbox} if mailbox else {}),
        "internaldate": internaldate.astimezone(UTC).isoformat() if internaldate is not None else None,
        "size": len(raw),
        **({"truncated": True} if len(raw) > KEPT_MAX else {}),
        "message": base64.b64encode(raw[:KEPT_MAX]).decode("ascii"),
    }


def _item_bytes(item: Any) -> tuple[bytes, datetime | None]:
    """The message and INTERNALDATE an item carries; ValueError for an item that is not one of ours."""
    if not isinstance(item, dict):
        raise ValueError(f"not a message item: {clean.preview(item)}")
    encoded = item.get("message")
    if not isinstance(encoded, str):
        raise ValueError("the item holds no message")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the item's message is not base64") from None
    when = item.get("internaldate")
    internaldate = clean.iso_time(when) if isinstance(when, str) else None
    return raw, internaldate


def _reader(*, skip_list_mail: bool, channel_slug: str) -> Any:
    def parse_one(item: Any) -> IncomingMention | None:
        raw, internaldate = _item_bytes(item)
        parsed = read_message(raw, internaldate=internaldate)
        reason = parsed.skip_reason or (
            f"mailing-list post ({parsed.mailing_list})" if skip_list_mail and parsed.mailing_list else ""
        )
        if reason:
            logger.info(
                "email: channel=%s uid=%s Message-ID %s skipped, no ticket: %s",
                channel_slug or "-",
                item.get("uid", "-"),
                parsed.mention.external_id,
                reason,
            )
            return None
        return parsed.mention

    return parse_one


def parse_items(items: Iterable[Any], *, skip_list_mail: bool = False, channel_slug: str = "") -> Parsed:
    """Message items as mentions; automated mail (and list mail when the channel skips it) dropped; what cannot
    be read or stored rejected with its item."""
    reader = _reader(skip_list_mail=skip_list_mail, channel_slug=channel_slug)
    return parse_each(items, reader, id_keys=("uid",), platform="email")


def parse_page(payload: Any) -> Parsed:
    """A saved message (.eml) or mbox as bytes or text, one message item, or a list of them."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    if isinstance(payload, bytes | bytearray):
        messages = split_messages(bytes(payload))
        if not messages or not all(looks_like_message(raw) for raw in messages):
            raise PayloadError(
                "not an e-mail message: expected an RFC 5322 message (.eml: header lines, a blank line, the body)."
            )
        return parse_items(message_item(raw) for raw in messages)
    if isinstance(payload, dict):
        return parse_items([payload])
    if isinstance(payload, list):
        return parse_items(payload)
    raise PayloadError(
        "E-mail channels read saved messages (.eml files), not JSON: pass the .eml file itself."
        f" Got {clean.preview(payload)}."
    )
