"""The demo's month before its week (`seed_demo` runs it after the week): channels.demo.month's posts stored on the
demo's channels of eight public platforms through the ingest (`mentions_ingest`), as a poll would have stored them,
so each becomes a ticket with its messages, its author tied to a person (people's ingest hook: a member posting again
is the same person), and our reply as its first reply, timed against the coverage schedule by the pipeline. Then each
thread is given its outcome as the week's are (`_demo_week._outcome`): its tags (with their history events, which the
rising tags count) and solved.

Nothing is judged here: the ingest queues the judgement of the new tickets once it commits, and the worker judges them
as any ticket, behind the week's (queued before). So the month's sentiment and intent are the desk's own judgement,
not written by the demo. Added once (a desk that has the month's posts is left as it is), and only where the week is
read (DESK_DEMO_REPLAY): a `make demo-reset` adds nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.demo.month import KINDS, MONTH_PREFIX, MonthPost, month_posts, post_mentions
from channels.models import Channel
from intake.pipeline import mentions_ingest
from mentions.models import Message, Tag, Ticket, TicketEvent


def month_seed(*, advocate: Any = None, today: datetime | None = None) -> int:
    """Store the month on the demo channels that exist. Returns the tickets made (0 when it was there already)."""
    if not settings.DESK_DEMO_REPLAY or Message.objects.filter(external_id__startswith=MONTH_PREFIX).exists():
        return 0
    channels = {c.kind: c for c in Channel.objects.filter(slug__in=[demo_slug(kind) for kind in KINDS])}
    posts = [p for p in month_posts(today or timezone.now()) if p.kind in channels]
    for kind, channel in channels.items():
        ours = DEMO_CHANNELS[kind].get("account_username") or channel.our_accounts[0]
        mentions = [m for post in posts if post.kind == kind for m in post_mentions(post, ours=ours)]
        mentions_ingest(channel=channel, mentions=sorted(mentions, key=lambda m: (m.created_at, m.external_id)))
    with transaction.atomic():
        return _outcomes(posts, advocate)


def _outcomes(posts: list[MonthPost], advocate: Any) -> int:
    """Tags and solved, set-based: a few statements for the whole month."""
    ticket_of = dict(
        Message.objects.filter(external_id__in=[p.root for p in posts], ticket__isnull=False).values_list(
            "external_id", "ticket_id"
        )
    )
    tickets = Ticket.objects.in_bulk(list(ticket_of.values()))
    tags = {name: Tag.objects.get_or_create(name=name)[0] for post in posts for name in post.tags}
    through = Ticket.tags.through
    links, events, solved = [], [], []
    for post in posts:
        ticket = tickets.get(ticket_of.get(post.root, 0))
        if ticket is None:
            continue
        handled = post.at + (post.reply_after or post.solved_after)
        for name in post.tags:
            links.append(through(ticket_id=ticket.pk, tag_id=tags[name].pk))
            events.append(
                TicketEvent(ticket=ticket, actor=advocate, kind=TicketEvent.Kind.TAG_ADDED, data={"tag": name})
            )
            events[-1].created_at = handled
        ticket.status, ticket.solved_at, ticket.assignee = Ticket.Status.SOLVED, post.at + post.solved_after, advocate
        ticket.next_reply_due_at = None
        solved.append(ticket)
        was = "pending" if post.reply_after is not None else "open"
        events.append(
            TicketEvent(ticket=ticket, actor=advocate, kind=TicketEvent.Kind.STATUS, data={"from": was, "to": "solved"})
        )
        events[-1].created_at = ticket.solved_at
    when = [event.created_at for event in events]
    through.objects.bulk_create(links, ignore_conflicts=True)
    Ticket.objects.filter(pk__in=[t.pk for t in solved]).update(
        status=Ticket.Status.SOLVED, assignee=advocate, next_reply_due_at=None
    )
    made = TicketEvent.objects.bulk_create(events, batch_size=1000)
    # Each ticket's solved time and each event's time in the month (auto_now_add wrote the time of seeding): one
    # parameterised statement each, run for every row (Django's bulk_update builds a CASE per row, seconds here).
    _times_set(Ticket, "solved_at", [(t.solved_at, t.pk) for t in solved])
    _times_set(TicketEvent, "created_at", [(at, event.pk) for event, at in zip(made, when, strict=True)])
    return len(solved)


def _times_set(model: Any, field: str, rows: list[tuple[datetime | None, int]]) -> None:
    table, column = model._meta.db_table, model._meta.get_field(field).column
    connection = connections[router.db_for_write(model)]
    values = [(connection.ops.adapt_datetimefield_value(at), pk) for at, pk in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", values)  # noqa: S608  (names from _meta)
