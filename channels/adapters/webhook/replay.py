"""The demo desk's webhook sender (channels.demo.replay): the demo week's webhook posts pushed as signed requests.

A webhook channel is never polled, so the demo network (which answers the desk's own requests) has nothing to
answer for it; instead the demo plays the sender. `demo_deliveries` renders each post of the week that has happened
by now as the request a sender would POST to ``/hooks/<slug>/``, in the documented shape (the module docstring of
channels/adapters/webhook/__init__.py and docs/platforms/webhook.md, "What the desk reads"; the same shape as
tests/fixtures/documented_body.json and documented_reply.json)::

    {"id": "demo-webhook-17-1", "url": "https://status.gitlab.com/...", "author": {"name": ..., "handle": ...},
     "text": "...", "created_at": "2025-03-07T13:50:00Z", "parent_id": "demo-webhook-17", "title": "..."}

signed with the channel's secret by the rule that page gives (``X-Desk-Timestamp`` and ``X-Desk-Signature:
sha256=<HMAC>``), computed here as a sender would, not with the receiver's code. Delivering them is intake's
(`intake.services.demo_webhooks.demo_webhooks_deliver`: channels sits below intake and never imports it), which
hands each to ``webhook_receive``, the function the ``/hooks/<slug>/`` view calls, so they are verified (signature,
freshness), parsed and ingested like any push. The ids are the posts' demo ids, the same at every delivery, and the
receiver is idempotent on them: delivering the week again stores nothing twice. A follow-up's ``parent_id`` is its
thread's opening post, so it joins that ticket; a post whose author is the channel's own account
(``posts.our_account``) is stored as our reply.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC
from typing import TYPE_CHECKING

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts

if TYPE_CHECKING:
    from channels.models import Channel

TIMESTAMP_HEADER = "X-Desk-Timestamp"  # docs/platforms/webhook.md, "Signature"
SIGNATURE_HEADER = "X-Desk-Signature"
STATUS_PAGE = "https://status.gitlab.com/pages/incident/demo"  # where the demo's status page posts live

Delivery = tuple[dict[str, str], bytes]


def payload(post: IncomingMention) -> dict[str, object]:
    """One post in the documented shape (optional fields only when the post has them)."""
    root = post.thread_id or post.external_id
    url = f"{STATUS_PAGE}/{root}" + (f"#{post.external_id}" if post.external_id != root else "")
    body: dict[str, object] = {
        "id": post.external_id,
        "url": url,
        "author": {"name": post.author_name or post.author_handle, "handle": post.author_handle},
        "text": post.text,
        "created_at": post.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if post.parent_id:
        body["parent_id"] = post.parent_id
    if post.title:
        body["title"] = post.title
    return body


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The documented rule, computed as a sender would (the receiver checks it with its own code)."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def demo_deliveries(channel: Channel, posts: DemoPosts) -> list[Delivery]:
    """(headers, body) of each request the sender would POST, oldest thread first, each signed now with the
    channel's secret (a channel without one gets unsigned requests, which the receiver refuses)."""
    secret = str(channel.credentials.get("secret") or "")
    deliveries: list[Delivery] = []
    for thread in posts.threads():
        for post in thread:
            body = json.dumps(payload(post), ensure_ascii=False).encode("utf-8")
            timestamp = str(int(time.time()))
            headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp}
            if secret:
                headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
            deliveries.append((headers, body))
    return deliveries
