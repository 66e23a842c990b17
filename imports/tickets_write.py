"""The old tool's tickets as the desk's (docs/importing.md, "Tickets"): a page at a time, in a fixed number of
statements whatever its size (ids reserved up front, rows streamed with COPY: mentions.set_writes, as the ingest
writes). A ticket already imported is skipped, or, when the old tool changed it since (its updated_at), its
status, priority, subject and solved time are written again and the messages it gained added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from channels.models import Channel
from imports.models import ExternalRef
from imports.people_write import AGENT
from imports.records import INBOUND, OUR_REPLY, PUBLIC, MessageRecord, TicketRecord
from imports.refs import refs_of, refs_restamp, refs_write
from mentions.models import Message, Tag, Ticket
from mentions.set_writes import ids_reserve, rows_copy, rows_insert_new
from people.ingest import platform_of
from people.models import Authorship, Identity, Requester, account_key

TICKET_COLUMNS = (
    "id",
    "channel_id",
    "subject",
    "status",
    "priority",
    "high_priority",
    "requester_handle",
    "requester_name",
    "requested_at",
    "first_reply_at",
    "first_reply_seconds",
    "solved_at",
    "created_at",
    "updated_at",
    "imported",  # history: judged behind the live tickets (mentions.judgement.run)
)
MESSAGE_COLUMNS = (
    "id",
    "ticket_id",
    "channel_id",
    "kind",
    "external_id",
    "thread_external_id",
    "author_handle",
    "author_name",
    "author_user_id",
    "title",
    "body",
    "platform_created_at",
    "created_at",
    "updated_at",
)
CHANGED_FIELDS = (
    "subject",
    "status",
    "priority",
    "high_priority",
    "solved_at",
    "first_reply_at",
    "first_reply_seconds",
)


class _Authors:
    """The page's authors as the desk knows them: end users' identities on the channel, agents' desk users."""

    def __init__(self, source: str, channel: Channel, tickets: list[TicketRecord]) -> None:
        keys = {t.requester_key for t in tickets} | {m.author_key for t in tickets for m in t.messages}
        refs = refs_of(source, ExternalRef.Kind.USER, keys)
        self.agents = {k for k, (_local, _stamp, label) in refs.items() if label == AGENT}
        self.users = {k: local for k, (local, _stamp, label) in refs.items() if label == AGENT and local}
        platform = platform_of(channel)
        wanted = [account_key(k) for k in refs if k not in self.agents]
        self.identities: dict[str, tuple[int, str, str]] = {
            key: (pk, handle, name)
            for key, pk, handle, name in Identity.objects.filter(platform=platform, key__in=wanted).values_list(
                "key", "pk", "handle", "name"
            )
        }

    def kind(self, message: MessageRecord) -> str:
        if message.kind != PUBLIC:
            return message.kind
        return OUR_REPLY if message.author_key in self.agents else INBOUND

    def identity(self, key: str) -> tuple[int, str, str] | None:
        return self.identities.get(account_key(key)) if key else None


def _clock(record: TicketRecord, kinds: list[str]) -> tuple[datetime, datetime | None, int | None]:
    """When it was asked (its first inbound message, else its creation) and first replied to after that."""
    asked = next((m.at for m, k in zip(record.messages, kinds, strict=True) if k == INBOUND), record.created_at)
    reply = next((m.at for m, k in zip(record.messages, kinds, strict=True) if k == OUR_REPLY and m.at >= asked), None)
    return asked, reply, int((reply - asked).total_seconds()) if reply else None


def tag_ids(tickets: list[TicketRecord]) -> dict[str, int]:
    """{tag as written: Tag id}, the missing tags made."""
    slugs = {name: slugify(name, allow_unicode=True)[:64] for t in tickets for name in t.tags}
    slugs = {name: slug for name, slug in slugs.items() if slug}
    if not slugs:
        return {}
    rows_insert_new(Tag, ("name",), [(slug,) for slug in set(slugs.values())])
    ids = dict(Tag.objects.filter(name__in=set(slugs.values())).values_list("name", "pk"))
    return {name: ids[slug] for name, slug in slugs.items()}


def tickets_write(source: str, channel: Channel, records: list[TicketRecord]) -> dict[str, int]:
    """Write a page of tickets; returns {"tickets", "messages", "updated", "skipped"}."""
    by_key = {r.key: r for r in records if r.key}
    known = refs_of(source, ExternalRef.Kind.TICKET, by_key)
    new = [r for k, r in by_key.items() if k not in known]
    changed = {k: r for k, r in by_key.items() if k in known and r.stamp and r.stamp != known[k][1]}
    counts = {"tickets": len(new), "messages": 0, "updated": len(changed)}
    counts["skipped"] = len(by_key) - len(new) - len(changed)
    if not new and not changed:
        return counts
    authors = _Authors(source, channel, [*new, *changed.values()])
    now = timezone.now()
    ids: dict[str, int] = dict(zip((r.key for r in new), ids_reserve(Ticket, len(new)), strict=True))
    ids |= {k: local for k in changed if (local := known[k][0]) is not None}
    ticket_rows: list[tuple[Any, ...]] = []
    message_rows: list[list[Any]] = []
    requesters: list[tuple[int, int]] = []
    for record in [*new, *changed.values()]:
        if record.key not in ids:
            continue
        kinds = [authors.kind(m) for m in record.messages]
        asked, reply, seconds = _clock(record, kinds)
        requester = authors.identity(record.requester_key)
        handle, name = (requester[1], requester[2]) if requester else ("", "")
        ticket_rows.append(
            (ids[record.key], channel.pk, record.subject, record.status, record.priority,
             record.priority in Ticket.HIGH_PRIORITIES, handle[:200], name[:200], asked, reply, seconds,
             record.solved_at, record.created_at, now, True)
        )  # fmt: skip
        if requester and record.key not in changed:
            requesters.append((ids[record.key], requester[0]))
        for position, (message, kind) in enumerate(zip(record.messages, kinds, strict=True)):
            author = authors.identity(message.author_key) if kind == INBOUND else None
            message_rows.append(
                [None, ids[record.key], channel.pk, kind, f"{record.key}/{message.key}", record.key,
                 (author[1] if author else "")[:200], (author[2] if author else "")[:200],
                 authors.users.get(message.author_key), record.subject if position == 0 else "", message.body,
                 message.at, now, now, author[0] if author else None]
            )  # fmt: skip
    counts["messages"] = _messages_write(channel, message_rows, changed)
    rewritten = {ids[k] for k in changed if k in ids}
    rows_copy(Ticket, TICKET_COLUMNS, [row for row in ticket_rows if row[0] not in rewritten])
    _changed_write(changed, ids, ticket_rows)
    rows_copy(Requester, ("ticket_id", "identity_id"), requesters)
    tags = tag_ids(new)
    rows_copy(
        Ticket.tags.through,
        ("ticket_id", "tag_id"),
        list({(ids[r.key], tags[name]) for r in new if r.key in ids for name in r.tags if name in tags}),
    )
    refs_write(source, ExternalRef.Kind.TICKET, [(r.key, ids[r.key], r.stamp, "") for r in new])
    refs_restamp(source, ExternalRef.Kind.TICKET, {k: r.stamp for k, r in changed.items()})
    return counts


def _messages_write(channel: Channel, rows: list[list[Any]], changed: dict[str, TicketRecord]) -> int:
    """The messages (a changed ticket's only those not stored yet), and who wrote the inbound ones."""
    if changed:
        stored = set(
            Message.objects.filter(channel=channel, thread_external_id__in=list(changed)).values_list(
                "external_id", flat=True
            )
        )
        rows = [row for row in rows if row[4] not in stored]
    for row, pk in zip(rows, ids_reserve(Message, len(rows)), strict=True):
        row[0] = pk
    rows_copy(Message, MESSAGE_COLUMNS, [row[:-1] for row in rows])
    rows_copy(Authorship, ("message_id", "identity_id"), [(row[0], row[-1]) for row in rows if row[-1]])
    return len(rows)


def _changed_write(changed: dict[str, TicketRecord], ids: dict[str, int], rows: list[tuple[Any, ...]]) -> None:
    """Tickets the old tool changed since they were imported: their fields as it now says (one UPDATE a batch)."""
    wanted = {ids[k] for k in changed if k in ids}
    if not wanted:
        return
    values = {row[0]: row for row in rows if row[0] in wanted}
    tickets = list(Ticket.objects.filter(pk__in=list(wanted)).only("pk", *CHANGED_FIELDS))
    now = timezone.now()
    for ticket in tickets:
        ticket.updated_at = now  # bulk_update leaves auto_now fields as they were
        row = values[ticket.pk]
        ticket.subject, ticket.status, ticket.priority, ticket.high_priority = row[2], row[3], row[4], row[5]
        ticket.first_reply_at, ticket.first_reply_seconds, ticket.solved_at = row[9], row[10], row[11]
    Ticket.objects.bulk_update(tickets, [*CHANGED_FIELDS, "updated_at"], batch_size=500)
