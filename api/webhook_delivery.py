"""Sending queued webhook deliveries: per subscription, in event order, none ever lost, none waiting on
another subscription's receiver.

- Every beat tick (api.webhooks_run) `deliveries_dispatch` reclaims "sending" rows whose worker died and
  queues one api.webhook_deliver task, on its own Celery queue (DESK_WEBHOOK_QUEUE), for each subscription
  whose next delivery is due. Each subscription is sent for by its own task, so a slow receiver holds up
  only its own deliveries.
- `subscription_deliver` (that task) holds the subscription's lease (one sender per subscription, so
  order is kept), posts its deliveries oldest first for at most DESK_WEBHOOK_RUN_SECONDS, each within
  DESK_WEBHOOK_DEADLINE_SECONDS (api.webhook_http), and stops at the first failure: that delivery is
  tried again after 30 s, 1, 2, 4... minutes (at most DESK_WEBHOOK_RETRY_MAX_SECONDS apart), and the ones
  after it wait behind it. Nothing is ever dropped after N attempts.
- A subscription whose attempts have all failed for DESK_WEBHOOK_PAUSE_AFTER_HOURS is paused and its
  admins e-mailed once (api.webhook_alerts). Paused, its oldest delivery is still tried at the longest
  backoff (hourly); the first success resumes it, and everything waiting goes out in order.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from advocacy.enqueue import task_enqueue, task_enqueue_on_commit
from api.models import WebhookDelivery, WebhookSubscription
from api.webhook_alerts import subscription_alert
from api.webhook_http import PostResult, webhook_post
from api.webhook_signing import signature_headers
from api.webhook_urls import WebhookUrlRefused, webhook_target
from channels.secrets import CredentialsUnreadable
from intake.services.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_for
from notifications.rows import backoff_seconds

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
UNDELIVERED = (Status.PENDING, Status.SENDING)
# A "sending" row older than the deadline plus this was left by a worker that died mid-post: an attempt
# cannot last longer (the deadline cuts it), and recording its outcome takes one short transaction.
STALE_MARGIN = timedelta(seconds=30)
# The lease outlives a whole run (its budget plus one last attempt's deadline) by this much.
LEASE_MARGIN = timedelta(seconds=30)
# A queued delivery task not started by then is dropped by Celery (expires) and queued again.
DISPATCH_HOLD_SECONDS = 60


@dataclass
class DeliverRun:
    """What one run for one subscription did. status: "busy" (another worker holds it), "done"
    (nothing due any more), "failing" (stopped at a failure), "more" (budget used, queued again)."""

    status: str
    delivered: int = 0
    failed: int = 0


def stale_after() -> timedelta:
    return timedelta(seconds=settings.DESK_WEBHOOK_DEADLINE_SECONDS) + STALE_MARGIN


def deliveries_reclaim(*, now: datetime | None = None) -> int:
    """Turn "sending" rows whose attempt cannot still be running back into pending, due now. They go
    out again with the same webhook-id, so a receiver that got the first attempt drops the second."""
    now = now or timezone.now()
    reclaimed = WebhookDelivery.objects.filter(status=Status.SENDING, next_attempt_at__lt=now - stale_after()).update(
        status=Status.PENDING, next_attempt_at=now, last_error="interrupted (worker stopped)", updated_at=now
    )
    if reclaimed:
        logger.warning("webhooks: %s deliveries left sending by a stopped worker are pending again", reclaimed)
    return reclaimed


def subscriptions_due(*, now: datetime | None = None) -> list[int]:
    """Active subscriptions nobody is sending for whose oldest undelivered delivery is due."""
    now = now or timezone.now()
    head = WebhookDelivery.objects.filter(subscription=OuterRef("pk"), status__in=UNDELIVERED).order_by("id")
    return list(
        WebhookSubscription.objects.filter(active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .annotate(
            head_status=Subquery(head.values("status")[:1]), head_due=Subquery(head.values("next_attempt_at")[:1])
        )
        .filter(head_status=Status.PENDING, head_due__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def deliveries_dispatch(*, now: datetime | None = None) -> int:
    """Queue one delivery task per subscription with due work (not again while one waits in the queue).
    Returns how many were queued."""
    now = now or timezone.now()
    deliveries_reclaim(now=now)
    queued = 0
    for subscription_id in subscriptions_due(now=now):
        hold = now - timedelta(seconds=DISPATCH_HOLD_SECONDS)
        won = (
            WebhookSubscription.objects.filter(pk=subscription_id)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=hold))
            .update(dispatched_at=now)
        )
        if won:
            _enqueue(subscription_id)
            queued += 1
    return queued


def subscription_deliver(*, subscription_id: int, now: datetime | None = None) -> DeliverRun:
    """Post a subscription's due deliveries, oldest first, until none is due, one fails, or the run's
    budget is used (then another run is queued). `now` fixes the clock (tests step through hours)."""
    clock = (lambda: now) if now else timezone.now
    token = _lease_acquire(subscription_id, clock())
    if token is None:
        return DeliverRun(status="busy")
    run = DeliverRun(status="done")
    started = time.monotonic()
    try:
        while True:
            if time.monotonic() - started >= settings.DESK_WEBHOOK_RUN_SECONDS:
                run.status = "more"
                break
            row = _claim_next(subscription_id, clock())
            if row is None:
                break
            result = _attempt(row)
            if result.delivered:
                _record_success(row, result, clock())
                run.delivered += 1
            else:
                _record_failure(row, result, clock())
                run.failed += 1
                run.status = "failing"
                break
    finally:
        WebhookSubscription.objects.filter(pk=subscription_id, lease_token=token).update(
            lease_token="", lease_until=None
        )
    if run.status == "more":
        _enqueue(subscription_id)  # to the back of the queue: other subscriptions get their turn first
    return run


def subscription_resume(*, subscription_id: int, now: datetime | None = None) -> int:
    """An admin's "Resume now": clear the pause and the failure count, make the waiting deliveries due
    now and queue a run. Returns how many deliveries are waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription_id).update(
            paused_at=None,
            paused_reason="",
            failing_since=None,
            consecutive_failures=0,
            last_failure="",
            dispatched_at=None,
        )
        waiting = WebhookDelivery.objects.filter(subscription_id=subscription_id, status=Status.PENDING).update(
            next_attempt_at=now
        )
        task_enqueue_on_commit("api.webhook_deliver", subscription_id, queue=settings.DESK_WEBHOOK_QUEUE)
    return waiting


