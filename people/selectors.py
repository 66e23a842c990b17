"""Reading people: finding them by handle, name or address (the people list, the global search and the API), the
requester card beside a ticket, a person's history across platforms, and the likenesses suggested on their page.
Each a fixed number of queries, whatever the number of tickets or identities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet, Value

from channels.adapters.registry import PLATFORMS, kinds_where, platform_of
from mentions.models import Message, Ticket
from mentions.search.text import CappedPage
from mentions.search.tickets import COUNT_CAP
from people.models import (
    Authorship,
    Identity,
    Level,
    LikenessDismissed,
    Person,
    PersonEvent,
    PersonTag,
    Requester,
    account_key,
)

# What a line of a person's tickets shows (the card's other tickets, the person page's history).
TICKET_ROW = (
    "subject",
    "status",
    "requested_at",
    "first_reply_at",
    "first_reply_seconds",
    "merged_into",
    "channel__kind",
    "channel__name",
)
HISTORY_PAGE_SIZE = 50
PEOPLE_PAGE_SIZE = 50
LIKENESS_MESSAGES = 50  # the person's latest message texts searched for another person's address
# An address as written in a signature or a profile text; matched against e-mail identities' keys.
ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def _accounts(q: str) -> QuerySet[Identity, Any]:
    # The key is the handle as matched (lower case, no "@"): one prefix search on its index finds the accounts.
    return Identity.objects.filter(key__startswith=account_key(q)).values("person_id").order_by()


def people_first(
    q: str, *, stop: int, tag: PersonTag | None = None, leave_out: int | None = None, level: Level | None = None
) -> QuerySet[Person]:
    """People whose name holds `q`, or one of whose accounts (handle, account id or e-mail address) starts with it,
    ignoring case and a leading "@" (everyone when `q` is empty); erased people left out; with `tag`, without person
    `leave_out`; with `level`, at that level of the contributor journey; in name order, of which only the first `stop`
    are ever read: slice it within `stop`, but do not filter it further."""
    people = _people(tag, leave_out, level)
    if not (q or "").strip():
        return people.order_by("name", "id")
    return Person.objects.filter(pk__in=_first_ids(people, q.strip(), stop)).order_by("name", "id")


def people_counted(q: str, *, tag: PersonTag | None = None, level: Level | None = None) -> int:
    """How many people `people_first(q, tag=tag, level=level)` finds, counted up to COUNT_CAP + 1 ("1,000+")."""
    people = _people(tag, None, level)
    if not (q or "").strip():
        return people.order_by().values("pk")[: COUNT_CAP + 1].count()
    # Any COUNT_CAP + 1 of them, in no order: in name order the planner may walk the name index through most people
    # to find 1,001 of a name (400 ms for "Kowalski" at 250,000) where the trigram index finds them all at once.
    ids = _first_ids(people, q.strip(), COUNT_CAP + 1, ordered=False)
    # The UNION's ids are counted as they are: joined to the people again, the planner read them all (15 ms).
    return ids.count() if ids.query.combinator else ids[: COUNT_CAP + 1].count()


def _people(tag: PersonTag | None, leave_out: int | None, level: Level | None = None) -> QuerySet[Person]:
    people = Person.objects.filter(erased_at__isnull=True)
    if level is not None:
        people = people.filter(level=level)
    if tag is not None:
        people = people.filter(tags=tag)
    if leave_out is not None:
        people = people.exclude(pk=leave_out)
    return people


def _first_ids(people: QuerySet[Person], q: str, stop: int, *, ordered: bool = True) -> QuerySet[Person, Any]:
    """The ids of the first `stop` of `people` matching `q` in name order (at most twice `stop` ids; all on SQLite);
    not `ordered`, any `stop` of each part.

    On PostgreSQL a UNION of the name's matches and the accounts' owners, each in name order and cut at `stop`: the
    planner picks for each part what a page of it costs (the name index walked until the page is full when many
    match, the name's trigram index, people/migrations/0008, when few do), where `name ILIKE ... OR pk IN (...)`
    could use neither and read every person (174 ms at 250,000). SQLite cannot order a UNION's parts (Django's
    supports_slicing_ordering_in_compound): there, the one query."""
    if not connection.features.supports_slicing_ordering_in_compound:
        return people.filter(Q(name__icontains=q) | Q(pk__in=_accounts(q))).values("pk")
    order = ("name", "id") if ordered else ()
    named = people.filter(name__icontains=q).order_by(*order).values("pk")[:stop]
    owners = people.filter(pk__in=_accounts(q)).order_by(*order).values("pk")[:stop]
    return named.union(owners)


def address_platforms() -> list[str]:
    """The identities' platforms whose keys are e-mail addresses (declared identity "address")."""
    return kinds_where(lambda p: p.identity == "address")


