"""Reading feeds politely, for every polled feed (stories.incidents.models.PolledFeed: the status pages', the release
sources'): the due ones leased under SKIP LOCKED (their next poll moved LEASE ahead, so two runs never read the same
feed at once), the validators kept for the next conditional GET, a 304 only moving the clock, and a failure keeping
what was recorded, saying why in `last_error` and backing off (doubling from the feed's interval up to
DESK_MAX_BACKOFF_SECONDS). What a feed's answer means is its caller's (stories.incidents.polling, stories.releases)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet

from stories.incidents.models import PolledFeed

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
READ_FIELDS = ["etag", "last_modified", "polled_at", "next_poll_at", "last_error", "failures", "updated_at"]

Feed = TypeVar("Feed", bound=PolledFeed)


def feeds_lease(feeds: QuerySet[Feed], *, now: datetime, limit: int) -> list[Feed]:
    """The enabled feeds of `feeds` that are due, the longest waiting first, at most `limit`, leased."""
    with transaction.atomic():
        due = list(
            feeds.select_for_update(skip_locked=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now), enabled=True)
            .order_by(F("next_poll_at").asc(nulls_first=True), "pk")[:limit]
        )
        feeds.model._default_manager.filter(pk__in=[f.pk for f in due]).update(next_poll_at=now + LEASE)
    return due


def feed_unchanged(feed: PolledFeed, *, now: datetime, interval: int) -> None:
    """A 304: read again in `interval` seconds; an earlier error is cleared (the feed answered)."""
    type(feed)._default_manager.filter(pk=feed.pk).update(
        polled_at=now, next_poll_at=now + timedelta(seconds=interval), last_error="", failures=0
    )


def feed_read(locked: PolledFeed, *, etag: str, last_modified: str, now: datetime, interval: int) -> None:
    """A feed read and recorded, in the caller's transaction with `locked` its row locked: the new validators."""
    locked.etag, locked.last_modified = etag, last_modified
    locked.polled_at, locked.next_poll_at = now, now + timedelta(seconds=interval)
    locked.last_error, locked.failures = "", 0
    locked.save(update_fields=READ_FIELDS)


def backoff(failures: int, *, interval: int) -> timedelta:
    """After `failures` failed polls in a row: `interval` doubling, at most DESK_MAX_BACKOFF_SECONDS."""
    seconds = interval * 2 ** min(max(0, failures - 1), 16)
    return timedelta(seconds=min(seconds, settings.DESK_MAX_BACKOFF_SECONDS))


def feed_failed(feed: PolledFeed, message: str, *, now: datetime, interval: int, what: str) -> None:
    failures = feed.failures + 1
    wait = backoff(failures, interval=interval)
    type(feed)._default_manager.filter(pk=feed.pk).update(
        last_error=message[:500], failures=F("failures") + 1, polled_at=now, next_poll_at=now + wait
    )
    logger.warning(
        "%s %s: %s (failure %s in a row; next poll in %ss)", what, feed.pk, message, failures, int(wait.total_seconds())
    )
