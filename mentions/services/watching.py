"""Watching a ticket's thread on the platform: the rows that say which thread to read, for whom and until
when. A watch starts when an outreach is opened (experts, with the experts' handles) and when our reply is
recorded (for DESK_WATCH_AFTER_REPLY_HOURS); it ends when its time is up or, for an outreach, when experts
stops it (answered or declined). Reading the due threads and storing what is new there is intake's
(intake.services.watching): the desk only keeps the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from channels.adapters import get_adapter
from channels.adapters.watch import watch_plan
from mentions.models import Message, ThreadWatch, Ticket


def _root(ticket: Ticket) -> Message | None:
    return (
        Message.objects.filter(ticket=ticket, kind=Message.Kind.INBOUND)
        .order_by("platform_created_at", "id")
        .only("external_id", "thread_external_id", "raw")
        .first()
    )


def thread_watch_start(
    *, ticket: Ticket, reason: str, until: datetime, authors: Iterable[str] = (), now: datetime | None = None
) -> ThreadWatch | None:
    """Watch the ticket's thread until `until` (extended if already watched). None when the platform's
    threads cannot be read (X, e-mail, webhooks) or the ticket has no thread."""
    channel = ticket.channel
    adapter = get_adapter(channel.kind)
    plan = watch_plan(channel.kind)
    root = _root(ticket)
    if plan is None or root is None or not adapter.reads_threads:
        return None
    ref = adapter.thread_ref(
        root.external_id or "", root.thread_external_id or "", root.raw if isinstance(root.raw, dict) else {}
    )
    if not ref:
        return None
    now = now or timezone.now()
    handles = sorted({a.strip().lstrip("@") for a in authors if a and a.strip()})
    watch, made = ThreadWatch.objects.get_or_create(
        ticket=ticket,
        thread_ref=ref,
        reason=reason,
        defaults={
            "channel": channel,
            "authors": handles,
            "watch_until": until,
            "next_check_at": now + timedelta(seconds=plan.interval_seconds),
        },
    )
    if not made:
        watch.watch_until = max(watch.watch_until, until)
        watch.authors = sorted({*watch.authors, *handles})
        watch.save(update_fields=["watch_until", "authors", "updated_at"])
    return watch


def thread_watch_stop(*, ticket_ids: Iterable[int], reason: str) -> int:
    deleted, _ = ThreadWatch.objects.filter(ticket_id__in=list(ticket_ids), reason=reason).delete()
    return deleted


def thread_watch_after_reply(*, ticket: Ticket, at: datetime | None = None) -> ThreadWatch | None:
    at = at or timezone.now()
    until = at + timedelta(hours=settings.DESK_WATCH_AFTER_REPLY_HOURS)
    return thread_watch_start(ticket=ticket, reason=ThreadWatch.Reason.AFTER_REPLY, until=until)