def platform_label(platform: str) -> str:
    """How an identity's platform is named on the pages: the kind's label ("X / Twitter"); an address by what it
    is ("E-mail": the platform's spoken name); a channel that is a platform of its own by its kind and slug
    ("webhook status-page"); anything else as it is stored."""
    kind, _, slug = platform.partition(":")
    if kind not in PLATFORMS:
        return platform
    declared = platform_of(kind)
    if slug:
        return f"{kind} {slug}"
    return declared.spoken_name if declared.identity == "address" else declared.label


MERGE_ACCOUNTS_SHOWN = 3


def merge_said(*, source: Person, into: Person) -> str:
    """What a merge of `source` into `into` tells the team. Two people of the same name (the likeness the page
    suggests most) are told apart by their numbers and accounts, read now, before the merge moves them."""
    if str(source).strip().casefold() != str(into).strip().casefold():
        return f"Merged {source} into {into}."
    return f"Merged {_told_apart(source)} into {_told_apart(into)}."


def _told_apart(person: Person) -> str:
    accounts = [
        f"{platform_label(i.platform)} {i.handle or i.key}"
        for i in person.identities.order_by("platform", "key")[: MERGE_ACCOUNTS_SHOWN + 1]
    ]
    if len(accounts) > MERGE_ACCOUNTS_SHOWN:
        more = person.identities.count() - MERGE_ACCOUNTS_SHOWN
        accounts[MERGE_ACCOUNTS_SHOWN:] = [f"{more} more"]
    where = f" ({', '.join(accounts)})" if accounts else " (no accounts)"
    return f"{person} #{person.pk}{where}"


def identities_seen(identities: list[Identity]) -> list[Identity]:
    """Give each identity what its authorship says: `mentions` (inbound messages stored from it),
    `first_seen_at` and `last_seen_at` (of those messages), in one grouped query for them all. Returns them."""
    rows = (
        Authorship.objects.filter(identity__in=[i.pk for i in identities])
        .values("identity_id")
        .annotate(n=Count("pk"), first=Min("message__platform_created_at"), last=Max("message__platform_created_at"))
        .values_list("identity_id", "n", "first", "last")
    )
    stats: dict[int, tuple[int, datetime | None, datetime | None]] = {
        pk: (n, first, last) for pk, n, first, last in rows
    }
    for identity in identities:
        identity.mentions, identity.first_seen_at, identity.last_seen_at = stats.get(identity.pk, (0, None, None))
    return identities


@dataclass
class PeoplePage(CappedPage):
    """A page of the people list, counted as the ticket list counts (mentions.search.tickets): `count` stops at
    COUNT_CAP and `count_capped` says there are more ("1,000+ people"), so the page never counts everyone."""

    people: list[Person]


def people_paged(*, q: str, tag: PersonTag | None = None, page: int, level: Level | None = None) -> PeoplePage:
    """Page `page` (from 1) of `people_first(q, tag=tag)`, PEOPLE_PAGE_SIZE a page in name order, with
    their identities and tags. Four queries whatever the number of people: the page's rows and one more (is there a
    next page?), their identities, their tags, and a count that stops at COUNT_CAP (the people list and
    GET /api/people/)."""
    offset = (page - 1) * PEOPLE_PAGE_SIZE
    shown = people_first(q, stop=offset + PEOPLE_PAGE_SIZE + 1, tag=tag, level=level)
    rows = list(
        shown.select_related("level").prefetch_related("identities", "tags")[offset : offset + PEOPLE_PAGE_SIZE + 1]
    )
    count = people_counted(q, tag=tag, level=level)
    return PeoplePage(
        people=rows[:PEOPLE_PAGE_SIZE],
        number=page,
        has_next=len(rows) > PEOPLE_PAGE_SIZE,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )


def people_list(*, q: str, tag: PersonTag | None, page: int) -> PeoplePage:
    """The people list: `people_paged` and when each of the page's people was last seen; five queries whatever the
    number of people (`people_paged`'s four, and when last seen for the page's people only)."""
    found = people_paged(q=q, tag=tag, page=page)
    identities_seen([i for p in found.people for i in p.identities.all()])
    for p in found.people:
        seen = [i.last_seen_at for i in p.identities.all() if i.last_seen_at]
        p.last_seen_at = max(seen) if seen else None
    return found


def requester_person_name(ticket_id: int) -> str:
    """The name the team keeps for the person who opened ticket `ticket_id` ("" when it is tied to nobody, or
    their person was erased): one query."""
    found = Requester.objects.filter(ticket_id=ticket_id).values_list("identity__person__name", flat=True).first()
    return found or ""