def deliveries_send_again(*, deliveries: QuerySet[WebhookDelivery], now: datetime | None = None) -> int:
    """Given-up deliveries back to pending, due now (the next beat tick sends them, oldest first, with
    the webhook-id they always had)."""
    now = now or timezone.now()
    return deliveries.filter(status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, last_error="", updated_at=now
    )


def deliveries_give_up(*, deliveries: QuerySet[WebhookDelivery], now: datetime | None = None) -> int:
    """An admin's decision that a pending delivery will never be accepted (a receiver that rejects one
    event forever holds back every later one): it stops being tried, the ones after it go out."""
    now = now or timezone.now()
    given_up = deliveries.filter(status=Status.PENDING).update(status=Status.FAILED, updated_at=now)
    logger.warning("webhooks: %s pending deliveries given up by an admin", given_up)
    return given_up


def _enqueue(subscription_id: int) -> None:
    task_enqueue(
        "api.webhook_deliver", subscription_id, queue=settings.DESK_WEBHOOK_QUEUE, expires=DISPATCH_HOLD_SECONDS
    )


def _lease_acquire(subscription_id: int, now: datetime) -> str | None:
    token = str(uuid.uuid4())
    length = (
        timedelta(seconds=settings.DESK_WEBHOOK_RUN_SECONDS + settings.DESK_WEBHOOK_DEADLINE_SECONDS) + LEASE_MARGIN
    )
    won = (
        WebhookSubscription.objects.filter(pk=subscription_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_token=token, lease_until=now + length, dispatched_at=None)
    )
    return token if won else None


