"""Polling the status pages an admin added (StatusFeed), every POLL_SECONDS from beat (`stories.status_poll`).

Each due feed is leased (stories.incidents.feeds: under SKIP LOCKED, so two runs never read the same feed at once),
then fetched with a conditional GET (If-None-Match from the stored ETag, If-Modified-Since from the stored
Last-Modified; stories.incidents.parse). A 304 changes nothing but when the feed was polled (and clears an earlier
error: the page answered). A 200 is parsed before anything is written; its incidents are then recorded
(stories.incidents.record) with the new validators in one transaction.

A feed that cannot be read (no answer, an HTTP error, a body that is not Statuspage JSON, RSS or Atom) keeps
everything it recorded before: its `last_error` says why in a few words, `failures` counts the failed polls in a
row, and its next poll backs off (doubling from POLL_SECONDS up to DESK_MAX_BACKOFF_SECONDS). Every failure is
logged with the feed's id; none is raised into beat.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

import requests
from django.db import transaction
from django.utils import timezone

from channels.http import build_session
from stories.incidents.feeds import feed_failed, feed_read, feed_unchanged, feeds_lease
from stories.incidents.parse import FeedError, feed_fetch
from stories.incidents.record import incidents_record
from stories.models import StatusFeed

logger = logging.getLogger(__name__)

POLL_SECONDS = 120
PER_RUN = 10  # feeds a run reads; each call has the desk's timeout, so a run stays inside the task's time limit


def status_poll(*, now: datetime | None = None, session: requests.Session | None = None) -> dict[str, int]:
    """Poll the enabled feeds that are due. Returns how many were read, unchanged, failed."""
    now = now or timezone.now()
    feeds = feeds_lease(StatusFeed.objects.all(), now=now, limit=PER_RUN)
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


def feed_poll(feed: StatusFeed, *, session: requests.Session, now: datetime) -> str:
    """Read one feed: "read", "unchanged" (304) or "failed"."""
    try:
        fetched = feed_fetch(
            session, feed.url, fmt=feed.format, etag=feed.etag, last_modified=feed.last_modified, now=now
        )
    except FeedError as exc:
        _failed(feed, str(exc), now)
        return "failed"
    if fetched.not_modified:
        feed_unchanged(feed, now=now, interval=POLL_SECONDS)
        return "unchanged"
    with transaction.atomic():
        locked = StatusFeed.objects.select_for_update().get(pk=feed.pk)
        counts = incidents_record(locked, fetched.incidents, now=now)
        feed_read(locked, etag=fetched.etag, last_modified=fetched.last_modified, now=now, interval=POLL_SECONDS)
    if counts:
        logger.info("status feed %s: %s", feed.pk, ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "read"


def _failed(feed: StatusFeed, message: str, now: datetime) -> None:
    feed_failed(feed, message, now=now, interval=POLL_SECONDS, what="status feed")
