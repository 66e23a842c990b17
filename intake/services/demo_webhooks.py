"""The demo desk's pushes (`make run`, DESK_DEMO_REPLAY): the demo week's webhook posts delivered to the demo's
webhook channel through the receiving service the ``/hooks/<slug>/`` view calls (`webhook_receive`), so each is
verified (signature, freshness), parsed and ingested like a push from outside. The requests are rendered and signed
by the sender's side, channels.adapters.webhook.replay; delivering the same week again stores nothing twice (the
receiver is idempotent on the posts' ids)."""

from __future__ import annotations

import logging

from channels.adapters.webhook.platform import PLATFORM as WEBHOOK
from channels.adapters.webhook.replay import SIGNATURE_HEADER, TIMESTAMP_HEADER, demo_deliveries
from channels.demo.replay import DemoPosts, demo_posts
from channels.models import Channel
from intake.services.webhooks import WebhookRejected, webhook_receive

logger = logging.getLogger(__name__)


def demo_webhooks_deliver(channel: Channel, posts: DemoPosts | None = None) -> list[int]:
    """Push the week's webhook posts by now (`posts`, default the demo week's) to `channel`: for each, the HTTP
    status the view would answer (201 stored, 200 already had it, or the refusal's 401/400)."""
    statuses: list[int] = []
    for headers, body in demo_deliveries(channel, posts or demo_posts(WEBHOOK.kind)):
        try:
            accepted = webhook_receive(
                channel=channel,
                body=body,
                timestamp=headers.get(TIMESTAMP_HEADER, ""),
                signature=headers.get(SIGNATURE_HEADER, ""),
            )
        except WebhookRejected as exc:
            logger.warning("demo webhook: channel=%s refused a delivery (%s): %s", channel.slug, exc.status, exc)
            statuses.append(exc.status)
            continue
        statuses.append(201 if accepted.result.created > 0 else 200)
    return statuses