def _claim_next(subscription_id: int, now: datetime) -> WebhookDelivery | None:
    """The subscription's oldest undelivered delivery, marked sending, if it is pending and due."""
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(subscription_id=subscription_id, status__in=UNDELIVERED)
            .order_by("id")
            .first()
        )
        if row is None or row.status != Status.PENDING or row.next_attempt_at > now or not row.subscription.active:
            return None
        row.status, row.attempts, row.next_attempt_at = Status.SENDING, row.attempts + 1, now
        row.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    return row


def _attempt(row: WebhookDelivery) -> PostResult:
    sub = row.subscription
    try:
        target = webhook_target(sub.url)  # again at every delivery: DNS answers change
    except WebhookUrlRefused as exc:
        return PostResult(delivered=False, status_code=None, category=f"refused: {exc.category}")
    try:
        secret = sub.secret
    except CredentialsUnreadable:
        return PostResult(delivered=False, status_code=None, category="secret unreadable: enter it again")
    body = json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())  # the real time even when a test fixes `now`: receivers check it
    headers = {
        "Content-Type": "application/json",
        "User-Agent": settings.DESK_USER_AGENT,
        **signature_headers(secret=secret, message_id=row.webhook_id, timestamp=timestamp, body=body),
        # The scheme before Standard Webhooks, for receivers not yet moved over; removed in the next version.
        "X-Desk-Event": row.payload["event"],
        "X-Desk-Delivery": str(row.pk),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_for(secret, str(timestamp), body),
    }
    return webhook_post(target=target, body=body, headers=headers, deadline=settings.DESK_WEBHOOK_DEADLINE_SECONDS)


def _record_success(row: WebhookDelivery, result: PostResult, now: datetime) -> None:
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=Status.DELIVERED,
            last_status_code=result.status_code,
            last_error="",
            delivered_at=now,
            updated_at=now,
        )
        sub = row.subscription
        if sub.failing_since is None and sub.paused_at is None:
            return
        sub = WebhookSubscription.objects.select_for_update().get(pk=sub.pk)
        if sub.paused_at is not None:
            logger.warning("webhook %s: delivered again after a pause since %s; resumed", sub.name, sub.paused_at)
            transaction.on_commit(lambda: subscription_alert(subscription_id=sub.pk, what="resumed"), robust=True)
        WebhookSubscription.objects.filter(pk=sub.pk).update(
            failing_since=None, consecutive_failures=0, last_failure="", paused_at=None, paused_reason=""
        )


def _record_failure(row: WebhookDelivery, result: PostResult, now: datetime) -> None:
    delay = backoff_seconds(row.attempts, cap=settings.DESK_WEBHOOK_RETRY_MAX_SECONDS)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=Status.PENDING,
            next_attempt_at=now + timedelta(seconds=delay),
            last_status_code=result.status_code,
            last_error=result.category[:300],
            updated_at=now,
        )
        sub = WebhookSubscription.objects.select_for_update().get(pk=row.subscription_id)
        sub.consecutive_failures += 1
        sub.failing_since = sub.failing_since or now
        sub.last_failure = result.category[:120]
        fields = ["consecutive_failures", "failing_since", "last_failure", "updated_at"]
        if sub.paused_at is None and now - sub.failing_since >= timedelta(
            hours=settings.DESK_WEBHOOK_PAUSE_AFTER_HOURS
        ):
            sub.paused_at, sub.paused_reason = now, result.category[:120]
            fields += ["paused_at", "paused_reason"]
            logger.warning(
                "webhook %s: paused: every attempt has failed since %s (%s)",
                sub.name,
                sub.failing_since,
                sub.last_failure,
            )
            transaction.on_commit(lambda: subscription_alert(subscription_id=sub.pk, what="paused"), robust=True)
        sub.save(update_fields=fields)
    logger.info(
        "webhook %s: delivery %s attempt %s: %s; again in %s s", sub.name, row.pk, row.attempts, result.category, delay
    )
