"""Outgoing webhooks outside the request. Thin: api.webhooks and api.webhook_delivery hold the logic."""

from __future__ import annotations

from celery import shared_task


# Not autoretried: each delivery carries its own attempts and next time, so the next beat tick
# picks up whatever this run did not finish.
@shared_task(name="api.webhooks_run", ignore_result=True)
def webhooks_run() -> dict[str, int]:
    """Queue deliveries from the change feed, then one api.webhook_deliver per subscription with due work."""
    from api.webhook_delivery import deliveries_dispatch
    from api.webhooks import deliveries_queue

    return {"queued": deliveries_queue(), "dispatched": deliveries_dispatch()}


# Runs on DESK_WEBHOOK_QUEUE (its own worker pool, so pollers never wait behind a slow receiver).
# Idempotent: a second copy finds the subscription's lease taken, or nothing due, and returns. Not
# autoretried: a failed delivery is retried by its own backoff, through the beat.
@shared_task(name="api.webhook_deliver", ignore_result=True)
def webhook_deliver(subscription_id: int) -> dict[str, int | str]:
    from api.webhook_delivery import subscription_deliver

    run = subscription_deliver(subscription_id=subscription_id)
    return {"status": run.status, "delivered": run.delivered, "failed": run.failed}
