"""Reading watched threads (mentions.services.watching keeps the list): an expert's answer there closes the
loop even when it does not contain a keyword the channel searches for, and a requester's answer to our reply
is seen.

The beat (`threads_watch_due`) reads each due thread with the adapter's `fetch_thread`, every
`watch_plan(kind).interval_seconds` (so 100 watched threads stay within a stated share of the platform's
budget), and hands the new items to the ingest pipeline: posts by the watched authors, our own accounts, the
team's members (intake.hooks.team_members: experts and desk users' linked accounts) and the requester, answers
to our replies, and the answer the asker accepted, whoever wrote it, once (it may be answered by the community:
intake.pipeline.accepted); the rest of a busy thread (a front-page story's hundreds of comments) is not ours to
ticket. Failures back off, never raise out of the beat. A thread the platform says is gone (adapters' `Gone`: a post
deleted or removed) is watched no more, and the log says so rather than blame the channel's credentials.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels.adapters import AdapterError, RateLimited, get_adapter
from channels.adapters.base import Gone
from channels.adapters.watch import WatchPlan, watch_plan
from channels.http import build_session
from intake.hooks import team_member, team_members
from intake.pipeline import mentions_ingest
from mentions.models import Message, ThreadWatch

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
PER_RUN = 50


def _plan(watch: ThreadWatch) -> WatchPlan:
    # A watch is only started for a platform with a plan (mentions.services.watching.thread_watch_start).
    plan = watch_plan(watch.channel.kind)
    if plan is None:
        raise LookupError(f"{watch.channel.kind} threads are not watched")
    return plan


def _claimed(now: datetime, limit: int) -> list[ThreadWatch]:
    """The due watches, each claimed by moving its next check one interval on (two beats never read the
    same thread twice); expired ones are dropped."""
    ThreadWatch.objects.filter(watch_until__lte=now).delete()
    with transaction.atomic():
        due = list(
            ThreadWatch.objects.select_for_update(skip_locked=True)
            .select_related("channel", "ticket")
            .filter(next_check_at__lte=now)
            .order_by("next_check_at", "pk")[:limit]
        )
        for watch in due:
            plan = _plan(watch)
            ThreadWatch.objects.filter(pk=watch.pk).update(
                next_check_at=now + timedelta(seconds=plan.interval_seconds), updated_at=now
            )
    return due


def _wanted(watch: ThreadWatch, mentions: list[Any]) -> list[Any]:
    """What of the thread belongs to the ticket: posts by the watched authors (the experts asked), by our
    accounts, by any team member (the same decision as the ingest's) or by the requester, answers to our
    replies, and the accepted answer until it is stored as accepted (stored before, it is handed over again to
    be marked). A busy thread's other comments are not."""
    ticket = watch.ticket
    rows = list(Message.objects.filter(ticket_id=ticket.pk).values_list("external_id", "kind", "accepted_at"))
    stored = {external_id: kind for external_id, kind, _ in rows}
    accepted = {external_id for external_id, _, at in rows if at is not None}
    ours = {external_id for external_id, kind in stored.items() if kind == Message.Kind.OUR_REPLY and external_id}
    people = {a.casefold() for a in watch.authors}
    if ticket.requester_handle:
        people.add(ticket.requester_handle.casefold())
    channel = watch.channel
    fresh = [m for m in mentions if m.external_id not in stored]
    team = team_members(kind=channel.kind, handles={m.author_handle for m in fresh if m.author_handle})
    return [
        m
        for m in mentions
        if (m.accepted_answer and m.external_id not in accepted)
        or (
            m.external_id not in stored
            and (
                (m.author_handle or "").casefold() in people
                or m.by_us
                or team_member(m.author_handle, team) is not None
                or channel.is_our_account(m.author_handle)
                or (m.parent_id and m.parent_id in ours)
            )
        )
    ]


def _failed(watch: ThreadWatch, now: datetime, error: str, retry_after: float | None = None) -> None:
    plan = _plan(watch)
    wait = min(MAX_BACKOFF, timedelta(seconds=plan.interval_seconds * 2 ** min(watch.failures + 1, 8)))
    if retry_after:
        wait = max(wait, timedelta(seconds=retry_after))
    ThreadWatch.objects.filter(pk=watch.pk).update(
        failures=F("failures") + 1,
        last_error=error[:300],
        last_checked_at=now,
        next_check_at=now + wait,
        updated_at=now,
    )
    logger.warning(
        "watch: thread %s of ticket %s not read (%s): next try in %s", watch.thread_ref, watch.ticket_id, error, wait
    )


def _gone(watch: ThreadWatch, now: datetime, error: str) -> None:
    """The thread is no longer on the platform: asking again would only be answered the same (the watch ends; the
    next sweep drops it)."""
    ThreadWatch.objects.filter(pk=watch.pk).update(
        last_error=error[:300], last_checked_at=now, watch_until=now, updated_at=now
    )
    logger.info("watch: thread %s of ticket %s is gone on the platform, no longer watched (%s)", watch.thread_ref,
                watch.ticket_id, error)  # fmt: skip


def threads_watch_due(*, now: datetime | None = None, limit: int = PER_RUN) -> dict[str, int]:
    """Read the due watched threads and store what is new there. Never raises."""
    now = now or timezone.now()
    counts = {"read": 0, "stored": 0, "failed": 0, "gone": 0, "requests": 0}
    for watch in _claimed(now, limit):
        adapter = get_adapter(watch.channel.kind)
        try:
            fetched = adapter.fetch_thread(channel=watch.channel, session=build_session(), ref=watch.thread_ref)
            wanted = _wanted(watch, fetched.mentions)
            result = mentions_ingest(channel=watch.channel, mentions=wanted) if wanted else None
        except RateLimited as exc:
            _failed(watch, now, str(exc), exc.retry_after)
            counts["failed"] += 1
            continue
        except Gone as exc:
            _gone(watch, now, str(exc))
            counts["gone"] += 1
            continue
        except AdapterError as exc:
            _failed(watch, now, str(exc))
            counts["failed"] += 1
            continue
        except Exception as exc:  # our bug: logged with its traceback, the watch backs off like a failure
            logger.exception("watch: thread %s of ticket %s failed", watch.thread_ref, watch.ticket_id)
            _failed(watch, now, f"Internal error: {exc.__class__.__name__}")
            counts["failed"] += 1
            continue
        ThreadWatch.objects.filter(pk=watch.pk).update(
            checks=F("checks") + 1, failures=0, last_error="", last_checked_at=now, updated_at=now
        )
        counts["read"] += 1
        counts["requests"] += fetched.requests_made
        counts["stored"] += result.created if result else 0
    return counts
