"""Receiving a signed webhook: verify, parse, ingest. The view only maps results to HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass

from channels.adapters import PayloadError
from channels.adapters.webhook import mention_from_json
from channels.models import Channel
from channels.secrets import CredentialsUnreadable
from mentions.services import IngestResult, mentions_ingest

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
SIGNATURE_HEADER = "X-Desk-Signature"
TIMESTAMP_HEADER = "X-Desk-Timestamp"


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class WebhookAccepted:
    result: IngestResult
    ticket_id: int | None


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_receive(*, channel: Channel, body: bytes, timestamp: str, signature: str) -> WebhookAccepted:
    """Check the signature and freshness, then store the mention (idempotent on its id).
    Raises WebhookRejected with the HTTP status to answer; nothing is stored then."""
    try:
        secret = channel.credentials.get("secret", "")
    except CredentialsUnreadable:
        secret = ""
    if not secret:
        logger.error("webhook: channel=%s has no readable secret: refusing every request", channel.slug)
        raise WebhookRejected(401, "this channel has no secret configured")
    if not timestamp or not timestamp.isdigit():
        raise WebhookRejected(401, f"missing or malformed {TIMESTAMP_HEADER} header")
    max_age = int(channel.config.get("max_age_seconds", 300))
    if abs(time.time() - int(timestamp)) > max_age:
        logger.warning("webhook: channel=%s stale timestamp %s", channel.slug, timestamp)
        raise WebhookRejected(401, f"timestamp outside the {max_age}-second window (replay?)")
    if not hmac.compare_digest(signature_for(secret, timestamp, body), signature or ""):
        logger.warning("webhook: channel=%s bad signature", channel.slug)
        raise WebhookRejected(401, "bad signature")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRejected(400, "body is not valid JSON") from None
    try:
        mention = mention_from_json(data)
    except PayloadError as exc:
        logger.warning("webhook: channel=%s rejected payload: %s", channel.slug, exc)
        raise WebhookRejected(400, str(exc)) from None
    result = mentions_ingest(channel=channel, mentions=[mention])
    ticket_id = channel.messages.filter(external_id=mention.external_id).values_list("ticket_id", flat=True).first()
    return WebhookAccepted(result=result, ticket_id=ticket_id)
