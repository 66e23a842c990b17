"""Merging a ticket into another: the same conversation reached the desk twice (a reply that
did not thread, the same person on two channels).

Decisions (docs/desk.md, "A ticket's life cycle"):
- The source's messages, history, outreaches and watched threads move to the target; its tags are
  added to the target. Two open outreaches to the same expert (one on each) become one: experts'
  merge hook (experts.merging) keeps the one further along and closes the other as merged.
  The source's first-reply breach, if any, stays on the source: it was that clock's.
- The target's conversation started when the earliest of the two did, and was first answered
  when the earliest reply of the two was made: requested_at and the first reply are the
  earliest of both, and the clock is recomputed from them.
- The source is solved, marked merged (its page redirects to the target) and keeps no first
  reply (its reply now belongs to the target): KPIs count it as a ticket closed without a reply,
  and count each reply once. The rollups follow through their triggers, so every KPI figure
  still equals its exact computation.
- The target takes the higher priority of the two. If our reply is the latest message of the
  merged conversation the target waits on the requester (pending); otherwise, if the source was
  waiting on us and the target was not, the target reopens.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mentions.models import Message, ThreadWatch, Ticket, TicketEvent
from mentions.services.editing import priority_change
from mentions.services.events import (
    WAITING_ON_REQUESTER,
    ensure_can_act,
    event_record,
    first_reply_set,
    status_after_reply,
    status_set,
)
from mentions.services.merge_hooks import merge_hooks_run
from mentions.services.sla import SlaContext, breach_on_first_reply, sla_breach_events_insert
from mentions.services.versions import version_check

PRIORITY_RANK = {p: i for i, p in enumerate(Ticket.Priority.values)}  # low < normal < high < urgent


def _locked_pair(source_id: int, target_id: int) -> tuple[Ticket, Ticket]:
    # Lock in id order: two merges of the same pair in opposite directions never deadlock.
    rows = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("channel")
        .filter(pk__in=[source_id, target_id])
        .order_by("pk")
    }
    if source_id not in rows or target_id not in rows:
        raise ValidationError(f"There is no ticket #{target_id if source_id in rows else source_id}.")
    return rows[source_id], rows[target_id]


def ticket_merge(
    *, source: Ticket, target_id: int, user: Any, reason: str = "", seen_version: int | None = None
) -> Ticket:
    """Merge `source` into ticket `target_id`; returns the target. `seen_version`: the source's version the
    advocate saw (versions.py)."""
    reason = (reason or "").strip()
    if target_id == source.pk:
        raise ValidationError("A ticket cannot be merged into itself.")
    with transaction.atomic():
        source, target = _locked_pair(source.pk, target_id)
        version_check(ticket=source, seen_version=seen_version)
        for ticket in (source, target):
            ensure_can_act(ticket=ticket, user=user)
        if source.merged_into_id:
            raise ValidationError(f"#{source.pk} was merged into #{source.merged_into_id} already.")
        if target.merged_into_id:
            raise ValidationError(f"#{target.pk} was merged into #{target.merged_into_id}: merge into that one.")

        moved_messages = Message.objects.filter(ticket=source).update(ticket=target)
        moved_events = (
            TicketEvent.objects.filter(ticket=source).exclude(kind=TicketEvent.Kind.SLA_BREACHED).update(ticket=target)
        )
        # Outreaches belong to experts (which builds on mentions): its hook first combines two open ones to
        # the same expert (one open per ticket and expert), then they move through the relation.
        hooked = merge_hooks_run(source=source, target=target, user=user)
        moved_outreaches = source.outreaches.update(ticket=target)
        _watches_move(source, target)
        tags = list(source.tags.all())
        target.tags.add(*tags)

        _conversation_times(source, target)
        if PRIORITY_RANK[source.priority] > PRIORITY_RANK[target.priority]:
            priority_change(ticket=target, priority=source.priority, actor=user, via=f"merge of #{source.pk}")
        latest = target.messages.exclude(kind=Message.Kind.NOTE).order_by("-platform_created_at", "-pk").first()
        if latest is not None and latest.kind == Message.Kind.OUR_REPLY:
            # Our reply is the latest message of the merged conversation: it waits on the requester.
            status_set(ticket=target, status=status_after_reply(target.status), actor=user, reason=WAITING_ON_REQUESTER)
        elif source.is_waiting and not target.is_waiting:
            status_set(ticket=target, status=Ticket.Status.OPEN, actor=user, reason=f"merged #{source.pk} was waiting")
        if not target.reply_draft and source.reply_draft:
            target.reply_draft = source.reply_draft
        if source.followup_at and (target.followup_at is None or source.followup_at < target.followup_at):
            target.followup_at = source.followup_at if target.assignee_id else None
        SlaContext().apply(target, [t.name for t in target.tags.all()])
        if breach_on_first_reply(target):
            sla_breach_events_insert([target])
        target.save()

        status_set(ticket=source, status=Ticket.Status.SOLVED, actor=user, reason=f"merged into #{target.pk}")
        source.merged_into = target
        source.first_reply_at = source.first_reply_seconds = source.first_reply_business_seconds = None
        source.served_to = source.served_view = None
        source.followup_at = None
        source.reply_draft = ""
        source.save()

        event_record(ticket=source, kind=TicketEvent.Kind.MERGED_INTO, actor=user, into=target.pk, reason=reason)
        event_record(
            ticket=target,
            kind=TicketEvent.Kind.MERGED,
            actor=user,
            source=source.pk,
            reason=reason,
            messages=moved_messages,
            events=moved_events,
            outreaches=moved_outreaches,
            tags=[t.name for t in tags],
            at=timezone.now().isoformat(),
            **hooked,
        )
    return target


def _watches_move(source: Ticket, target: Ticket) -> None:
    """The source's watched threads are watched for the target (an expert's answer in the source's thread
    still closes the loop); one the target watches already keeps the later end and both author lists."""
    for watch in ThreadWatch.objects.select_for_update().filter(ticket=source).order_by("pk"):
        same = (
            ThreadWatch.objects.select_for_update()
            .filter(ticket=target, thread_ref=watch.thread_ref, reason=watch.reason)
            .first()
        )
        if same is None:
            watch.ticket = target
            watch.save(update_fields=["ticket", "updated_at"])
            continue
        same.watch_until = max(same.watch_until, watch.watch_until)
        same.next_check_at = min(same.next_check_at, watch.next_check_at)
        same.authors = sorted({*same.authors, *watch.authors})
        same.save(update_fields=["watch_until", "next_check_at", "authors", "updated_at"])
        watch.delete()


def _conversation_times(source: Ticket, target: Ticket) -> None:
    """The target's request and first reply become the earliest of both (in memory)."""
    replies = [t.first_reply_at for t in (source, target) if t.first_reply_at is not None]
    target.requested_at = min(source.requested_at, target.requested_at)
    target.first_reply_at = None
    target.first_reply_seconds = target.first_reply_business_seconds = None
    if replies:
        first_reply_set(ticket=target, at=min(replies))
