"""Privacy: everything the desk holds about a person as JSON (person_export), and erasing a person
(person_erase).

Erasing empties in place: the person's name, notes and links, their identities' handles, names and
addresses, the texts of the messages they wrote and of the tickets they opened. The rows stay, with their
times, statuses and first replies, so the reports' counts and times do not change. Copies of their names,
handles and addresses elsewhere (our replies quoting them, the ticket history, notes, drafts, dead letters,
and in the apps above people: outreach, Slack notices, webhook deliveries, through `erasure_hooks`) are
replaced where they stand (`Erasing.scrub`). What is recorded (an `Erasure` and an "erased" event) holds
counts only, never what was removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import models, transaction
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Cast
from django.db.models.lookups import IRegex
from django.utils import timezone

from advocacy.hooks import Hooks
from channels.models import DeadLetter
from mentions.models import Message, ReplySend, ThreadWatch, Ticket, TicketEvent
from people.models import (
    Authorship,
    Contribution,
    Erasure,
    Gift,
    Identity,
    Person,
    PersonEvent,
    Requester,
)
from people.selectors import identities_seen

ERASED = "[erased]"
# Shorter strings (a two-letter handle) would match inside too many other words to be replaced blindly.
SHORTEST = 3


def _regex_escaped(text: str) -> str:
    """`text` as a literal in a PostgreSQL regular expression: a backslash before every character that is
    not a letter, digit or underscore (a backslash before those would be an escape)."""
    return "".join(c if c.isalnum() or c == "_" else "\\" + c for c in text)


def strings_pattern(strings: list[str]) -> str:
    """One case-insensitive alternation of `strings` and their escaped forms, longest first so a name is
    replaced whole before a handle inside it."""
    variants: set[str] = set()
    for text in strings:
        text = text.strip()
        if len(text) >= SHORTEST:
            # As written, inside JSON text, and escaped for Slack or HTML (& < >), as the lines sent there hold it.
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            variants |= {text, json.dumps(text, ensure_ascii=False)[1:-1], escaped}
    return "|".join(_regex_escaped(v) for v in sorted(variants, key=lambda v: (-len(v), v)))


@dataclass
class Erasing:
    """What one erasure reaches: the person's identities, the messages they wrote, the tickets they opened,
    every ticket holding one of their messages or a message addressed to them, and the pattern of their
    strings."""

    person: Person
    identity_ids: list[int]
    message_ids: list[int]
    opened_ticket_ids: list[int]
    ticket_ids: list[int]
    pattern: str

    def scrub(self, rows: models.QuerySet[Any], *names: str) -> int:
        """Replace every copy of the person's strings in these text or JSON columns of these rows, in place;
        answers how many rows changed."""
        if not self.pattern or not names:
            return 0
        model = rows.model
        matches: Any = Q()  # ORed with lookups (conditional expressions)
        updates: dict[str, Any] = {}
        for name in names:
            is_json = isinstance(model._meta.get_field(name), models.JSONField)
            text = Cast(F(name), TextField()) if is_json else F(name)
            matches |= IRegex(text, self.pattern)
            replaced: Any = Func(
                text,
                Value(self.pattern),
                Value(ERASED),
                Value("gi"),
                function="regexp_replace",
                output_field=TextField(),
            )
            updates[name] = Cast(replaced, models.JSONField()) if is_json else replaced
        return rows.filter(matches).update(**updates)


class ErasureHook(Protocol):
    """An app above people erases its copies of the person's data (`erasing.scrub` on its rows of
    `erasing.ticket_ids`), in the erasure's transaction; answers {what: rows changed}."""

    def __call__(self, *, erasing: Erasing) -> dict[str, int]: ...


erasure_hooks: Hooks[ErasureHook] = Hooks(ErasureHook)


def _strings(person: Person, identities: list[Identity]) -> list[str]:
    strings = [person.name]
    for identity in identities:
        strings += [identity.handle, identity.handle.lstrip("@"), identity.key, identity.name, identity.url]
    return [s for s in strings if s]


