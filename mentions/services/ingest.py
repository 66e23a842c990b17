"""Store normalised mentions: idempotently, threaded, in one transaction with the cursor."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from channels.adapters.base import IncomingMention
from channels.models import Channel
from channels.text import clean_text, safe_url
from mentions.coverage import coverage_load
from mentions.models import Message, Ticket, TicketEvent
from mentions.services.events import WAITING_ON_REQUESTER, first_reply_set
from mentions.services.ingest_hooks import team_answers_record, team_member, team_members
from mentions.services.rules import rules_apply
from mentions.services.sla import SlaContext, breach_on_first_reply, sla_breach_events_insert
from mentions.services.slack_outbox import slack_notices_enqueue

logger = logging.getLogger(__name__)

_LOOKUP_CHUNK = 5000
_EXTERNAL_ID_MAX = Message._meta.get_field("external_id").max_length
_URL_MAX = Message._meta.get_field("permalink").max_length


@dataclass
class IngestResult:
    received: int = 0
    created: int = 0
    duplicates: int = 0
    tickets_created: int = 0
    threaded: int = 0
    our_replies: int = 0
    # Items kept in the dead-letter table instead of stored (channels.quarantine).
    quarantined: int = 0
    # Stored items whose text changed on the platform since (an edit, with or without a time).
    edited: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: IngestResult) -> None:
        """Sum another batch's figures into this one (a poll that stores several chunks)."""
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


class _NewTicket:
    """A ticket opened by this batch; it gets its id at bulk insert."""

    __slots__ = ("ticket",)

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket


_TicketRef = int | _NewTicket | None


_MAX_LENGTHS = {
    (model, f.name): f.max_length for model in (Message, Ticket) for f in model._meta.fields if f.max_length
}


def _fit(value: str, field: str, model: type = Message) -> str:
    return value[: _MAX_LENGTHS[model, field]]


def _url(value: str) -> str:
    url = safe_url(value)
    return url if len(url) <= _URL_MAX else ""


def _scrub(value: Any) -> Any:
    """PostgreSQL cannot store NUL in text or jsonb: drop it from every string of a raw payload."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _raw(value: dict[str, Any]) -> dict[str, Any]:
    # Almost no payload has a NUL: one C-speed dump finds out before walking the whole tree.
    return _scrub(value) if "\\u0000" in json.dumps(value) else value


def _valid(mention: IncomingMention, channel: Channel) -> bool:
    if not mention.external_id or len(mention.external_id) > _EXTERNAL_ID_MAX:
        logger.warning(
            "ingest: channel=%s dropped an item with an unusable external id %r", channel.slug, mention.external_id[:80]
        )
        return False
    if mention.created_at is None or timezone.is_naive(mention.created_at):
        logger.warning("ingest: channel=%s item %s has no aware created time", channel.slug, mention.external_id)
        return False
    return True


def _existing_ids(channel: Channel, ids: list[str]) -> dict[str, int | None]:
    """external id -> ticket id (None for stored messages outside any ticket)."""
    found: dict[str, int | None] = {}
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        found.update(
            Message.objects.filter(channel=channel, external_id__in=chunk).values_list("external_id", "ticket_id")
        )
    return found


def mentions_ingest(
    *, channel: Channel, mentions: list[IncomingMention], cursor: dict[str, Any] | None = None
) -> IngestResult:
    """Store `mentions` for `channel` and, if given, save `cursor`, all in one transaction.

    Safe to call again with the same items: (channel, external id) is unique and already
    stored items are counted as duplicates. A follow-up whose parent or thread is in a
    ticket joins that ticket; a message by one of our accounts is our reply and never opens
    a ticket.
    """
    result = IngestResult(received=len(mentions))
    with transaction.atomic():
        # One ingest per channel at a time (a poll and an operator's backfill may overlap):
        # the duplicate check below is only exact while nobody else inserts for this channel.
        Channel.objects.select_for_update().filter(pk=channel.pk).values_list("pk", flat=True).first()

        unique: dict[str, IncomingMention] = {}
        valid = 0
        for mention in mentions:
            if _valid(mention, channel):
                valid += 1
                unique.setdefault(mention.external_id, mention)
        known = _existing_ids(channel, list(unique))
        fresh = sorted(
            (m for m in unique.values() if m.external_id not in known),
            key=lambda m: (m.created_at, m.external_id),
        )
        # Unusable items (logged in _valid) are neither created nor duplicates.
        result.duplicates = valid - len(fresh)

        refs = {r for m in fresh for r in (m.parent_id, m.thread_id, *m.related_ids) if r and r not in unique}
        ref_map: dict[str, _TicketRef] = dict(known)
        ref_map.update(_existing_ids(channel, list(refs)))
        hints = {m.ticket_hint for m in fresh if m.ticket_hint}
        if hints:
            for ticket_id in Ticket.objects.filter(channel=channel, pk__in=hints).values_list("pk", flat=True):
                ref_map[f"#ticket:{ticket_id}"] = ticket_id

        coverage = lru_cache(maxsize=1)(coverage_load)  # loaded only if a first reply is seen
        sla = lru_cache(maxsize=1)(lambda: SlaContext(coverage=coverage()))  # only if a ticket opens

        # Experts answering on the platform count as our team (registered by experts: ingest_hooks).
        expert_ids = team_members(kind=channel.kind, handles={m.author_handle for m in fresh})
        expert_rows: list[tuple[int, int]] = []  # (row index, expert id)

        new_tickets: list[_NewTicket] = []
        rows: list[tuple[IncomingMention, str, _TicketRef]] = []
        followed: dict[int, list[IncomingMention]] = {}
        replied: dict[int, IncomingMention] = {}
        marked = _marked_replies(channel, fresh, ref_map, expert_ids)
        linked: list[tuple[Message, IncomingMention]] = []
        # Per ticket, this batch's latest message of ours and of the requester's side: a ticket
        # whose latest message is ours waits on the requester (pending).
        ours_latest: dict[Any, datetime] = {}
        inbound_latest: dict[Any, datetime] = {}
        for mention in fresh:
            ref = _thread_ref(mention, ref_map)
            if isinstance(ref, int) and ref in marked:
                same = _marked_match(marked[ref], mention)
                if same is not None:
                    # Our reply, already recorded in the desk ("mark replied" with its link):
                    # the same message, now with its platform id, not a second reply.
                    marked[ref].remove(same)
                    linked.append((same, mention))
                    ref_map[mention.external_id] = ref
                    result.duplicates += 1
                    continue
            expert_id = team_member(mention.author_handle, expert_ids) if expert_ids else None
            if expert_id is not None:
                expert_rows.append((len(rows), expert_id))
            if mention.by_us or expert_id is not None or channel.is_our_account(mention.author_handle):
                kind = Message.Kind.OUR_REPLY
                result.our_replies += 1
                if isinstance(ref, _NewTicket):
                    first_reply_set(ticket=ref.ticket, at=mention.created_at, coverage=coverage())
                elif isinstance(ref, int):
                    earliest = replied.get(ref)
                    if earliest is None or mention.created_at < earliest.created_at:
                        replied[ref] = mention
            elif ref is not None:
                kind = Message.Kind.INBOUND
                result.threaded += 1
                if isinstance(ref, int) and not mention.deleted:
                    followed.setdefault(ref, []).append(mention)
            elif mention.deleted:
                # Already deleted when we first see it: nothing to answer, so no ticket; it is
                # stored so that replies to it still thread.
                kind = Message.Kind.INBOUND
            else:
                kind = Message.Kind.INBOUND
                ref = _NewTicket(_ticket_for(channel, mention))
                sla().apply(ref.ticket)
                new_tickets.append(ref)
            ref_map[mention.external_id] = ref
            rows.append((mention, kind, ref))
            if ref is not None:
                latest = ours_latest if kind == Message.Kind.OUR_REPLY else inbound_latest
                if mention.created_at >= latest.get(ref, mention.created_at):
                    latest[ref] = mention.created_at

        # Our reply in the same batch may already be late (a backfill): flagged before insert.
        late = [n.ticket for n in new_tickets if breach_on_first_reply(n.ticket)]
        answered_new = [n for n in new_tickets if _waiting_on_requester(ours_latest.get(n), inbound_latest.get(n))]
        for n in answered_new:
            n.ticket.status = Ticket.Status.PENDING
        if new_tickets:
            Ticket.objects.bulk_create([n.ticket for n in new_tickets], batch_size=1000)
        result.tickets_created = len(new_tickets)

        messages = [_message_for(channel, mention, kind, ref) for mention, kind, ref in rows]
        Message.objects.bulk_create(messages, batch_size=1000)
        result.created = len(messages)

        events = [
            TicketEvent(
                ticket=n.ticket, kind=TicketEvent.Kind.CREATED, data={"external_id": n.ticket._first_external_id}
            )
            for n in new_tickets
        ]
        events.extend(
            TicketEvent(
                ticket=n.ticket,
                kind=TicketEvent.Kind.STATUS,
                data={"from": Ticket.Status.NEW, "to": Ticket.Status.PENDING, "reason": WAITING_ON_REQUESTER},
            )
            for n in answered_new
        )
        for mention, kind, ref in rows:
            ticket_id = ref.ticket.pk if isinstance(ref, _NewTicket) else ref
            if ticket_id is None or (
                isinstance(ref, _NewTicket) and ref.ticket._first_external_id == mention.external_id
            ):
                continue
            event_kind = TicketEvent.Kind.OUR_REPLY_SEEN if kind == Message.Kind.OUR_REPLY else TicketEvent.Kind.MESSAGE
            events.append(
                TicketEvent(
                    ticket_id=ticket_id,
                    kind=event_kind,
                    data={"external_id": mention.external_id, "author": mention.author_handle},
                )
            )
        existing_ours = {ref: at for ref, at in ours_latest.items() if isinstance(ref, int)}
        updated_events, late_existing = _update_existing(followed, replied, existing_ours, coverage)
        events.extend(updated_events)
        if expert_rows:
            events.extend(team_answers_record(replies=[(messages[i], e) for i, e in expert_rows]))
        _link_marked(linked)
        seen_again = [m for m in unique.values() if m.external_id in known]
        edit_events = _apply_edits(channel, seen_again)
        result.edited = sum(1 for e in edit_events if e.kind == TicketEvent.Kind.MESSAGE_EDITED)
        events.extend(edit_events)
        rescored = _refresh_story_signals(channel, seen_again)
        TicketEvent.objects.bulk_create(events, batch_size=1000)
        sla_breach_events_insert(late + late_existing)

        if new_tickets:
            by_external_id = {m.external_id: m for m in messages}
            _triage_new(channel, [(n.ticket, by_external_id[n.ticket._first_external_id]) for n in new_tickets])
        if followed:
            _triage_followups(channel, followed, messages)

        if cursor is not None:
            Channel.objects.filter(pk=channel.pk).update(cursor=cursor)
            channel.cursor = cursor

        # Urgency and the SLA clock are judged after commit, on the tickets' state then (triage
        # rules run inside this transaction and may tag or prioritise them).
        touched = [n.ticket.pk for n in new_tickets] + sorted(set(followed) | rescored)
        if touched:
            from mentions.services.urgency import tickets_ingested_enqueue

            tickets_ingested_enqueue(ticket_ids=touched)
    return result


def _triage_new(channel: Channel, items: list[tuple[Ticket, Message]]) -> None:
    """Triage rules, then the Slack outbox, for the tickets this batch opened. Each runs in a
    savepoint: whatever goes wrong in them is logged and the mentions are stored regardless."""
    notices = []
    try:
        with transaction.atomic():
            notices = rules_apply(items=items)
    except Exception:  # a broken rule must never stop ingestion
        logger.exception(
            "ingest: channel=%s triage rules failed; %d ticket(s) stored without them", channel.slug, len(items)
        )
        notices = []
    try:
        with transaction.atomic():
            slack_notices_enqueue(channel=channel, items=items, rule_notices=notices)
    except Exception:  # Slack routing is best effort next to storing the mentions
        logger.exception("ingest: channel=%s Slack notices not queued for %d ticket(s)", channel.slug, len(items))


def _triage_followups(channel: Channel, followed: dict[int, list[IncomingMention]], messages: list[Message]) -> None:
    """Follow-ups run through the triage rules like new mentions (a security report that arrives
    as a reply gets its tag, priority and clock), and their Slack lines are queued. In a
    savepoint, like `_triage_new`: a broken rule never stops ingestion."""
    stored = {m.external_id: m for m in messages if m.kind == Message.Kind.INBOUND}
    tickets = Ticket.objects.select_related("channel").in_bulk(list(followed))
    items = [
        (tickets[ticket_id], stored[mention.external_id])
        for ticket_id, mentions in followed.items()
        if ticket_id in tickets
        for mention in mentions
        if mention.external_id in stored
    ]
    try:
        with transaction.atomic():
            notices = rules_apply(items=items)
            if notices:
                slack_notices_enqueue(channel=channel, items=[], rule_notices=notices)
    except Exception:  # a broken rule must never stop ingestion
        logger.exception(
            "ingest: channel=%s triage rules failed on %d follow-up(s); stored without them", channel.slug, len(items)
        )


def _apply_edits(channel: Channel, seen_again: list[IncomingMention]) -> list[TicketEvent]:
    """Items the platform reports deleted or edited since we stored them: a deleted item keeps
    its text and ticket and is marked; an edit replaces the text and keeps the old one in the
    event history."""
    candidates = {m.external_id: m for m in seen_again}
    if not candidates:
        return []
    events: list[TicketEvent] = []
    changed: list[Message] = []
    now = timezone.now()
    for message in Message.objects.filter(channel=channel, external_id__in=list(candidates)).only(
        "id", "ticket_id", "external_id", "kind", "body", "edited_at", "deleted_at"
    ):
        mention = candidates[message.external_id]
        if mention.deleted:
            if message.deleted_at is not None:
                continue
            message.deleted_at = now
            kind, data = TicketEvent.Kind.MESSAGE_DELETED, {"external_id": message.external_id}
        else:
            text = clean_text(mention.text)
            if not _changed(message, mention, text):
                continue
            data = {"external_id": message.external_id, "previous_text": message.body[:5000]}
            message.body = text
            # A platform that reports no edit time (Disqus posts/update, a saved file fed again)
            # still changed the text: the edit is dated when we saw it.
            message.edited_at = mention.edited_at or now
            kind = TicketEvent.Kind.MESSAGE_EDITED
        message.updated_at = now
        changed.append(message)
        if message.ticket_id:
            events.append(TicketEvent(ticket_id=message.ticket_id, kind=kind, data=data))
    if changed:
        Message.objects.bulk_update(changed, ["body", "edited_at", "deleted_at", "updated_at"], batch_size=500)
    return events


def _changed(message: Message, mention: IncomingMention, text: str) -> bool:
    """Whether an item seen again carries an edit of its stored text.

    With an edit time from the platform, any difference is the edit. Without one, the text is
    compared too, but not where a difference is no edit: an empty text (a listing that omits
    bodies), a shortened excerpt of the stored text (search results' blurbs), or our own reply,
    which the platform may show with its links rewritten."""
    if text == message.body:
        return False
    if mention.edited_at is not None:
        return True
    if not text or message.kind == Message.Kind.OUR_REPLY:
        return False
    excerpt = text.rstrip(".… \n")
    return not (excerpt and message.body.startswith(excerpt))


def _marked_replies(
    channel: Channel, fresh: list[IncomingMention], ref_map: dict[str, _TicketRef], expert_ids: Any
) -> dict[int, list[Message]]:
    """Replies recorded in the desk without a platform id ("mark replied" with a link), by
    ticket, for the tickets our replies in this batch thread into."""
    tickets = set()
    for mention in fresh:
        ours = mention.by_us or channel.is_our_account(mention.author_handle)
        ours = ours or bool(expert_ids and team_member(mention.author_handle, expert_ids) is not None)
        ref = _thread_ref(mention, ref_map)
        if ours and isinstance(ref, int):
            tickets.add(ref)
    if not tickets:
        return {}
    found: dict[int, list[Message]] = {}
    for message in Message.objects.filter(
        ticket_id__in=tickets, kind=Message.Kind.OUR_REPLY, external_id__isnull=True
    ).exclude(permalink=""):
        found.setdefault(message.ticket_id, []).append(message)
    return found


def _marked_match(candidates: list[Message], mention: IncomingMention) -> Message | None:
    """The desk-recorded reply whose link is this item: the same permalink, or a link naming
    the item's id (advocates paste links in other forms: x.com vs twitter.com, ?s=20...)."""
    for message in candidates:
        if mention.permalink and message.permalink == mention.permalink:
            return message
    if len(mention.external_id) >= 5:
        named = re.compile(rf"(?<![0-9A-Za-z]){re.escape(mention.external_id)}(?![0-9A-Za-z])")
        for message in candidates:
            if named.search(message.permalink):
                return message
    return None


def _link_marked(linked: list[tuple[Message, IncomingMention]]) -> None:
    if not linked:
        return
    for message, mention in linked:
        message.external_id = mention.external_id
        message.parent_external_id = _fit(mention.parent_id, "parent_external_id")
        message.thread_external_id = _fit(mention.thread_id, "thread_external_id")
        message.author_handle = message.author_handle or _fit(mention.author_handle, "author_handle")
        message.raw = _raw(mention.raw)
        message.mentioned = list(mention.mentioned)
        message.updated_at = timezone.now()
    Message.objects.bulk_update(
        [m for m, _ in linked],
        ["external_id", "parent_external_id", "thread_external_id", "author_handle", "raw", "mentioned", "updated_at"],
        batch_size=500,
    )


_STORY_SIGNALS = ("_tags", "points", "num_comments")


def _refresh_story_signals(channel: Channel, seen_again: list[IncomingMention]) -> set[int]:
    """A Hacker News story seen again (in the poll overlap, or a backfill) may have reached the
    front page or gained points since we stored it: keep its raw item current, so urgency
    (mentions.services.urgency) sees it. Returns the tickets whose story changed."""
    if channel.kind != Channel.Kind.HACKERNEWS:
        return set()
    fresh = {m.external_id: m for m in seen_again if isinstance(m.raw, dict) and m.raw.get("points") is not None}
    if not fresh:
        return set()
    changed: list[Message] = []
    for message in Message.objects.filter(channel=channel, external_id__in=list(fresh)).only(
        "id", "ticket_id", "external_id", "raw"
    ):
        raw = fresh[message.external_id].raw
        if any(raw.get(k) != (message.raw or {}).get(k) for k in _STORY_SIGNALS):
            message.raw = {**(message.raw or {}), **{k: raw.get(k) for k in _STORY_SIGNALS if k in raw}}
            message.updated_at = timezone.now()
            changed.append(message)
    if not changed:
        return set()
    Message.objects.bulk_update(changed, ["raw", "updated_at"], batch_size=500)
    tickets = {m.ticket_id for m in changed if m.ticket_id}
    # The urgency sweep looks at recently changed tickets.
    Ticket.objects.filter(pk__in=tickets).update(updated_at=timezone.now())
    return tickets


def _thread_ref(mention: IncomingMention, ref_map: dict[str, _TicketRef]) -> _TicketRef:
    for key in (mention.parent_id, mention.thread_id, *mention.related_ids):
        if key and ref_map.get(key) is not None:
            return ref_map[key]
    return ref_map.get(f"#ticket:{mention.ticket_hint}") if mention.ticket_hint else None


def _ticket_for(channel: Channel, mention: IncomingMention) -> Ticket:
    subject = mention.title or mention.text.split("\n", 1)[0]
    ticket = Ticket(
        channel=channel,
        subject=_fit(clean_text(subject), "subject", Ticket) or f"Mention {mention.external_id}",
        status=Ticket.Status.NEW,
        priority=Ticket.Priority.HIGH if channel.high_priority else Ticket.Priority.NORMAL,
        high_priority=channel.high_priority,
        requester_handle=_fit(mention.author_handle, "requester_handle", Ticket),
        requester_name=_fit(mention.author_name or mention.author_handle, "requester_name", Ticket),
        requester_url=_url(mention.author_url),
        requested_at=mention.created_at,
    )
    ticket._first_external_id = mention.external_id
    return ticket


def _message_for(channel: Channel, mention: IncomingMention, kind: str, ref: _TicketRef) -> Message:
    ticket_id = ref.ticket.pk if isinstance(ref, _NewTicket) else ref
    return Message(
        ticket_id=ticket_id,
        channel=channel,
        kind=kind,
        external_id=mention.external_id,
        parent_external_id=_fit(mention.parent_id, "parent_external_id"),
        thread_external_id=_fit(mention.thread_id, "thread_external_id"),
        author_handle=_fit(clean_text(mention.author_handle), "author_handle"),
        author_name=_fit(clean_text(mention.author_name), "author_name"),
        author_url=_url(mention.author_url),
        title=_fit(clean_text(mention.title), "title"),
        body=clean_text(mention.text),
        permalink=_url(mention.permalink),
        platform_created_at=mention.created_at,
        edited_at=mention.edited_at,
        deleted_at=timezone.now() if mention.deleted else None,
        mentioned=list(mention.mentioned),
        raw=_raw(mention.raw),
    )


def _waiting_on_requester(ours: datetime | None, inbound: datetime | None) -> bool:
    """Our reply is the latest message (an inbound message at the same second came first)."""
    return ours is not None and (inbound is None or ours >= inbound)


def _latest_inbound(ticket_ids: Iterable[int]) -> dict[int, datetime]:
    """Each ticket's latest stored inbound message time (this batch's included: stored already)."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    rows = (
        Message.objects.filter(ticket_id__in=ids, kind=Message.Kind.INBOUND)
        .values("ticket_id")
        .annotate(latest=Max("platform_created_at"))
        .values_list("ticket_id", "latest")
    )
    return dict(rows)


def _update_existing(
    followed: dict[int, list[IncomingMention]],
    replied: dict[int, IncomingMention],
    ours_latest: dict[int, datetime],
    coverage: Any,
) -> tuple[list[TicketEvent], list[Ticket]]:
    """Reopen tickets that got a follow-up, or set them pending when our reply (seen on the
    platform) is now their latest message; record first replies seen on the platform.
    Returns the events and the tickets whose first reply came after their due time."""
    ids = set(followed) | set(replied)
    if not ids:
        return [], []
    inbound = _latest_inbound(ours_latest)
    events: list[TicketEvent] = []
    changed: list[Ticket] = []
    late: list[Ticket] = []
    for ticket in Ticket.objects.select_for_update().filter(pk__in=ids):
        dirty = False
        answered = _waiting_on_requester(ours_latest.get(ticket.pk), inbound.get(ticket.pk))
        if answered and ticket.status in (Ticket.Status.NEW, Ticket.Status.OPEN):
            # Our reply is the last word: the ticket waits on the requester, out of Play.
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind=TicketEvent.Kind.STATUS,
                    data={"from": ticket.status, "to": Ticket.Status.PENDING, "reason": WAITING_ON_REQUESTER},
                )
            )
            ticket.status = Ticket.Status.PENDING
            dirty = True
        elif ticket.pk in followed and ticket.status in (Ticket.Status.PENDING, Ticket.Status.SOLVED) and not answered:
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind=TicketEvent.Kind.STATUS,
                    data={"from": ticket.status, "to": Ticket.Status.OPEN, "reason": "follow-up received"},
                )
            )
            ticket.status = Ticket.Status.OPEN
            ticket.solved_at = None
            dirty = True
        if ticket.pk in followed and not answered and ticket.assignee_id is not None and ticket.followup_at is None:
            # The assignee has a new message to read: "updated" in their list until they act,
            # back to the queue if they don't (mentions.services.followups).
            ticket.followup_at = timezone.now()
            dirty = True
        if ticket.pk in replied and first_reply_set(
            ticket=ticket, at=replied[ticket.pk].created_at, coverage=coverage()
        ):
            dirty = True
            if breach_on_first_reply(ticket):
                late.append(ticket)
        if dirty:
            ticket.updated_at = timezone.now()  # bulk_update skips auto_now
            changed.append(ticket)
    if changed:
        Ticket.objects.bulk_update(
            changed,
            [
                "status",
                "solved_at",
                "first_reply_at",
                "first_reply_seconds",
                "first_reply_business_seconds",
                "sla_breached",
                "followup_at",
                "updated_at",
            ],
            batch_size=500,
        )
    return events, late
