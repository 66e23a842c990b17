"""Webhook deliveries from GitHub, where a repository's (or organisation's, or App's) webhook is configured to send
to the desk: verified, read once, and parsed exactly as a poll's items (`page.delivery_parsed`). Polling goes on
beside them: a delivery lost (the desk down, a firewall) is found by the next poll, and the one found twice is a
duplicate the ingest drops (same node ids).

GitHub (docs.github.com, "Validating webhook deliveries", "Webhook events and payloads") sends ``POST`` with
``X-GitHub-Event`` (``issues``, ``issue_comment``, ``discussion``, ``discussion_comment``; ``ping`` when the hook is
made), ``X-GitHub-Delivery`` (a GUID, the same when a delivery is sent again) and ``X-Hub-Signature-256:
sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>``, its shape checked and then compared in
constant time (`advocacy.signatures`: a header of any other shape is a 401, never an error) with the channel's
``webhook_secret`` credential. A delivery already received (`delivery_remember`, kept `REMEMBER_SECONDS`) is
answered as such and not read again. Other events, other repositories and pull requests are acknowledged and left
alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from advocacy.signatures import hex_signature_matches
from channels import clean
from channels.http import credential_of

from ..base import IncomingMention, PayloadError, Pushed, PushRefused, Rejected
from .config import DEFAULTS, team_of, validate_config
from .page import delivery_parsed, webhook_event
from .parse import Context

if TYPE_CHECKING:
    from channels.models import Channel

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
EVENTS = ("issues", "issue_comment", "discussion", "discussion_comment")
REMEMBER_SECONDS = 7 * 24 * 3600
_DELIVERY_RE = re.compile(r"[A-Za-z0-9-]{1,100}")


class DeliveryRejected(Exception):
    """Refused: `status` is what to answer (401 unsigned or wrongly signed, 400 not a readable delivery)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Delivery:
    event: str
    delivery_id: str
    mentions: list[IncomingMention] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    note: str = ""  # why nothing is stored: a ping, another event, another repository, already received


def signature_for(secret: str, body: bytes) -> str:
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    found = next((v for k, v in headers.items() if k.lower() == name.lower()), "")
    return found.strip() if isinstance(found, str) else ""


def _key(channel: Channel, delivery_id: str) -> str:
    return f"github:delivery:{channel.pk}:{delivery_id}"


def delivery_remember(channel: Channel, delivery_id: str) -> None:
    """Mark a delivery received, once its mentions are stored: sent again, it is answered and not read."""
    cache.set(_key(channel, delivery_id), 1, timeout=REMEMBER_SECONDS)


def delivery_read(*, channel: Channel, body: bytes, headers: Mapping[str, str]) -> Delivery:
    """The delivery's mentions, or `DeliveryRejected`. Nothing is stored here: the caller ingests the mentions,
    then calls `delivery_remember`."""
    secret = credential_of(channel, "webhook_secret")
    if not isinstance(secret, str) or not secret:
        raise DeliveryRejected(401, "this channel has no webhook secret: every delivery is refused")
    expected = signature_for(secret, body).removeprefix(SIGNATURE_PREFIX)
    if not hex_signature_matches(
        expected_hex=expected, given=_header(headers, SIGNATURE_HEADER), prefix=SIGNATURE_PREFIX
    ):
        raise DeliveryRejected(401, f"missing or wrong {SIGNATURE_HEADER}")
    event, delivery_id = _header(headers, EVENT_HEADER), _header(headers, DELIVERY_HEADER)
    if not _DELIVERY_RE.fullmatch(delivery_id):
        raise DeliveryRejected(400, f"missing or malformed {DELIVERY_HEADER}")
    delivery = Delivery(event=clean.line(event, max_length=60), delivery_id=delivery_id)
    if cache.get(_key(channel, delivery_id)) is not None:
        delivery.note = "already received"
        return delivery
    payload = _json(body)
    if event == "ping":
        delivery.note = "ping: the webhook reaches the desk"
        return delivery
    if event not in EVENTS or webhook_event(payload) != event:
        delivery.note = f"{delivery.event or 'an unnamed'} event: not read by the desk"
        return delivery
    config = {**DEFAULTS, **validate_config(channel.config)}
    repository = clean.line(clean.mapping(payload.get("repository")).get("full_name"), max_length=200)
    if repository.casefold() not in {r.casefold() for r in config["repositories"]}:
        delivery.note = f"{repository or 'an unnamed repository'}: not one of the channel's repositories"
        return delivery
    context = Context(labels=list(config["labels"]), team=team_of(config))
    parsed = delivery_parsed(event, payload, context)
    delivery.mentions, delivery.rejected = parsed.mentions, parsed.rejected
    if not parsed.mentions and not parsed.rejected:
        delivery.note = "a pull request, or labels the channel does not follow"
    return delivery


def _json(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (UTF-8, no NaN or Infinity), or `DeliveryRejected` 400."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError, PayloadError):
        raise DeliveryRejected(400, "the body is not JSON (send application/json deliveries)") from None
    if not isinstance(payload, dict):
        raise DeliveryRejected(400, "the body is not a JSON object")
    return payload


def _no_constant(name: str) -> Any:
    raise PayloadError(f"{name} is not a number JSON allows")


def delivery_pushed(*, channel: Channel, body: bytes, headers: Mapping[str, str]) -> Pushed:
    """The delivery as the desk's door reads a platform's push (Platform.push_reader): read and checked here, stored
    by intake, remembered once stored."""
    try:
        delivery = delivery_read(channel=channel, body=body, headers=headers)
    except DeliveryRejected as exc:
        raise PushRefused(exc.status, str(exc)) from exc
    if not delivery.mentions and not delivery.rejected:
        return Pushed(note=delivery.note)
    return Pushed(
        mentions=delivery.mentions,
        rejected=delivery.rejected,
        note=delivery.note,
        stored=lambda: delivery_remember(channel, delivery.delivery_id),
    )