def _earlier_texts_erase(message_ids: list[int]) -> int:
    """The texts their messages had before an edit on the platform ("message_edited" events keep it)."""
    theirs = Message.objects.filter(pk__in=message_ids, ticket__isnull=False, external_id__isnull=False)
    by_ticket: dict[int, set[str | None]] = {}
    for ticket_id, external_id in theirs.values_list("ticket_id", "external_id"):
        by_ticket.setdefault(ticket_id, set()).add(external_id)
    events = TicketEvent.objects.filter(
        kind=TicketEvent.Kind.MESSAGE_EDITED, ticket_id__in=list(by_ticket), data__has_key="previous_text"
    )
    erased = []
    for event in events.only("pk", "ticket_id", "data"):
        if event.data.get("external_id") in by_ticket[event.ticket_id]:
            event.data = {**event.data, "previous_text": ERASED}
            erased.append(event)
    return TicketEvent.objects.bulk_update(erased, ["data"]) if erased else 0


@transaction.atomic
def person_erase(*, person: Person, actor: Any, via: str) -> Erasure:
    """Erase `person` (see the module's docstring) in one transaction; the record of it, counts only."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    identities = list(Identity.objects.filter(person=person).select_for_update())
    identity_ids = [i.pk for i in identities]
    message_ids = list(Authorship.objects.filter(identity_id__in=identity_ids).values_list("message_id", flat=True))
    opened = list(Requester.objects.filter(identity_id__in=identity_ids).values_list("ticket_id", flat=True))
    written_in = Message.objects.filter(pk__in=message_ids, ticket__isnull=False).values_list("ticket_id", flat=True)
    # Others' messages addressing them by handle (IncomingMention.mentioned): those tickets hold their handle.
    handles = strings_pattern([s for i in identities for s in (i.handle.lstrip("@"), i.key)])
    addressed = (
        Message.objects.exclude(mentioned=[])
        .filter(IRegex(Cast(F("mentioned"), TextField()), f'"@?({handles})"'), ticket__isnull=False)
        .values_list("ticket_id", flat=True)
        if handles
        else []
    )
    erasing = Erasing(
        person=person,
        identity_ids=identity_ids,
        message_ids=message_ids,
        opened_ticket_ids=opened,
        ticket_ids=sorted(set(opened) | set(written_in) | set(addressed)),
        pattern=strings_pattern(_strings(person, identities)),
    )
    tickets = Ticket.objects.filter(pk__in=erasing.ticket_ids)

    # Copies first (the pattern was made while the person's own rows still held their strings).
    in_their_tickets = Q(ticket_id__in=erasing.ticket_ids)
    others = Message.objects.filter(in_their_tickets).exclude(pk__in=message_ids)
    counts = {
        "messages_quoting": erasing.scrub(
            others, "body", "title", "author_handle", "author_name", "author_url", "permalink", "raw", "mentioned"
        ),
        "ticket_texts": erasing.scrub(
            tickets, "subject", "reply_draft", "requester_handle", "requester_name", "requester_url"
        ),
        "ticket_events": erasing.scrub(TicketEvent.objects.filter(in_their_tickets), "data"),
        "reply_sends": erasing.scrub(ReplySend.objects.filter(in_their_tickets), "body", "error"),
        "thread_watches": erasing.scrub(ThreadWatch.objects.filter(in_their_tickets), "authors", "thread_ref"),
        # Dead letters are platform items never stored as tickets: theirs are found by what they hold.
        "dead_letters": erasing.scrub(DeadLetter.objects.all(), "mention", "payload", "error", "external_id"),
        # Another person's history may name them (a merge, a split).
        "person_events": erasing.scrub(PersonEvent.objects.exclude(person=person), "data"),
    }
    for hook in erasure_hooks:
        for key, n in hook(erasing=erasing).items():
            counts[key] = counts.get(key, 0) + n

    # Their own rows: emptied whole; times, statuses, kinds and links between rows kept.
    counts["earlier_texts"] = _earlier_texts_erase(message_ids)
    counts["messages"] = Message.objects.filter(pk__in=message_ids).update(
        body=ERASED, title="", author_handle=ERASED, author_name="", author_url="", raw={}, mentioned=[]
    )
    # Their permalinks and platform ids only where they spell a handle (x.com/<handle>/status/...).
    counts["message_links"] = erasing.scrub(
        Message.objects.filter(pk__in=message_ids),
        "permalink",
        "external_id",
        "parent_external_id",
        "thread_external_id",
    )
    counts["tickets"] = Ticket.objects.filter(pk__in=opened).update(
        subject=ERASED, requester_handle=ERASED, requester_name="", requester_url=""
    )
    for identity in identities:
        # The key stays unique per platform; the platform is kept for the counts by platform.
        Identity.objects.filter(pk=identity.pk).update(key=f"erased-{identity.pk}", handle=ERASED, name="", url="")
    counts["identities"] = len(identities)
    counts["gifts"] = Gift.objects.filter(person=person).update(postal_address="")
    counts["contributions"] = Contribution.objects.filter(person=person).update(title=ERASED, link="")
    counts["events"] = PersonEvent.objects.filter(person=person).exclude(data={}).update(data={})
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        name="", notes="", links="", time_zone="", region="", erased_at=now, updated_at=now
    )
    counts = {k: v for k, v in sorted(counts.items()) if v}
    PersonEvent.objects.create(person=person, kind=PersonEvent.Kind.ERASED, actor=actor, data={"counts": counts})
    return Erasure.objects.create(person=person, person_number=person.pk, by=actor, via=via, counts=counts)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def person_export(*, person: Person, actor: Any) -> dict[str, Any]:
    """Everything the desk holds about `person`, as JSON values; recorded as an "exported" event."""
    identities = identities_seen(list(Identity.objects.filter(person=person)))
    identity_ids = [i.pk for i in identities]
    opened = (
        Ticket.objects.filter(requester__identity_id__in=identity_ids)
        .select_related("channel")
        .prefetch_related("tags")
        .order_by("requested_at", "id")
    )
    written = Message.objects.filter(
        pk__in=Authorship.objects.filter(identity_id__in=identity_ids).values("message_id")
    ).order_by("platform_created_at", "id")
    data = {
        "person": {
            "id": person.pk,
            "name": person.name,
            "notes": person.notes,
            "links": person.links,
            "region": person.region,
            "time_zone": person.time_zone,
            "created_at": _time(person.created_at),
            "erased_at": _time(person.erased_at),
            "tags": [t.name for t in person.tags.all()],
        },
        "identities": [
            {
                "platform": i.platform,
                "key": i.key,
                "handle": i.handle,
                "name": i.name,
                "url": i.url,
                "mentions": i.mentions,
                "first_seen_at": _time(i.first_seen_at),
                "last_seen_at": _time(i.last_seen_at),
            }
            for i in identities
        ],
        "tickets": [
            {
                "id": t.pk,
                "channel": t.channel.name,
                "subject": t.subject,
                "status": t.status,
                "requested_at": _time(t.requested_at),
                "first_reply_at": _time(t.first_reply_at),
                "solved_at": _time(t.solved_at),
                "tags": sorted(tag.name for tag in t.tags.all()),
                "url": t.get_absolute_url(),
            }
            for t in opened
        ],
        "messages": [
            {
                "id": m.pk,
                "ticket": m.ticket_id,
                "title": m.title,
                "body": m.body,
                "author_handle": m.author_handle,
                "author_name": m.author_name,
                "platform_created_at": _time(m.platform_created_at),
                "edited_at": _time(m.edited_at),
                "deleted_at": _time(m.deleted_at),
                "permalink": m.permalink,
            }
            for m in written
        ],
        "contributions": [
            {"kind": c.kind, "date": c.date.isoformat(), "title": c.title, "link": c.link}
            for c in person.contributions.all()
        ],
        "gifts": [
            {
                "item": g.item,
                "state": g.state,
                "postal_address": g.postal_address,
                "shipped_at": _time(g.shipped_at),
                "created_at": _time(g.created_at),
            }
            for g in person.gifts.all()
        ],
        "codes": [
            {"code": c.code, "batch": c.batch.name, "ticket": c.ticket_id, "given_at": _time(c.given_at)}
            for c in person.codes.select_related("batch")
        ],
        "events": [{"kind": e.kind, "data": e.data, "created_at": _time(e.created_at)} for e in person.events.all()],
    }
    PersonEvent.objects.create(person=person, kind=PersonEvent.Kind.EXPORTED, actor=actor, data={})
    return data
