"""Signing outgoing webhooks with the Standard Webhooks scheme (https://www.standardwebhooks.com/), so a
receiver verifies them with the `standardwebhooks` library in its language:

    webhook-id: msg_…           the delivery's id, the same on every attempt (receivers dedupe on it)
    webhook-timestamp: 1700000000
    webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>

The key: a secret written `whsec_<base64>` (what the subscription form generates) is those base64 bytes,
as the libraries read it. Any other secret (those made before this scheme) is its UTF-8 text as the key
bytes: `Webhook(secret.encode())` in Python, `new Webhook(secret, {format: "raw"})` in JavaScript.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
# The spec asks for 24 to 64 bytes of key; generated keys are 32.
KEY_BYTES_MIN, KEY_BYTES_MAX, KEY_BYTES_NEW = 24, 64, 32
RAW_SECRET_MIN_LENGTH = 16


def secret_generate() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES_NEW)).decode()


def secret_key(secret: str) -> bytes:
    if secret.startswith(PREFIX):
        return base64.b64decode(secret[len(PREFIX) :])
    return secret.encode()


def secret_problem(secret: str) -> str | None:
    """What is wrong with a secret an admin typed, or None."""
    if secret.startswith(PREFIX):
        try:
            key = base64.b64decode(secret[len(PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            return "A secret starting with whsec_ must be base64 after the prefix."
        if not KEY_BYTES_MIN <= len(key) <= KEY_BYTES_MAX:
            return f"A whsec_ secret must hold {KEY_BYTES_MIN} to {KEY_BYTES_MAX} bytes (this one holds {len(key)})."
        return None
    if len(secret) < RAW_SECRET_MIN_LENGTH:
        return f"A secret needs {RAW_SECRET_MIN_LENGTH} characters or more (or use the generated whsec_ one)."
    return None


def signature_headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }
