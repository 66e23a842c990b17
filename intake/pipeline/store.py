"""Stages 6, 8 and 10, store: the page's new tickets, changed stored tickets, messages, the rules' notes and
tags, each written as one set (mentions.set_writes: COPY on PostgreSQL). Ticket and message ids are
taken in stage 6, before the authors and triage (rules name the ticket in their replies and Slack lines;
the people hook ties messages to their authors); the messages are written in stage 8, while the rules
run; the rest in stage 10, once triage and the clocks shaped the rows."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from channels.clean import media_stored
from intake.pipeline.page import TICKET_ROW_COLUMNS, Page, TicketRow, ticket_id
from mentions.models import Message, ReplyWait, Ticket, TicketEvent
from mentions.services.next_reply import breach_events, next_reply_answer
from mentions.services.snooze import wake_remind
from mentions.set_writes import ids_reserve, rows_copy, rows_copy_begin, rows_insert_new

TICKET_COLUMNS = ("id", *TICKET_ROW_COLUMNS, "created_at", "updated_at")
# What the stages may change on a stored ticket.
TICKET_CHANGES = (
    "status",
    "priority",
    "high_priority",
    "reply_draft",
    "reply_from_role",
    "first_reply_at",
    "first_reply_seconds",
    "first_reply_business_seconds",
    "solved_at",
    "sla_breached",
    "followup_at",
    "snoozed_until",
    "snoozed_until_reply",
    "next_reply_due_at",
)
MESSAGE_COLUMNS = (
    "id",
    "ticket_id",
    "channel_id",
    "kind",
    "external_id",
    "parent_external_id",
    "thread_external_id",
    "author_handle",
    "author_name",
    "author_url",
    "title",
    "body",
    "permalink",
    "platform_created_at",
    "raw",
    "mentioned",
    "media",
    "edited_at",
    "deleted_at",
    "accepted_at",
    "created_at",
    "updated_at",
)
NOTE_COLUMNS = (
    "id",
    "ticket_id",
    "channel_id",
    "kind",
    "author_name",
    "body",
    "platform_created_at",
    "created_at",
    "updated_at",
)


def ids_take(page: Page) -> None:
    """The page's new tickets' and messages' ids, before any stage names them (the rules, the people hook)."""
    for ticket, pk in zip(page.new_tickets, ids_reserve(Ticket, len(page.new_tickets)), strict=True):
        ticket.pk = pk
    for item, pk in zip(page.items, ids_reserve(Message, len(page.items)), strict=True):
        item.pk = pk


def _tickets_write(page: Page) -> None:
    now = page.now
    rows_copy(
        Ticket,
        TICKET_COLUMNS,
        [
            tuple(
                now if c in ("created_at", "updated_at") else getattr(t, "pk" if c == "id" else c)
                for c in TICKET_COLUMNS
            )
            for t in page.new_tickets
        ],
    )
    changed = [t for t in page.stored_tickets.values() if t.changed]
    if not changed:
        return
    if connection.vendor != "postgresql":
        for ticket in changed:
            Ticket.objects.filter(pk=ticket.pk).update(
                updated_at=now, **{c: getattr(ticket, c) for c in TICKET_CHANGES}
            )
        return
    # One UPDATE ... FROM unnest(arrays) for the whole page (a CASE per field and row otherwise).
    sets = ", ".join(f"{c} = v.{c}" for c in TICKET_CHANGES)
    arrays = ", ".join(f"%s::{Ticket._meta.get_field(c).db_type(connection)}[]" for c in TICKET_CHANGES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} t SET {sets}, updated_at = %s "  # noqa: S608 - model table and columns
            f"FROM unnest(%s::bigint[], {arrays}) AS v(id, {', '.join(TICKET_CHANGES)}) WHERE t.id = v.id",
            [now, [t.pk for t in changed], *([getattr(t, c) for t in changed] for c in TICKET_CHANGES)],
        )


def messages_begin(page: Page) -> Callable[[], None]:
    """Start the COPY of the page's messages (their ids taken by ids_take); the pipeline triages meanwhile
    and calls the returned function before its next query (mentions.set_writes.rows_copy_begin)."""
    now, channel_id = page.now, page.channel.pk
    rows = []
    for item in page.items:
        m = item.mention
        rows.append(
            (
                item.pk,
                ticket_id(item.ticket),
                channel_id,
                item.kind,
                m.external_id,
                m.parent_id,
                m.thread_id,
                m.author_handle,
                m.author_name,
                m.author_url,
                m.title,
                m.text,
                m.permalink,
                m.created_at,
                m.raw,
                list(m.mentioned),
                media_stored(m.media),
                m.edited_at,
                now if m.deleted else None,
                now if m.accepted_answer else None,
                now,
                now,
            )
        )
    return rows_copy_begin(Message, MESSAGE_COLUMNS, rows)


def _notes_write(page: Page) -> None:
    notes, now, channel_id = page.notes, page.now, page.channel.pk
    note_rows = []
    for (ticket, author_name, body, rule), pk in zip(notes, ids_reserve(Message, len(notes)), strict=True):
        note_rows.append((pk, ticket.pk, channel_id, Message.Kind.NOTE, author_name, body, now, now, now))
        page.rule_events.append((ticket.pk, TicketEvent.Kind.NOTE, {"rule": rule, "message_id": pk}))
    rows_copy(Message, NOTE_COLUMNS, note_rows)


def _tags_write(page: Page) -> None:
    tickets: list[TicketRow] = [t for t in (*page.new_tickets, *page.stored_tickets.values()) if t.tags]
    if not tickets:
        return
    tags = page.tag_ids  # resolved by triage
    through = Ticket.tags.through
    # A follow-up's rules may name a tag its ticket already has: no second "tag added".
    stored = [t.pk for t in tickets if not t.new]
    present = set(
        through.objects.filter(ticket_id__in=stored, tag_id__in=tags.values()).values_list("ticket_id", "tag_id")
        if stored
        else ()
    )
    rows = []
    for ticket in tickets:
        for name, rule in ticket.tags.items():
            key = (ticket.pk, tags[name])
            if key in present:
                continue
            present.add(key)
            rows.append(key)
            page.rule_events.append((ticket.pk, TicketEvent.Kind.TAG_ADDED, {"tag": name, "rule": rule}))
    rows_insert_new(through, ("ticket_id", "tag_id"), rows)


def store(page: Page) -> None:
    """The rows that triage and the clocks shaped: tickets, the rules' notes and tags (the page's
    messages went in already: messages_begin)."""
    _tickets_write(page)
    _notes_write(page)
    _tags_write(page)
    _waits_write(page)


def _waits_write(page: Page) -> None:
    """The next-reply waits the follow-ups started and our replies ended; the Slack reminders of the snoozed
    tickets a follow-up woke (queued in this transaction, like every Slack line)."""
    if page.wait_answers:
        # First: a page's reply ends the stored wait before the page's later follow-up starts the next one.
        next_reply_answer(page.wait_answers, coverage=page.coverage, now=page.now)
    running = [w for w in page.waits if w.answered_at is None]
    answered = [w for w in page.waits if w.answered_at is not None]
    if running:
        # The one-open-wait constraint: a wait already running on the ticket is kept, never doubled.
        ReplyWait.objects.bulk_create(running, ignore_conflicts=True)
    if answered:
        # Started and answered within this page (a catch-up): closed rows, their ids for the breach events.
        ReplyWait.objects.bulk_create(answered)
        page.events.extend((e.ticket_id, e.kind, e.data) for e in breach_events(answered, now=page.now))
    if page.woken:
        wake_remind(page.woken)
