"""The demo desk's webhook sender: the demo week's webhook posts pushed as signed requests (channels.demo.replay_kit
says what every replay shares).

A webhook channel is never polled, so the demo plays the sender: `demo_deliveries` renders each post of the week by
now as the request a sender would POST to ``/hooks/<slug>/``, in the documented shape (webhook/__init__.py's
docstring and docs/platforms/webhook.md "What the desk reads"; tests/fixtures/documented_body.json and
documented_reply.json), signed with the channel's secret by that page's rule (``X-Desk-Timestamp``,
``X-Desk-Signature: sha256=<HMAC>``), computed as a sender would, not with the receiver's code. Intake delivers
them (`intake.services.demo_webhooks.demo_webhooks_deliver`, through ``webhook_receive``), so they are verified,
parsed and ingested like any push; the ids are the posts' demo ids and the receiver is idempotent on them. A
follow-up's ``parent_id`` is its thread's opening post; our account's posts are stored as our replies.
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
