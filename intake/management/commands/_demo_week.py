"""The demo's week on every channel kind but Hacker News (`seed_demo` runs it): one channel per kind holding
the threads of channels.demo.week, stored through the ingest pipeline, then answered, solved or left waiting
as each thread says. The channels are not polled (there is no platform to poll offline): they are saved
disabled, so no task opens a connection for them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.demo.week import THREADS, thread_mentions
from channels.models import Channel
from intake.pipeline import mentions_ingest
from mentions.models import Tag, Ticket, TicketEvent


def week_channels() -> dict[str, Channel]:
    channels = {}
    for kind, spec in DEMO_CHANNELS.items():
        channel, _ = Channel.objects.get_or_create(
            slug=demo_slug(kind),
            defaults={
                "name": spec["name"],
                "kind": kind,
                "config": spec["config"],
                "our_accounts": spec["our_accounts"],
                "high_priority": spec.get("high_priority", False),
                # Never polled: the samples are all it has (see the module docstring).
                "enabled": False,
            },
        )
        channels[kind] = channel
    return channels


def week_seed(*, now: datetime | None = None, advocate: Any = None) -> int:
    """Store the week's threads (once: a channel with tickets is left alone). Returns the tickets made."""
    now = now or timezone.now()
    channels = week_channels()
    made = 0
    for index, thread in enumerate(THREADS):
        channel = channels[thread.kind]
        root = f"demo-{thread.kind}-{index}"
        if channel.messages.filter(external_id=root).exists():
            continue
        mentions = thread_mentions(thread, index=index, today=now, ours=channel.our_accounts[0])
        if not mentions:
            continue
        mentions_ingest(channel=channel, mentions=mentions)
        ticket = Ticket.objects.filter(channel=channel, messages__external_id=root).first()
        if ticket is None:
            continue
        made += 1
        _outcome(ticket, thread, advocate)
    return made


def _outcome(ticket: Ticket, thread: Any, advocate: Any) -> None:
    if ticket.priority_set(thread.priority):
        Ticket.objects.filter(pk=ticket.pk).update(priority=ticket.priority, high_priority=ticket.high_priority)
    for name in thread.tags:
        ticket.tags.add(Tag.objects.get_or_create(name=name)[0])
    if thread.outcome == "solved":
        last = ticket.messages.order_by("-platform_created_at").values_list("platform_created_at", flat=True).first()
        solved_at = (last or ticket.requested_at) + timedelta(minutes=20)
        Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SOLVED, solved_at=solved_at, assignee=advocate)
        event = TicketEvent.objects.create(
            ticket=ticket, actor=advocate, kind=TicketEvent.Kind.STATUS, data={"from": "pending", "to": "solved"}
        )
        TicketEvent.objects.filter(pk=event.pk).update(created_at=solved_at)
