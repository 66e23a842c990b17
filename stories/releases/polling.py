"""Reading the release sources' feeds, as the status feeds are read (stories.status_feeds): due sources leased
(SKIP LOCKED), one conditional GET each through the status feeds' reader (stories.status_parse.feed_get: the
stored ETag and Last-Modified, MAX_BYTES, entities refused), a 304 changes nothing, a failure keeps what was
recorded, says why in `last_error` and backs off (stories.status_feeds.backoff). Each release post in the feed is
recorded once as a plan (stories.releases.plans)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime, timedelta

import requests
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.http import build_session
from stories.models import ReleasePlan, ReleaseSource
from stories.releases.plans import plan_record
from stories.releases.posts import feed_posts, slack_post
from stories.status_feeds import backoff
from stories.status_parse import FeedError, feed_get

logger = logging.getLogger(__name__)

POLL_SECONDS = 600  # a blog posts a release a month: ten minutes is early enough for the day before
LEASE = timedelta(minutes=10)
PER_RUN = 5


def release_sources_poll(*, now: datetime | None = None, session: requests.Session | None = None) -> dict[str, int]:
    """Read the enabled release feeds that are due. Returns how many were read, unchanged, failed, plans made."""
    now = now or timezone.now()
    sources = _lease(now)
    if not sources:
        return {}
    session = session or build_session()
    outcomes: Counter[str] = Counter()
    for source in sources:
        try:
            outcome, made = source_poll(source, session=session, now=now)
        except Exception:  # one source's bug must not stop the others, nor beat
            logger.exception("release source %s: the poll failed", source.pk)
            _failed(source, "The feed could not be read (an error in the desk: see the log).", now)
            outcome, made = "failed", 0
        outcomes[outcome] += 1
        outcomes["plans_made"] += made
    return {k: v for k, v in outcomes.items() if v}


def _lease(now: datetime) -> list[ReleaseSource]:
    with transaction.atomic():
        due = list(
            ReleaseSource.objects.select_for_update(skip_locked=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now), enabled=True)
            .exclude(feed_url="")
            .order_by(F("next_poll_at").asc(nulls_first=True), "pk")[:PER_RUN]
        )
        ReleaseSource.objects.filter(pk__in=[s.pk for s in due]).update(next_poll_at=now + LEASE)
    return due


def source_poll(source: ReleaseSource, *, session: requests.Session, now: datetime) -> tuple[str, int]:
    """Read one source's feed: ("read" | "unchanged" | "failed", plans made)."""
    try:
        got = feed_get(
            session, source.feed_url, etag=source.etag, last_modified=source.last_modified, what="The blog's feed"
        )
        posts = [] if got.not_modified else feed_posts(got.body, got.content_type, pattern=source.title_pattern)
    except FeedError as exc:
        _failed(source, str(exc), now)
        return "failed", 0
    following = now + timedelta(seconds=POLL_SECONDS)
    if got.not_modified:
        ReleaseSource.objects.filter(pk=source.pk).update(
            polled_at=now, next_poll_at=following, last_error="", failures=0
        )
        return "unchanged", 0
    made = 0
    with transaction.atomic():
        locked = ReleaseSource.objects.select_for_update().get(pk=source.pk)
        for post in reversed(posts):  # oldest first: plans in the order the blog published them
            plan, new = plan_record(post, source=locked, via=ReleasePlan.Via.FEED, now=now)
            made += new
            if new and plan is not None:
                logger.info("release source %s: plan %s for %s on %s", source.pk, plan.pk, plan.url, plan.release_date)
        locked.etag, locked.last_modified = got.etag, got.last_modified
        locked.polled_at, locked.next_poll_at, locked.last_error, locked.failures = now, following, "", 0
        locked.save(
            update_fields=["etag", "last_modified", "polled_at", "next_poll_at", "last_error", "failures", "updated_at"]
        )
    return "read", made


def _failed(source: ReleaseSource, message: str, now: datetime) -> None:
    wait = backoff(source.failures + 1)
    ReleaseSource.objects.filter(pk=source.pk).update(
        last_error=message[:500], failures=F("failures") + 1, polled_at=now, next_poll_at=now + wait
    )
    logger.warning("release source %s: %s (next poll in %ss)", source.pk, message, int(wait.total_seconds()))


def slack_release_message(*, channel_id: str, text: str, now: datetime | None = None) -> ReleasePlan | None:
    """A message in a source's Slack channel that carries a link (and, when the source's pattern is set, reads like
    a release: "release", a version) records the post it links as a plan. None when it is not such a message."""
    sources = list(ReleaseSource.objects.filter(enabled=True, slack_channel=channel_id))
    post = slack_post(text) if sources else None
    if post is None:
        return None
    for source in sources:
        matcher = re.compile(source.title_pattern or ".", re.IGNORECASE)
        if matcher.search(text) or matcher.search(post.url):
            plan, _made = plan_record(post, source=source, via=ReleasePlan.Via.SLACK, now=now)
            return plan
    return None
