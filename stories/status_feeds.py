"""Polling the status pages an admin added (StatusFeed), every POLL_SECONDS from beat (`stories.status_poll`).

Each due feed is leased (its next poll moved LEASE ahead, under SKIP LOCKED, so two runs never read the same feed
at once), then fetched with a conditional GET (If-None-Match from the stored ETag, If-Modified-Since from the stored
Last-Modified; stories.status_parse). A 304 changes nothing but when the feed was polled (and clears an earlier
error: the page answered). A 200 is parsed before anything is written; its incidents are then recorded
(stories.incidents) with the new validators in one transaction.

A feed that cannot be read (no answer, an HTTP error, a body that is not Statuspage JSON, RSS or Atom) keeps
everything it recorded before: its `last_error` says why in a few words, `failures` counts the failed polls in a
row, and its next poll backs off (doubling from POLL_SECONDS up to DESK_MAX_BACKOFF_SECONDS). Every failure is
logged with the feed's id; none is raised into beat.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.http import build_session
from stories.incidents import incidents_record
from stories.models import StatusFeed
from stories.status_parse import FeedError, feed_fetch

logger = logging.getLogger(__name__)

POLL_SECONDS = 120
LEASE = timedelta(minutes=10)
PER_RUN = 10  # feeds a run reads; each call has the desk's timeout, so a run stays inside the task's time limit


def status_poll(*, now: datetime | None = None, session: requests.Session | None = None) -> dict[str, int]:
    """Poll the enabled feeds that are due. Returns how many were read, unchanged, failed."""
    now = now or timezone.now()
    feeds = _lease(now)
    if not feeds:
        return {}
    session = session or build_session()
    outcomes: Counter[str] = Counter()
    for feed in feeds:
        try:
            outcomes[feed_poll(feed, session=session, now=now)] += 1
        except Exception:  # one feed's bug must not stop the others, nor beat
            logger.exception("status feed %s: the poll failed", feed.pk)
            _failed(feed, "The feed could not be read (an error in the desk: see the log).", now)
            outcomes["failed"] += 1
    return dict(outcomes)


def _lease(now: datetime) -> list[StatusFeed]:
    with transaction.atomic():
        due = list(
            StatusFeed.objects.select_for_update(skip_locked=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now), enabled=True)
            .order_by(F("next_poll_at").asc(nulls_first=True), "pk")[:PER_RUN]
        )
        StatusFeed.objects.filter(pk__in=[f.pk for f in due]).update(next_poll_at=now + LEASE)
    return due


def feed_poll(feed: StatusFeed, *, session: requests.Session, now: datetime) -> str:
    """Read one feed: "read", "unchanged" (304) or "failed"."""
    try:
        fetched = feed_fetch(
            session, feed.url, fmt=feed.format, etag=feed.etag, last_modified=feed.last_modified, now=now
        )
    except FeedError as exc:
        _failed(feed, str(exc), now)
        return "failed"
    following = now + timedelta(seconds=POLL_SECONDS)
    if fetched.not_modified:
        StatusFeed.objects.filter(pk=feed.pk).update(polled_at=now, next_poll_at=following, last_error="", failures=0)
        return "unchanged"
    with transaction.atomic():
        locked = StatusFeed.objects.select_for_update().get(pk=feed.pk)
        counts = incidents_record(locked, fetched.incidents, now=now)
        locked.etag, locked.last_modified = fetched.etag, fetched.last_modified
        locked.polled_at, locked.next_poll_at, locked.last_error, locked.failures = now, following, "", 0
        locked.save(
            update_fields=["etag", "last_modified", "polled_at", "next_poll_at", "last_error", "failures", "updated_at"]
        )
    if counts:
        logger.info("status feed %s: %s", feed.pk, ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "read"


def backoff(failures: int) -> timedelta:
    """After `failures` failed polls in a row: POLL_SECONDS doubling, at most DESK_MAX_BACKOFF_SECONDS."""
    seconds = POLL_SECONDS * 2 ** min(max(0, failures - 1), 16)
    return timedelta(seconds=min(seconds, settings.DESK_MAX_BACKOFF_SECONDS))


def _failed(feed: StatusFeed, message: str, now: datetime) -> None:
    failures = feed.failures + 1
    wait = backoff(failures)
    StatusFeed.objects.filter(pk=feed.pk).update(
        last_error=message[:500], failures=F("failures") + 1, polled_at=now, next_poll_at=now + wait
    )
    logger.warning(
        "status feed %s: %s (failure %s in a row; next poll in %ss)",
        feed.pk,
        message,
        failures,
        int(wait.total_seconds()),
    )
