"""Reading the release sources' feeds, as the status feeds are read (stories.incidents.polling): due sources leased
(SKIP LOCKED), one conditional GET each through the status feeds' reader (stories.incidents.parse.feed_get: the
stored ETag and Last-Modified, the body bounded, entities refused), a 304 changes nothing, a failure keeps what was
recorded, says why in `last_error` and backs off (stories.incidents.feeds). Each release post in the feed is
recorded once as a plan (stories.releases.plans)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime

import requests
from django.db import transaction
from django.utils import timezone

from channels.http import build_session
from stories.incidents.feeds import feed_failed, feed_read, feed_unchanged, feeds_lease
from stories.incidents.parse import FeedError, feed_get
from stories.models import ReleasePlan, ReleaseSource
from stories.releases.plans import plan_record
from stories.releases.posts import feed_posts, slack_post

logger = logging.getLogger(__name__)

POLL_SECONDS = 600  # a blog posts a release a month: ten minutes is early enough for the day before
PER_RUN = 5


def release_sources_poll(*, now: datetime | None = None, session: requests.Session | None = None) -> dict[str, int]:
    """Read the enabled release feeds that are due. Returns how many were read, unchanged, failed, plans made."""
    now = now or timezone.now()
    sources = feeds_lease(ReleaseSource.objects.exclude(feed_url=""), now=now, limit=PER_RUN)
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
    if got.not_modified:
        feed_unchanged(source, now=now, interval=POLL_SECONDS)
        return "unchanged", 0
    made = 0
    with transaction.atomic():
        locked = ReleaseSource.objects.select_for_update().get(pk=source.pk)
        for post in reversed(posts):  # oldest first: plans in the order the blog published them
            plan, new = plan_record(post, source=locked, via=ReleasePlan.Via.FEED, now=now)
            made += new
            if new and plan is not None:
                logger.info("release source %s: plan %s for %s on %s", source.pk, plan.pk, plan.url, plan.release_date)
        feed_read(locked, etag=got.etag, last_modified=got.last_modified, now=now, interval=POLL_SECONDS)
    return "read", made


def _failed(source: ReleaseSource, message: str, now: datetime) -> None:
    feed_failed(source, message, now=now, interval=POLL_SECONDS, what="release source")


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
