"""Receiving a signed webhook: verify, parse, ingest. The view only maps results to HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from advocacy.signatures import hex_signature_matches
from channels import clean
from channels.adapters import PayloadError
from channels.adapters.webhook import mention_read
from channels.models import Channel
from channels.secrets import CredentialsUnreadable
from intake.pipeline import IngestResult, mentions_ingest

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
SIGNATURE_HEADER = "X-Desk-Signature"
SIGNATURE_PREFIX = "sha256="
TIMESTAMP_HEADER = "X-Desk-Timestamp"
# Unix seconds in ASCII digits; 12 digits reach the year 33658. Checked with a pattern, never
# int() first: int() of a 5,000-digit header is slow (and raises), int("²") raises.
TIMESTAMP_PATTERN = re.compile(r"[0-9]{1,12}")
# The documented body is an object with one nested object (author); anything much deeper is
# not a mention, and a body nested thousands deep would exhaust the stack in json.loads.
MAX_JSON_DEPTH = 16
# A JSON integer this long is no id or count (and int() of thousands of digits is slow).
MAX_INT_DIGITS = 40


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class WebhookAccepted:
    result: IngestResult
    ticket_id: int | None


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    return SIGNATURE_PREFIX + _digest(secret, timestamp, body)


def _digest(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


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
    if not TIMESTAMP_PATTERN.fullmatch(timestamp or ""):
        raise WebhookRejected(401, f"missing or malformed {TIMESTAMP_HEADER} header (Unix seconds)")
    max_age = int(channel.config.get("max_age_seconds", 300))
    if abs(time.time() - int(timestamp)) > max_age:
        logger.warning("webhook: channel=%s stale timestamp %s", channel.slug, timestamp)
        raise WebhookRejected(401, f"timestamp outside the {max_age}-second window (replay?)")
    expected = _digest(secret, timestamp, body)
    if not hex_signature_matches(expected_hex=expected, given=signature or "", prefix=SIGNATURE_PREFIX):
        logger.warning("webhook: channel=%s bad signature", channel.slug)
        raise WebhookRejected(401, "bad signature")
    try:
        data = json_strict(body)
        _check_storable(data)
        mention = mention_read(data)  # cleaned there, once
    except (PayloadError, clean.Unstorable) as exc:
        logger.warning("webhook: channel=%s rejected payload: %s", channel.slug, exc)
        raise WebhookRejected(400, str(exc)) from None
    result = mentions_ingest(channel=channel, mentions=[mention])
    ticket_id = channel.messages.filter(external_id=mention.external_id).values_list("ticket_id", flat=True).first()
    return WebhookAccepted(result=result, ticket_id=ticket_id)


def json_strict(body: bytes) -> Any:
    """The body as JSON, or PayloadError: UTF-8 only, no NaN/Infinity (not JSON, and not
    storable), no integer over MAX_INT_DIGITS digits, nesting at most MAX_JSON_DEPTH (counted
    without recursion before the parser, which would recurse, ever sees it)."""
    try:
        document = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("body is not valid JSON (not UTF-8)") from None
    if json_depth(document) > MAX_JSON_DEPTH:
        raise PayloadError(f"body is not valid JSON for a mention: nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(document, parse_constant=_reject_constant, parse_int=_bounded_int, parse_float=_finite_float)
    except PayloadError:
        raise
    except (ValueError, RecursionError):
        raise PayloadError("body is not valid JSON") from None


def json_depth(document: str) -> int:
    """The deepest nesting of [ and { in a JSON text, brackets inside strings ignored; a loop
    over the characters, so any depth is measured without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in document:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _reject_constant(name: str) -> Any:
    raise PayloadError(f"body is not valid JSON: {name} is not a number JSON allows")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise PayloadError(f"body holds an integer of more than {MAX_INT_DIGITS} digits")
    return int(digits)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise PayloadError(f"body holds a number out of range: {literal[:40]}")
    return value


def _check_storable(data: Any) -> None:
    """PayloadError naming the first string (key or value) holding NUL or a lone surrogate:
    neither can be stored, and a sender that sends them has a bug worth hearing about."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, member in value.items():
                name = f"{path}.{key}" if path else str(key)
                _check_string(name, key)
                stack.append((name, member))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", member) for i, member in enumerate(value))
        elif isinstance(value, str):
            _check_string(path, value)


def _check_string(path: str, value: str) -> None:
    if clean.text_exact(value) != value:
        shown = clean.line(path, max_length=80) or "(top level)"
        raise PayloadError(f"field {shown}: holds a NUL character or a lone surrogate, which cannot be stored")
