"""Outgoing webhooks: ticket events read from the change feed, queued once per subscription and
event, POSTed signed, retried with backoff."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookSubscription
from mentions.change_feed import changes_after, feed_end
from mentions.models import Ticket, TicketEvent
from mentions.services.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_for
from notifications.rows import backoff_seconds

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_MAX_SECONDS = 3600
PER_RUN = 100
TIMEOUT_SECONDS = 10
ORPHANED_AFTER = timedelta(minutes=10)
Event = WebhookSubscription.Event


def event_name(event: TicketEvent) -> str | None:
    """The webhook event a history event is, if any."""
    if event.kind == TicketEvent.Kind.CREATED:
        return Event.CREATED
    if event.kind in (TicketEvent.Kind.REPLIED, TicketEvent.Kind.REPLY_SENT):
        return Event.REPLIED
    if event.kind == TicketEvent.Kind.STATUS and (event.data or {}).get("to") == Ticket.Status.SOLVED:
        return Event.SOLVED
    if event.kind == TicketEvent.Kind.SLA_BREACHED:
        return Event.BREACHED
    return None


def subscription_start(subscription: WebhookSubscription) -> None:
    """A new subscription reads from the feed's end: what happened before it is not sent."""
    subscription.position = feed_end()


def deliveries_queue() -> int:
    """Read each active subscription's share of the change feed; queue one delivery per wanted event
    and move its position, in one transaction (a crash queues nothing and moves nothing)."""
    made = 0
    for sub_id in WebhookSubscription.objects.filter(active=True).values_list("pk", flat=True):
        with transaction.atomic():
            sub = WebhookSubscription.objects.select_for_update(skip_locked=True).filter(pk=sub_id).first()
            if sub is None:
                continue  # another worker is reading it
            page = changes_after(after=sub.position, limit=1000)
            rows = []
            for event in page.events:
                name = event_name(event)
                if name in sub.events:
                    rows.append(
                        WebhookDelivery(
                            subscription=sub,
                            event_id=event.pk,
                            ticket_id=event.ticket_id,
                            event=name,
                            payload=_payload(event, name),
                        )
                    )
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            WebhookSubscription.objects.filter(pk=sub.pk).update(position=page.position)
            made += len(rows)
    return made


def _payload(event: TicketEvent, name: str) -> dict[str, Any]:
    return {
        "event": f"ticket.{name}",
        "ticket": event.ticket_id,
        "ticket_url": f"{settings.DESK_BASE_URL}/tickets/{event.ticket_id}/",
        "history_event": {"id": event.pk, "kind": event.kind, "data": event.data},
        "actor": event.actor.get_username() if event.actor else None,
        "at": event.created_at.isoformat(),
    }


def deliveries_send(*, now: Any = None, limit: int = PER_RUN) -> dict[str, int]:
    """POST the due deliveries. Each is claimed under its row lock (SKIP LOCKED: two workers never
    take the same one) and posted outside any transaction."""
    figures = {"delivered": 0, "retrying": 0, "failed": 0}
    now = now or timezone.now()
    # A worker that died mid-post left its row sending: it goes out again (the receiver dedupes on
    # X-Desk-Delivery should the first one have arrived).
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, next_attempt_at__lt=now - ORPHANED_AFTER
    ).update(status=WebhookDelivery.Status.PENDING)
    for _ in range(limit):
        with transaction.atomic():
            row = (
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .select_related("subscription")
                .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, subscription__active=True)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if row is None:
                break
            row.status, row.attempts, row.next_attempt_at = WebhookDelivery.Status.SENDING, row.attempts + 1, now
            row.save(update_fields=["status", "attempts", "next_attempt_at"])
        figures[_post(row, now)] += 1
    return figures


def _post(row: WebhookDelivery, now: Any) -> str:
    body = json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": settings.DESK_USER_AGENT,
        "X-Desk-Event": row.payload["event"],
        "X-Desk-Delivery": str(row.pk),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature_for(row.subscription.secret, timestamp, body),
    }
    code, error = None, ""
    try:
        answer = requests.post(
            row.subscription.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
        code = answer.status_code
        if 200 <= code < 300:
            WebhookDelivery.objects.filter(pk=row.pk).update(
                status=WebhookDelivery.Status.DELIVERED,
                last_status_code=code,
                last_error="",
                delivered_at=timezone.now(),
            )
            return "delivered"
        error = f"answered {code}"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    if row.attempts >= MAX_ATTEMPTS:
        status, when, outcome = WebhookDelivery.Status.FAILED, now, "failed"
        logger.warning(
            "webhook %s: delivery %s failed after %s attempts: %s", row.subscription.name, row.pk, row.attempts, error
        )
    else:
        delay = backoff_seconds(row.attempts, cap=BACKOFF_MAX_SECONDS)
        status, when, outcome = WebhookDelivery.Status.PENDING, now + timedelta(seconds=delay), "retrying"
        logger.info("webhook %s: delivery %s %s; again in %s s", row.subscription.name, row.pk, error, delay)
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=status, next_attempt_at=when, last_status_code=code, last_error=error[:300]
    )
    return outcome
