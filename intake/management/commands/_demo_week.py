"""The demo's week on every channel kind but Hacker News (`seed_demo` runs it): one channel per kind, polled
through its real adapter against the demo network (channels.demo.replay: each platform's API answered on this
machine from the threads of channels.demo.week), the webhook's posts pushed through the receiving service; then
each thread is answered, solved or left waiting as it says.

The channels stay enabled, so beat polls them like any channel and the week's later posts (a thread opened this
morning) arrive when their time comes. Without DESK_DEMO_REPLAY (`make run` sets it) no connection is tried: a
channel made then is made paused, and one made before (by `make run`) is left as it was, polled or not."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings

from channels.adapters.webhook.platform import PLATFORM as WEBHOOK
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.demo.week import THREADS, Thread
from channels.models import Channel
from intake.services.demo_webhooks import demo_webhooks_deliver
from intake.services.polling import channel_poll
from mentions.models import Message, Tag, Ticket, TicketEvent
from mentions.services.next_reply import ticket_next_reply_solved

from ._demo_products import products_seed

logger = logging.getLogger(__name__)
DEMO_POLL_SECONDS = 300


def week_channels() -> dict[str, tuple[Channel, bool]]:
    """Each kind's demo channel, and whether it was made now (with its product: _demo_products)."""
    products = products_seed()
    channels = {}
    for kind, spec in DEMO_CHANNELS.items():
        channel, made = Channel.objects.get_or_create(
            slug=demo_slug(kind),
            defaults={
                "name": spec["name"],
                "kind": kind,
                "config": spec["config"],
                "our_accounts": spec["our_accounts"],
                "high_priority": spec.get("high_priority", False),
                "enabled": settings.DESK_DEMO_REPLAY,
                # Read every 5 minutes: after the first read a week's replay only brings today's later posts, and
                # the log keeps a readable pace (a line per poll; Hacker News replays a new mention every 5 min).
                "poll_interval_seconds": DEMO_POLL_SECONDS,
                "product_id": products.get(kind),
            },
        )
        if made and spec.get("credentials"):
            channel.credentials = spec["credentials"]
            channel.save(update_fields=["credentials_encrypted"])
        channels[kind] = (channel, made)
    return channels


def week_seed(*, advocate: Any = None) -> int:
    """Read the week on each new demo channel (a channel made before is left alone) and give each thread its
    outcome. Returns the tickets made."""
    channels = week_channels()
    if not settings.DESK_DEMO_REPLAY:
        made_now = sum(made for _, made in channels.values())
        logger.info(
            "demo: DESK_DEMO_REPLAY is off: %d demo channels made now (paused), %d left as they were; none read now",
            made_now,
            len(channels) - made_now,
        )
        return 0
    demo_accounts_ensure()  # our accounts, connected to reply from the desk (the replays answer them)
    made = 0
    for kind, (channel, new) in channels.items():
        if not new:
            continue
        if kind == WEBHOOK.kind:  # pushed: the week's posts are delivered as its sender would
            demo_webhooks_deliver(channel)
        else:
            outcome = channel_poll(channel_id=channel.pk)
            if outcome.status != "ok":
                logger.warning("demo: the %s channel's first read failed: %s", kind, outcome.error)
        for thread in (t for t in THREADS if t.kind == kind):
            ticket = _thread_ticket(channel, thread)
            if ticket is not None:
                made += 1
                _outcome(ticket, thread, advocate)
    return made


def opening_words(thread: Thread) -> str:
    """What the opening post's message begins with, whatever its parser makes of the rest (`_thread_ticket`)."""
    return thread.text[:48]


def _thread_ticket(channel: Channel, thread: Thread) -> Ticket | None:
    """The ticket the thread's opening post made, found by the post's first words: the replays send the week's texts
    as written, and a parser may rewrite what follows (Mastodon adds what its images show; GitHub's Markdown image
    becomes "[image: alt]")."""
    opening = Message.objects.filter(channel=channel, body__startswith=opening_words(thread)).order_by("id")
    ticket_id = opening.values_list("ticket_id", flat=True).first()
    return Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None


def _outcome(ticket: Ticket, thread: Any, advocate: Any) -> None:
    if ticket.priority_set(thread.priority):
        Ticket.objects.filter(pk=ticket.pk).update(priority=ticket.priority, high_priority=ticket.high_priority)
    for name in thread.tags:
        ticket.tags.add(Tag.objects.get_or_create(name=name)[0])
    if thread.outcome == "solved":
        last = ticket.messages.order_by("-platform_created_at").values_list("platform_created_at", flat=True).first()
        solved_at = (last or ticket.requested_at) + timedelta(minutes=20)
        # As solving from the desk does: an asker's last "thanks" after our answer needs no next reply.
        ticket_next_reply_solved(ticket=ticket)
        Ticket.objects.filter(pk=ticket.pk).update(
            status=Ticket.Status.SOLVED, solved_at=solved_at, assignee=advocate, next_reply_due_at=None
        )
        event = TicketEvent.objects.create(
            ticket=ticket, actor=advocate, kind=TicketEvent.Kind.STATUS, data={"from": "pending", "to": "solved"}
        )
        TicketEvent.objects.filter(pk=event.pk).update(created_at=solved_at)
