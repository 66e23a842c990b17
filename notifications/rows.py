"""Posting a table's pending Slack messages, one row at a time: urgent pings and front-page
announcements are each a row (made once, so a message is never posted twice) with the same outbox
fields: status, slack_channel, slack_ts, attempts, next_attempt_at, last_error, sent_at.

Each row is posted under its row lock (SKIP LOCKED: two workers never take the same row); a Slack
error that may pass is retried with backoff up to MAX_ATTEMPTS, a rate limit stops the run until
Retry-After, any other error fails the row with Slack's reason in words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 900


def backoff_seconds(attempts: int, *, cap: int = BACKOFF_MAX_SECONDS) -> int:
    """30 s after the first failed attempt, doubling each time, at most `cap`: every retry of the desk's
    outgoing messages (Slack rows, the outbox, outreach, webhooks) waits this long."""
    return min(cap, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))


def slack_rows_deliver(
    *,
    pending: models.QuerySet,
    text_for: Callable[[Any], str],
    channel_for: Callable[[Any], str],
    now: datetime,
    limit: int,
    what: str,
) -> int:
    """Post the rows of `pending` (pending and due, in order) that are due at `now`. Returns how
    many were posted. `what` names a row in the log ("urgent ping for ticket 12")."""
    from channels.adapters.slack.client import (
        NOT_CONFIGURED,
        SlackError,
        SlackRateLimited,
        SlackTransient,
        slack_post_message,
    )

    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            row = pending.select_for_update(of=("self",), skip_locked=True).first()
            if row is None:
                break
            row.attempts += 1
            stop = unconnected = False
            try:
                ts, channel_id = slack_post_message(channel=channel_for(row), text=text_for(row))
            except SlackRateLimited as exc:
                row.next_attempt_at, row.last_error, stop = (
                    now + timedelta(seconds=exc.retry_after),
                    str(exc)[:300],
                    True,
                )
            except SlackTransient as exc:
                row.last_error = str(exc)[:300]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = "failed"
                else:
                    row.next_attempt_at = now + timedelta(seconds=backoff_seconds(row.attempts))
            except SlackError as exc:
                row.status, row.last_error = "failed", exc.message[:300]
                unconnected = exc.code == NOT_CONFIGURED
            else:
                row.status, row.slack_ts, row.slack_channel, row.sent_at, row.last_error = (
                    "sent",
                    ts,
                    channel_id,
                    now,
                    "",
                )
                sent += 1
            row.save()
            if row.status == "failed" and not unconnected:  # without Slack the row says why; the client logs it
                logger.warning("slack: %s %s failed: %s", what, row.pk, row.last_error)
            elif row.status == "pending":
                logger.info("slack: %s %s retries at %s (%s)", what, row.pk, row.next_attempt_at, row.last_error)
        if stop:
            break
    return sent
