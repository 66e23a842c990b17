"""What the desk answers a request to its Slack endpoints before Bolt sees it (slackapp.views).

In order, each refusal a short plain-text reason and a log line with the path, the sender and what was wrong
(never the secret, never the body):

1. **Signed by Slack?** Slack's documented check (api.slack.com/authentication/verifying-requests-from-slack):
   `X-Slack-Signature` = `v0=` + HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<body bytes>` with the signing
   secret, compared in constant time, the timestamp ASCII digits within five minutes. Anything else is a 401
   and nothing of the body is read. Done here, over the raw bytes, because Bolt parses the body before it
   checks the signature and reads the timestamp with `int()` (a `1e3` or an empty header was a 500); Bolt
   then checks the same signature again.
2. **A delivery at all?** The body read as Bolt reads it (slackapp.deliveries.body_read): not UTF-8, not
   JSON, not an object, no `type`, nested deeper than any Slack payload → 400, nothing stored.
3. **In the shape Bolt routes by?** If not (`actions: null`, `view: "x"`, attachments that are not objects),
   the delivery is stored as it came (NUL characters stripped) and answered 200, so Slack does not send it
   again; the worker marks it failed with the reason (slackapp.tasks), visible in admin.

Otherwise None: Bolt answers (slackapp.bolt).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from advocacy.signatures import hex_signature_matches
from slackapp.bolt import event_store, retries_read
from slackapp.deliveries import Refused, body_read, delivery_key, delivery_kind, delivery_problem

logger = logging.getLogger("slackapp")

MAX_SKEW_SECONDS = 5 * 60  # Slack's documented window; Bolt refuses the same
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Answer:
    status: int
    text: str = ""


def signature_problem(*, body: bytes, timestamp: str, signature: str, secret: str, now: float) -> str:
    """Why Slack did not sign `body` at `timestamp` with `secret`, short and plain; empty when it did."""
    if not timestamp or not signature:
        return "Slack's signature is missing (X-Slack-Signature, X-Slack-Request-Timestamp)."
    if not _TIMESTAMP.fullmatch(timestamp):
        return "X-Slack-Request-Timestamp is not a Unix time."
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return "X-Slack-Request-Timestamp is more than five minutes off."
    expected = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    # Shape first (advocacy.signatures): compare_digest takes ASCII text only, and a header may hold anything.
    if not hex_signature_matches(expected_hex=expected, given=signature, prefix="v0="):
        return "Slack's signature does not match this request."
    return ""


def request_receive(*, path: str, body: bytes, headers: Mapping[str, str], sender: str, secret: str) -> Answer | None:
    """The answer to a request to a Slack endpoint when the desk gives it itself; None when Bolt answers."""
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    problem = signature_problem(
        body=body,
        timestamp=timestamp,
        signature=headers.get("X-Slack-Signature") or "",
        secret=secret,
        now=time.time(),
    )
    if problem:
        logger.warning(
            "slack: request to %s from %s refused (401): %s [timestamp %r, %d bytes]",
            path,
            sender,
            problem,
            timestamp[:40],
            len(body),
        )
        return Answer(401, problem)
    try:
        delivery = body_read(body, headers.get("Content-Type") or "")
    except Refused as exc:
        logger.warning("slack: signed request to %s from %s refused (400): %s [%d bytes]", path, sender, exc, len(body))
        return Answer(400, str(exc))
    unworkable = delivery_problem(delivery)
    if not unworkable:
        return None
    row = event_store(
        key=delivery_key(delivery),
        kind=delivery_kind(delivery),
        body=delivery,
        retries=retries_read(headers.get("X-Slack-Retry-Num")),
    )
    logger.warning(
        "slack: %s %s from %s stored as event %s, not routed: %s",
        delivery_kind(delivery),
        delivery_key(delivery),
        sender,
        row.pk if row else "(a retry: stored before)",
        unworkable,
    )
    return Answer(200)
