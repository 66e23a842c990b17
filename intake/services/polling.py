"""Polling a channel: lease, fetch, ingest, record health. Celery tasks only call these."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from channels.adapters import PermanentError, RateLimited, TransientError, get_adapter
from channels.adapters.adapter import Adapter
from channels.adapters.base import FetchResult, PayloadError
from channels.adapters.registry import platform_of, pushed_kinds
from channels.budget import budget_plan, usage_record
from channels.freshness import poll_interval
from channels.http import build_session
from channels.models import Channel
from intake.hooks import authors_weigh, front_page_seen
from intake.pipeline import IngestResult
from intake.services.competitors import competitors_listen
from intake.services.direct_replies import direct_replies_read
from intake.services.quarantine import mentions_store

logger = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    status: str  # "ok", "locked", "disabled", "transient_error", "failing"
    result: IngestResult | None = None
    error: str = ""


def channels_due(*, now: datetime | None = None) -> list[int]:
    """Ids of enabled, healthy-enough channels whose next poll time has come."""
    now = now or timezone.now()
    return list(
        Channel.objects.filter(enabled=True)
        .exclude(kind__in=pushed_kinds())  # pushed to the desk (POST /hooks/<slug>/): nothing to poll
        .exclude(health=Channel.Health.FAILING)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", flat=True)
    )


def channel_mark_dispatched(*, channel_id: int, now: datetime | None = None) -> bool:
    """Push next_poll_at forward when a poll is enqueued, so the next beat tick does not
    enqueue it again while it waits in the queue. False if someone else dispatched it."""
    now = now or timezone.now()
    channel = Channel.objects.filter(pk=channel_id).only("poll_interval_seconds").first()
    if channel is None:
        return False
    # Until the poll ends and sets the real next time; if the task is lost, the channel is due again then.
    hold = max(channel.poll_interval_seconds or 0, settings.DESK_POLL_FLOOR_SECONDS)
    return bool(
        Channel.objects.filter(pk=channel_id)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .update(next_poll_at=now + timedelta(seconds=hold))
    )


def _lease_acquire(channel_id: int) -> str | None:
    token = str(uuid.uuid4())
    now = timezone.now()
    won = (
        Channel.objects.filter(pk=channel_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_token=token, lease_until=now + timedelta(seconds=settings.DESK_POLL_LEASE_SECONDS))
    )
    return token if won else None


def _lease_release(channel_id: int, token: str, **fields: Any) -> None:
    Channel.objects.filter(pk=channel_id, lease_token=token).update(lease_token="", lease_until=None, **fields)


def backoff_seconds(*, interval: int, failures: int) -> float:
    base = min(settings.DESK_MAX_BACKOFF_SECONDS, max(interval, 30) * 2 ** max(failures - 1, 0))
    return base * random.uniform(0.9, 1.1)  # jitter: channels failing together spread out


def _record_failure(
    channel: Channel, token: str, error: str, *, failing: bool = False, retry_after: float | None = None
) -> float:
    """Record a failed poll on the channel and release its lease. Returns the wait (s)."""
    now = timezone.now()
    failures = channel.consecutive_failures + 1
    wait = 0.0
    if not failing:
        wait = backoff_seconds(interval=channel.poll_interval_seconds or 0, failures=failures)
        wait = max(wait, retry_after or 0)
    _lease_release(
        channel.pk,
        token,
        health=Channel.Health.FAILING if failing else Channel.Health.BACKING_OFF,
        last_error=error[:2000],
        last_error_at=now,
        last_polled_at=now,
        consecutive_failures=failures,
        next_poll_at=None if failing else now + timedelta(seconds=wait),
    )
    return wait


@dataclass
class _Progress:
    """What the chunks of one poll said, summed for the channel's record."""

    reads: int = 0
    more: bool = False
    not_before: datetime | None = None
    platform_status: dict = field(default_factory=dict)
    # Authors whose items did not carry their weight, in the order met: whose karma the poll may look up.
    unweighed: dict[str, None] = field(default_factory=dict)

    def note(self, fetched: FetchResult) -> None:
        self.reads += fetched.reads
        self.unweighed.update((m.author_handle, None) for m in fetched.mentions if m.author_audience is None)
        self.unweighed.pop("", None)
        self.more = fetched.more
        self.platform_status.update(fetched.platform_status)
        if fetched.not_before and (self.not_before is None or fetched.not_before > self.not_before):
            self.not_before = fetched.not_before


def _chunks(adapter: Adapter, channel: Channel) -> Iterator[FetchResult]:
    """The adapter's chunks oldest first (by default its one `fetch`)."""
    yield from adapter.fetch_chunks(channel=channel, session=build_session())


