"""Slack routing: new tickets (and rule notifications) go to Slack through an outbox.

Ingest writes one `SlackNotice` row per (destination, ticket, kind) in its own transaction,
so a mention that is stored is never lost for Slack and is never queued twice. The flush
(notifications.tasks, beat every 10 s, and kicked after an ingest commits) posts them:

- per destination, it claims up to MAX_LINES pending rows (FOR UPDATE SKIP LOCKED, then a
  conditional UPDATE to `sending`, which also keeps SQLite correct) and posts ONE message
  listing them: a burst of 50 mentions is 2 messages;
- at most one post per destination per second (a cache slot shared by all workers), at most
  MAX_POSTS_PER_DESTINATION posts per destination per flush;
- 429: the rows wait for Retry-After, and so does every other row of that destination;
- 5xx, Slack's internal errors, a connection that never opened: retried with backoff, then
  failed after MAX_ATTEMPTS; a bad token: kept pending, retried every 10 minutes;
- a permanent refusal (channel_not_found, not_in_channel…): failed, with Slack's readable
  message shown in admin ("Send again" re-queues after the fix);
- never posted twice: a row is posted only from `sending`, which only the claimer holds.
  When Slack may have accepted a message but we do not know (the answer timed out, the
  connection dropped mid-request, or a worker died between posting and recording it), the
  rows become `unknown` instead of being posted again: a human checks the Slack channel and
  uses "Send again" if it is missing.

Without SLACK_BOT_TOKEN the flush posts nothing and leaves every row pending (logged once).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from urllib3.exceptions import NewConnectionError

from channels.adapters.slack import client as slack
from channels.adapters.slack.client import slack_escape, slack_link, slack_post_message
from mentions.set_writes import rows_insert_new
from notifications.models import SlackNotice
from notifications.rows import backoff_seconds

if TYPE_CHECKING:
    from channels.models import Channel
    from mentions.models import Ticket

logger = logging.getLogger(__name__)

MAX_LINES = 25  # tickets per message
MAX_CHARS = 12_000  # per message; Slack refuses 40,000 and reads badly long before
MAX_POSTS_PER_DESTINATION = 3  # per flush; the next flush (10 s) takes the rest
MIN_INTERVAL_SECONDS = 1  # Slack allows about one message per second per channel
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 600
CONFIG_RETRY_SECONDS = 600
SENDING_TIMEOUT = timedelta(minutes=10)  # far beyond one HTTP call; a row still sending then is orphaned
SUBJECT_CHARS = 120
DM_HEADERS = {"reminder": "{count} snoozed ticket{s} back", "expert": "{count} expert ask{s} to follow up"}
# A bad token or scope: nothing is wrong with the rows, they go out once an admin fixes it.
CONFIG_CODES = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "missing_scope"}


# --- Lines --------------------------------------------------------------------------------


def ticket_line(*, ticket: Ticket, channel: Channel, permalink: str = "", rule: str = "") -> str:
    subject = " ".join(ticket.subject.split())
    if len(subject) > SUBJECT_CHARS:
        subject = subject[: SUBJECT_CHARS - 1] + "…"
    line = "• " + (f"[{slack_escape(rule)}] " if rule else "")
    line += (
        f"{slack_link(ticket.get_desk_url(), f'#{ticket.pk}')} {slack_escape(channel.name)}: {slack_escape(subject)}"
    )
    if permalink:
        line += f" ({slack_link(permalink, 'original')})"
    return line


# --- Enqueue (inside the ingest transaction) ----------------------------------------------


def slack_notices_enqueue(
    *, channel: Channel, new_tickets: list[tuple[Any, str]], rule_notices: Sequence[tuple[str, Any, str, str]] = ()
) -> int:
    """Queue the channel's mirror line for each new ticket (ticket, permalink) and the lines
    rules asked for (destination, ticket, rule, permalink), tickets being anything with `pk`,
    `subject` and `get_desk_url` (the ingest's rows). One statement; a line already queued
    for the same destination, ticket and kind is skipped. Returns how many were offered."""
    rows = []
    if channel.slack_channel:
        rows = [
            (
                channel.slack_channel,
                ticket.pk,
                SlackNotice.Kind.NEW_TICKET,
                ticket_line(ticket=ticket, channel=channel, permalink=permalink),
            )
            for ticket, permalink in new_tickets
        ]
    rows.extend(
        (
            destination,
            ticket.pk,
            SlackNotice.Kind.RULE,
            ticket_line(ticket=ticket, channel=channel, permalink=permalink, rule=rule),
        )
        for destination, ticket, rule, permalink in rule_notices
    )
    if not rows:
        return 0
    rows_insert_new(SlackNotice, ("destination", "ticket_id", "kind", "text"), rows)
    flush_after_commit()
    return len(rows)


def notice_queue(*, destination: str, ticket_id: int, kind: str, text: str, thread_ts: str = "") -> str:
    """Queue one line outside the ingest (a macro's post; with `thread_ts`, a reply in that Slack thread):
    "queued"; "updated" when the same destination, ticket and kind already waited in the outbox (its text is
    replaced: one message, the newer words); "already" when that line has left the outbox (sent, failed or
    unknown: not posted twice)."""
    existing = (
        SlackNotice.objects.filter(destination=destination, ticket_id=ticket_id, kind=kind)
        .values_list("pk", "status")
        .first()
    )
    if existing is None:
        row = (destination, ticket_id, kind, text, thread_ts)
        rows_insert_new(SlackNotice, ("destination", "ticket_id", "kind", "text", "thread_ts"), [row])
        outcome = "queued"
    elif existing[1] == SlackNotice.Status.PENDING and SlackNotice.objects.filter(
        pk=existing[0], status=SlackNotice.Status.PENDING
    ).update(text=text, updated_at=timezone.now()):
        outcome = "updated"
    else:
        return "already"
    flush_after_commit()
    return outcome


def share_queue(*, destination: str, ticket_id: int, text: str) -> str:
    """Queue a share from the ticket page (notifications.share), posted as its own message: "queued", or
    "updated" when a share of this ticket to that channel still waits (a double click or a second thought:
    one message, the newer words). Once posted, sharing again is a new message."""
    waiting = SlackNotice.objects.filter(
        destination=destination, ticket_id=ticket_id, kind=SlackNotice.Kind.SHARE, status=SlackNotice.Status.PENDING
    )
    if waiting.update(text=text, updated_at=timezone.now()):
        outcome = "updated"
    else:
        SlackNotice.objects.create(destination=destination, ticket_id=ticket_id, kind=SlackNotice.Kind.SHARE, text=text)
        outcome = "queued"
    flush_after_commit()
    return outcome


def flush_after_commit() -> None:
    """The flush asked for once the rows just queued are committed (without a bot token nothing could post them), by
    name: services never import the task modules that call them."""
    if settings.SLACK_BOT_TOKEN:
        from celery import current_app

        transaction.on_commit(lambda: current_app.send_task("notifications.slack_flush", expires=60), robust=True)


# --- Flush --------------------------------------------------------------------------------


@dataclass
class FlushResult:
    messages: int = 0  # Slack messages posted
    sent: int = 0  # rows they carried
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    no_token: bool = False


def _due(now: datetime) -> Q:
    return Q(status=SlackNotice.Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def slack_outbox_flush(*, now: datetime | None = None) -> FlushResult:
    """Post what is due, batched per destination. Safe to run concurrently."""
    now = now or timezone.now()
    result = FlushResult()
    result.unknown += _orphans_mark(now)
    if not settings.SLACK_BOT_TOKEN:
        result.no_token = True
        if SlackNotice.objects.filter(status=SlackNotice.Status.PENDING).exists():
            slack.slack_unconnected_said("the outbox's notices stay pending until it is")
        return result
    destinations = (
        SlackNotice.objects.filter(_due(now)).order_by("destination").values_list("destination", flat=True).distinct()
    )
    for destination in list(destinations):
        _flush_destination(destination, now, result)
    return result


def _orphans_mark(now: datetime) -> int:
    """Rows a worker claimed and never finished (it died mid-post): Slack may have them."""
    return SlackNotice.objects.filter(status=SlackNotice.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT).update(
        status=SlackNotice.Status.UNKNOWN,
        last_error="A worker stopped while posting this: it may or may not be in Slack. Check the channel and use "
        "“Send again” if it is missing.",
        updated_at=now,
    )


def _flush_destination(destination: str, now: datetime, result: FlushResult) -> None:
    for _ in range(MAX_POSTS_PER_DESTINATION):
        if _blocked_until(destination, now):
            return
        batch = _claim(destination, now)
        if not batch:
            return
        if not _take_slot(destination):
            _release(batch, now, delay=0, error="", count_attempt=False)
            return
        try:
            ts, channel_id = slack_post_message(channel=destination, text=_compose(batch), thread_ts=batch[0].thread_ts)
        except slack.SlackRateLimited as exc:
            _rate_limited(destination, batch, now, exc.retry_after)
            result.retrying += len(batch)
            return
        except slack.SlackTransient as exc:
            if _maybe_delivered(exc):
                _finish(batch, SlackNotice.Status.UNKNOWN, now, error=_unknown_message(destination, exc))
                result.unknown += len(batch)
            else:
                result.failed += _retry_later(batch, now, exc)
                result.retrying += len(batch)
            return
        except slack.SlackError as exc:
            if exc.code in CONFIG_CODES:
                _release(batch, now, delay=CONFIG_RETRY_SECONDS, error=exc.message)
                result.retrying += len(batch)
            else:
                result.failed += _fail_destination(destination, batch, now, exc.message)
            logger.warning("slack outbox: %s refused: %s", destination, exc.message)
            return
        _finish(batch, SlackNotice.Status.SENT, now, ts=ts, channel_id=channel_id)
        result.messages += 1
        result.sent += len(batch)


def _claim(destination: str, now: datetime) -> list[SlackNotice]:
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = list(
            SlackNotice.objects.select_for_update(skip_locked=True)
            .filter(_due(now), destination=destination)
            .order_by("id")
            .values_list("id", "kind", "thread_ts")[:MAX_LINES]
        )
        if not due:
            return []
        # A share is someone's own message: posted alone, in its turn, never under a "new mentions" header.
        # Otherwise one message is one place: the channel, or one thread (a ticket's link where it came from).
        share = SlackNotice.Kind.SHARE
        first_id, first_kind, first_thread = due[0]
        if first_kind == share:
            ids = [first_id]
        else:
            ids = [pk for pk, kind, thread_ts in due if kind != share and thread_ts == first_thread]
        SlackNotice.objects.filter(pk__in=ids, status=SlackNotice.Status.PENDING).update(
            status=SlackNotice.Status.SENDING, claim_token=token, claimed_at=timezone.now(), updated_at=now
        )
    rows = list(SlackNotice.objects.filter(claim_token=token, status=SlackNotice.Status.SENDING).order_by("id"))
    # Keep the message a readable size; what does not fit goes in the next one.
    kept: list[SlackNotice] = []
    size = 0
    for row in rows:
        size += len(row.text) + 1
        if kept and size > MAX_CHARS:
            break
        kept.append(row)
    if len(kept) < len(rows):
        _release(rows[len(kept) :], now, delay=0, error="", count_attempt=False)
    return kept


def _compose(batch: list[SlackNotice]) -> str:
    if batch[0].kind == SlackNotice.Kind.SHARE:
        return batch[0].text  # claimed alone (_claim)
    if batch[0].thread_ts:  # an answer in a thread says itself what it is
        return "\n".join(row.text for row in batch)
    count, kinds = len(batch), {row.kind for row in batch}
    said = DM_HEADERS.get(kinds.pop()) if len(kinds) == 1 else None
    header = f"*{(said or '{count} new mention{s}').format(count=count, s='s' if count != 1 else '')}*"
    return header + "\n" + "\n".join(row.text for row in batch)


def _take_slot(destination: str) -> bool:
    """One post per destination per second, across every worker (the cache is shared)."""
    key = f"slack-outbox:slot:{destination}"
    deadline = time.monotonic() + 3 * MIN_INTERVAL_SECONDS
    while not cache.add(key, 1, timeout=MIN_INTERVAL_SECONDS):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _blocked_until(destination: str, now: datetime) -> bool:
    until = cache.get(f"slack-outbox:blocked:{destination}")
    return until is not None and until > now.timestamp()


def _rate_limited(destination: str, batch: list[SlackNotice], now: datetime, retry_after: int) -> None:
    until = now + timedelta(seconds=retry_after)
    cache.set(f"slack-outbox:blocked:{destination}", until.timestamp(), timeout=retry_after + 60)
    _release(batch, now, delay=retry_after, error=f"Slack asked us to wait {retry_after} s (rate limit)")
    # Every other row of this destination waits too.
    SlackNotice.objects.filter(destination=destination, status=SlackNotice.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=until)
    ).update(next_attempt_at=until, updated_at=now)
    logger.info("slack outbox: %s rate limited, waiting %ss", destination, retry_after)


def _ids(batch: list[SlackNotice]) -> list[int]:
    return [row.pk for row in batch]


def _release(batch: list[SlackNotice], now: datetime, *, delay: int, error: str, count_attempt: bool = True) -> None:
    SlackNotice.objects.filter(pk__in=_ids(batch), status=SlackNotice.Status.SENDING).update(
        status=SlackNotice.Status.PENDING,
        claim_token="",
        next_attempt_at=now + timedelta(seconds=delay) if delay else None,
        attempts=F("attempts") + (1 if count_attempt else 0),
        last_error=error,
        updated_at=now,
    )


def _finish(
    batch: list[SlackNotice], status: str, now: datetime, *, error: str = "", ts: str = "", channel_id: str = ""
) -> None:
    fields: dict[str, Any] = {
        "status": status,
        "attempts": F("attempts") + 1,
        "last_error": error,
        "updated_at": now,
    }
    if status == SlackNotice.Status.SENT:
        fields.update(sent_at=timezone.now(), slack_ts=ts, slack_channel_id=channel_id)
    SlackNotice.objects.filter(pk__in=_ids(batch), status=SlackNotice.Status.SENDING).update(**fields)


def _retry_later(batch: list[SlackNotice], now: datetime, exc: Exception) -> int:
    """Back off, or give up after MAX_ATTEMPTS. Returns how many rows failed for good."""
    attempts = max(row.attempts for row in batch) + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(
            batch, SlackNotice.Status.FAILED, now, error=f"Slack stayed unavailable after {attempts} attempts ({exc})"
        )
        return len(batch)
    delay = backoff_seconds(attempts, cap=MAX_BACKOFF_SECONDS)
    _release(batch, now, delay=delay, error=f"{exc}: trying again in {delay} s (attempt {attempts})")
    return 0


def _fail_destination(destination: str, batch: list[SlackNotice], now: datetime, message: str) -> int:
    """A refusal that will repeat for every row of this destination: fail them all with it."""
    _finish(batch, SlackNotice.Status.FAILED, now, error=message)
    others = SlackNotice.objects.filter(destination=destination, status=SlackNotice.Status.PENDING).update(
        status=SlackNotice.Status.FAILED, last_error=message, updated_at=now
    )
    return len(batch) + others


def _maybe_delivered(exc: slack.SlackTransient) -> bool:
    """True when the request may have reached Slack (so posting again could duplicate it)."""
    cause = exc.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return False
    if isinstance(cause, requests.ConnectionError):
        reason = cause.args[0] if cause.args else None
        inner = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        return not isinstance(inner, NewConnectionError)  # never connected: safe to retry
    return isinstance(cause, requests.Timeout)  # a read timeout: Slack may have posted it


def _unknown_message(destination: str, exc: Exception) -> str:
    return (
        f"{exc} while posting to {destination}: Slack may or may not have posted it, so it is not sent again "
        "automatically. Check the channel and use “Send again” if it is missing."
    )
