"""Outgoing webhooks outside the request. Thin: api.webhooks holds the logic."""

from __future__ import annotations

from celery import shared_task


# Not autoretried: each delivery carries its own attempts and next time, so the next beat tick
# picks up whatever this run did not finish.
@shared_task(name="api.webhooks_run", ignore_result=True)
def webhooks_run() -> dict[str, int]:
    from api.webhooks import deliveries_queue, deliveries_send

    return {"queued": deliveries_queue(), **deliveries_send()}