def _karma_look_up(channel: Channel, progress: _Progress) -> None:
    """The authors' karma where the platform's items do not carry it (Hacker News, Reddit): after the pages are
    stored and committed, never inside the ingest's transaction, at most DESK_KARMA_LOOKUPS_PER_POLL requests."""
    budget = settings.DESK_KARMA_LOOKUPS_PER_POLL
    if budget <= 0 or not progress.unweighed or platform_of(channel.kind).karma_lookup is None:
        return
    made = authors_weigh(channel=channel, handles=list(progress.unweighed), session=build_session(), budget=budget)
    if made:
        logger.info("poll: channel=%s looked up %d author(s)' karma", channel.slug, made)


def _lease_renew(channel_id: int, token: str) -> bool:
    until = timezone.now() + timedelta(seconds=settings.DESK_POLL_LEASE_SECONDS)
    return bool(Channel.objects.filter(pk=channel_id, lease_token=token).update(lease_until=until))


def channel_poll(*, channel_id: int) -> PollOutcome:
    """Poll one channel once. Never overlaps another poll of the same channel (a lease that
    expires on its own if the worker dies), never raises for platform errors: they are
    recorded on the channel."""
    token = _lease_acquire(channel_id)
    if token is None:
        return PollOutcome(status="locked")
    channel = Channel.objects.get(pk=channel_id)
    if not channel.enabled:
        _lease_release(channel_id, token)
        return PollOutcome(status="disabled")
    result = IngestResult()
    progress = _Progress()
    try:
        adapter = get_adapter(channel.kind)
        adapter.validate_config(channel.config)
        for fetched in _chunks(adapter, channel):
            # Each chunk is stored with the cursor just after it, so what one poll fetched is
            # kept even if a later chunk of the same poll fails.
            result.add(
                mentions_store(
                    channel=channel, mentions=fetched.mentions, rejected=fetched.rejected, cursor=fetched.cursor
                )
            )
            progress.note(fetched)
            if fetched.front_page_ids is not None:
                front_page_seen(channel=channel, story_ids=fetched.front_page_ids)
            if not _lease_renew(channel_id, token):
                logger.warning("poll: channel=%s lost its lease mid-poll; stopping after this chunk", channel.slug)
                break
        _karma_look_up(channel, progress)
        # The answers to the DMs sent from its tickets, once its own items are stored (intake.services.direct_replies).
        result.add(direct_replies_read(channel=channel, adapter=adapter))
        # Share of voice: one competitor's terms searched, within the budget (intake.services.competitors).
        listened = competitors_listen(
            channel=channel, adapter=adapter, backlog=progress.more, not_before=progress.not_before
        )
        progress.reads += listened.reads
    except PermanentError as exc:
        logger.error("poll: channel=%s kind=%s failing: %s", channel.slug, channel.kind, exc)
        _record_failure(channel, token, str(exc), failing=True)
        return PollOutcome(status="failing", error=str(exc))
    except (TransientError, PayloadError) as exc:
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        wait = _record_failure(channel, token, str(exc), retry_after=retry_after)
        logger.warning(
            "poll: channel=%s kind=%s error #%d, next try in %.0fs: %s",
            channel.slug,
            channel.kind,
            channel.consecutive_failures + 1,
            wait,
            exc,
        )
        return PollOutcome(status="transient_error", error=str(exc))
    except Exception as exc:
        # A bug of ours, not the platform's: back off like a transient error so the channel
        # is retried after a fix, and keep the traceback in the log.
        logger.exception("poll: channel=%s kind=%s unexpected error", channel.slug, channel.kind)
        _record_failure(channel, token, f"Internal error: {exc.__class__.__name__}: {exc}")
        return PollOutcome(status="transient_error", error=str(exc))
    # Timed from the end of the poll, so a slow poll (a backlog, a slow platform) never makes the
    # next one start early or stack behind it.
    done = timezone.now()
    usage = usage_record(channel.usage or {}, reads=progress.reads, now=done)
    channel.platform_status = {**(channel.platform_status or {}), **progress.platform_status}
    base_interval = poll_interval(channel).seconds
    interval = float(base_interval)
    budget = channel.config.get("monthly_read_budget")
    if budget:
        # Slow down, never stop silently: the interval stretches to make the budget last.
        interval = budget_plan(budget=int(budget), usage=usage, base_interval=base_interval, now=done).interval_seconds
    elif progress.more:
        # A backlog larger than one poll: come back soon rather than after the interval.
        interval = min(interval, settings.DESK_BACKLOG_REPOLL_SECONDS)
    next_poll = done + timedelta(seconds=interval)
    if progress.not_before and progress.not_before > next_poll:
        next_poll = progress.not_before
    _lease_release(
        channel_id,
        token,
        health=Channel.Health.OK,
        last_success_at=done,
        last_polled_at=done,
        consecutive_failures=0,
        next_poll_at=next_poll,
        usage=usage,
        platform_status=channel.platform_status,
    )
    logger.info(
        "poll: channel=%s %s%s", channel.slug, result.as_dict(), " (backlog: more to fetch)" if progress.more else ""
    )
    return PollOutcome(status="ok", result=result)