class _KnownCountPaginator(Paginator):
    """A paginator told its count: the history's ticket ids are read first, so counting them again in the database
    (a COUNT over an IN list as long as the person's history) is a query for a number already known."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def person_history(person: Person, page: int | str | None) -> Page:
    """Every ticket `person` opened or wrote in, from all their identities on every platform, newest first, 50
    a page; two queries (their ticket ids both ways at once, then the page). `opened` says which they opened."""
    # Their tickets' ids first, each way through an index (who opened a ticket, who wrote a message), in one
    # UNION: one query joining both to the tickets with an OR scanned all 1,000,000 of them (5.9 s).
    opened_ids = Requester.objects.filter(identity__person_id=person.pk).annotate(opened=Value(True))
    authored = Authorship.objects.filter(identity__person_id=person.pk).values("message_id")
    wrote_in = (
        Message.objects.filter(pk__in=authored, ticket_id__isnull=False)
        .annotate(opened=Value(False))
        .values_list("ticket_id", "opened")
        .order_by()
    )
    # Without their models' default ordering: SQLite refuses an ORDER BY inside a compound statement's part.
    rows = list(opened_ids.values_list("ticket_id", "opened").order_by().union(wrote_in))
    opened = {pk for pk, was_opened in rows if was_opened}
    ids = opened | {pk for pk, was_opened in rows if not was_opened}
    tickets = (
        Ticket.objects.filter(pk__in=sorted(ids))
        .select_related("channel", "requester__identity")
        .only(*TICKET_ROW, "requester__identity__platform", "requester__identity__handle", "requester__identity__key")
        .order_by("-requested_at", "-id")
    )
    found = _KnownCountPaginator(tickets, HISTORY_PAGE_SIZE, count=len(ids)).get_page(page)
    found.object_list = list(found.object_list)
    for ticket in found.object_list:
        setattr(ticket, "opened", ticket.pk in opened)  # noqa: B010 - for the template (docs/typing.md)
    return found


@dataclass
class Likeness:
    """Another person who may be the same as this one, and why (each reason a sentence fragment)."""

    other: Person
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def likenesses(person: Person, identities: list[Identity] | None = None) -> list[Likeness]:
    """Other people who may be `person`: the same account key on another platform, the same full name
    (ignoring case), or an e-mail identity whose address appears in `person`'s latest 50 messages. Never
    those an advocate said are not the same (either way round), nor erased people. Six queries, five when
    `identities` (the person's, already read) are given."""
    if identities is None:
        identities = list(Identity.objects.filter(person=person))
    found: dict[int, list[str]] = {}

    addressed = address_platforms()
    keys = {i.key for i in identities if i.key and i.platform not in addressed}
    if keys:
        for other in Identity.objects.filter(key__in=keys).exclude(person=person).exclude(platform__in=addressed):
            found.setdefault(other.person_id, []).append(
                f"same handle {other.handle or other.key} on {platform_label(other.platform)}"
            )
    name = person.name.strip()
    if name:
        for other_id in Person.objects.filter(name__iexact=name).exclude(pk=person.pk).values_list("pk", flat=True):
            found.setdefault(other_id, []).append(f"same name {name}")

    # Their latest messages by id (ids grow with time), through the authorship index, then their texts.
    latest = (
        Authorship.objects.filter(identity__person=person)
        .order_by("-message_id")
        .values_list("message_id", flat=True)[:LIKENESS_MESSAGES]
    )
    texts = Message.objects.filter(pk__in=list(latest)).values_list("body", flat=True)
    addresses = {a.lower() for text in texts for a in ADDRESS.findall(text or "")}
    if addresses:
        mailboxes = Identity.objects.filter(platform__in=addressed, key__in=addresses).exclude(person=person)
        for other in mailboxes:
            found.setdefault(other.person_id, []).append(f"address {other.key} in their messages")

    if not found:
        return []
    dismissed = LikenessDismissed.objects.filter(
        Q(person=person, other_id__in=found) | Q(other=person, person_id__in=found)
    ).values_list("person_id", "other_id")
    for pair in dismissed:
        for pid in pair:
            found.pop(pid, None)
    people = Person.objects.filter(pk__in=found, erased_at__isnull=True).order_by("name", "id")
    return [Likeness(other=p, reasons=found[p.pk]) for p in people]


def likeness_of(person: Person, other_id: int) -> Likeness | None:
    """The suggestion of `other_id` on `person`'s page, if it is one (what lets an advocate merge them)."""
    return next((x for x in likenesses(person) if x.other.pk == other_id), None)


# What the person's history shows to managers only: gifts and codes are theirs to see (an advocate sees the
# code they just gave on the form that gave it).
MANAGER_EVENTS = (PersonEvent.Kind.GIFT, PersonEvent.Kind.CODE_GIVEN)


def person_events(person: Person, *, manager: bool, limit: int = 50) -> list[Any]:
    events = person.events.select_related("actor")
    if not manager:
        events = events.exclude(kind__in=MANAGER_EVENTS)
    return list(events[:limit])
