"""The people stage of the ingest (registered as intake.hooks.AuthorsHook): every inbound message of a page
tied to the identity that wrote it, each new ticket to its requester, identities and people created for
accounts seen the first time; all as sets, a fixed number of statements per page whatever its size. An
account met again costs no write of its own: its counts and times are read from its authorship
(people.selectors.identity_stats), and its row changes only when its handle, name or address did.

Joined automatically only through the same identity: the same platform and account key (people.models
.account_key), or the same e-mail address. Anything looser is a suggestion on the person page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from channels.adapters.registry import platform_or_default
from channels.models import Channel
from intake.hooks import Author, AuthorFacts
from mentions.set_writes import ids_reserve, rows_copy, rows_insert_new
from people.models import Authorship, Identity, Person, Requester, account_key

PERSON_COLUMNS = ("id", "name", "notes", "region", "time_zone", "links", "created_at", "updated_at")
IDENTITY_COLUMNS = (
    "person_id",
    "platform",
    "key",
    "handle",
    "name",
    "url",
    "audience",
    "audience_kind",
    "audience_at",
    "created_at",
)


def platform_of(channel: Channel) -> str:
    """The platform an identity belongs to: the channel's kind; where the platform declares each channel's senders
    a platform of their own (identity "channel": a webhook relays whoever its sender forwards), "<kind>:<slug>"."""
    return platform_or_default(channel.kind).identity_platform(channel.slug)


class _Account:
    """One account's messages in the page: what its identity row takes from them."""

    __slots__ = ("audience", "audience_kind", "handle", "last", "messages", "name", "url")

    def __init__(self, author: Author) -> None:
        self.messages: list[Author] = []
        self.last = author.at
        self.handle, self.name, self.url = author.handle, author.name, author.url
        self.audience, self.audience_kind = author.audience, author.audience_kind

    def add(self, author: Author) -> None:
        self.messages.append(author)
        if author.at >= self.last:  # the latest message's handle, name, address and audience win
            self.last, self.handle = author.at, author.handle
            self.name, self.url = author.name or self.name, author.url or self.url
            if author.audience is not None:
                self.audience, self.audience_kind = author.audience, author.audience_kind


def authors_tie(*, channel: Channel, authors: list[Author]) -> dict[str, AuthorFacts]:
    platform = platform_of(channel)
    accounts: dict[str, _Account] = {}
    for author in authors:
        key = account_key(author.handle)
        if key:
            account = accounts.get(key)
            if account is None:
                account = accounts[key] = _Account(author)
            account.add(author)
    if not accounts:
        return {}
    now = timezone.now()
    # One query: the page's known identities, as last written, with their people's tags (a row per tag).
    known: dict[str, int] = {}
    changed: dict[str, int] = {}
    tags: dict[str, set[str]] = defaultdict(set)
    ticket_tags: dict[str, set[str]] = defaultdict(set)
    weight: dict[str, int] = {}
    person_of: dict[str, int] = {}
    level: dict[str, int | None] = {}
    for key, pk, handle, name, url, audience, others, tag, tags_tickets, person, order in _known(
        platform, list(accounts)
    ):
        known[key], person_of[key], level[key] = pk, person, order
        account = accounts[key]
        seen = account.audience if account.audience is not None else audience
        if (handle, name, url, audience) != (account.handle, account.name or name, account.url or url, seen):
            changed[key] = pk
        # The person's weight: their other identities' largest figure, or this one's as the page says it.
        best = max((v for v in (others, seen) if v is not None), default=None)
        if best is not None:
            weight[key] = best
        if tag:
            tags[key].add(tag.casefold())
            if tags_tickets:
                ticket_tags[key].add(tag)
    _identities_rewrite(changed, accounts, now)
    missing = {key: accounts[key] for key in accounts if key not in known}
    if missing:
        for key, (pk, person) in _identities_create(platform, missing, now).items():
            known[key], person_of[key] = pk, person
        weight.update({k: a.audience for k, a in missing.items() if a.audience is not None})
    rows_copy(
        Authorship,
        ("message_id", "identity_id"),
        [(a.message_id, known[key]) for key, account in accounts.items() for a in account.messages],
    )
    rows_copy(
        Requester,
        ("ticket_id", "identity_id"),
        [
            (a.ticket_id, known[key])
            for key, account in accounts.items()
            for a in account.messages
            if a.opens_ticket and a.ticket_id is not None
        ],
    )
    # Each new ticket is its requester's "asked" activity (people.journey.asked), recorded after the commit in a
    # worker: the level read above, the person's before this page, is the one the rules and the ticket take.
    facts: dict[str, AuthorFacts] = {}
    for key in tags.keys() | weight.keys() | {k for k, v in level.items() if v is not None}:
        labels, tickets = frozenset(tags.get(key, ())), frozenset(ticket_tags.get(key, ()))
        found = AuthorFacts(labels=labels, ticket_tags=tickets, audience=weight.get(key), level=level.get(key))
        for a in accounts[key].messages:
            facts[a.handle] = found
    return facts


# PostgreSQL: the keys as one array parameter (the ORM's IN of ~750 parameters cost twice the time to plan).
# `others`: the largest audience of the person's other identities (identity_person_id index), for their weight.
_KNOWN_SQL = """
SELECT i.key, i.id, i.handle, i.name, i.url, i.audience,
(SELECT max(o.audience) FROM people_identity o WHERE o.person_id = i.person_id AND o.id <> i.id) AS others,
t.name, t.tags_tickets, i.person_id, lv."order" FROM people_identity i
LEFT JOIN people_person_tags pt ON pt.person_id = i.person_id LEFT JOIN people_persontag t ON t.id = pt.persontag_id
JOIN people_person p ON p.id = i.person_id LEFT JOIN people_level lv ON lv.id = p.level_id
WHERE i.platform = %s AND i.key = ANY(%s)"""


def _known(platform: str, keys: list[str]) -> list[tuple[Any, ...]]:
    """The page's known identities: key, id, handle, name, address and audience, the largest audience of
    their person's other identities, their people's tags (a row each), their person and its level's order."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_KNOWN_SQL, [platform, keys])
            return cursor.fetchall()
    others = (
        Identity.objects.filter(person_id=OuterRef("person_id"))
        .exclude(pk=OuterRef("pk"))
        .values("person_id")
        .annotate(top=Max("audience"))
        .values("top")
    )
    return list(
        Identity.objects.filter(platform=platform, key__in=keys)
        .annotate(others=Subquery(others))
        .values_list(
            "key",
            "pk",
            "handle",
            "name",
            "url",
            "audience",
            "others",
            "person__tags__name",
            "person__tags__tags_tickets",
            "person_id",
            "person__level__order",
        )
    )


def _identities_rewrite(changed: dict[str, int], accounts: dict[str, _Account], now: datetime) -> None:
    """Identities whose handle, name, address or audience the page writes otherwise (renamed on the platform,
    followed by more people): as last written. An audience the page does not carry is left as it was (a
    looked-up karma stays). Rare but for audiences that move, and one statement whatever the page's size."""
    if not changed:
        return
    keys = list(changed)
    values: list[list[Any]] = [
        [changed[k] for k in keys],
        [accounts[k].handle for k in keys],
        [accounts[k].name for k in keys],
        [accounts[k].url for k in keys],
        [accounts[k].audience for k in keys],
        [accounts[k].audience_kind for k in keys],
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Identity._meta.db_table} i SET handle = v.handle, "  # noqa: S608 - model table
                "name = CASE WHEN v.name <> '' THEN v.name ELSE i.name END, "
                "url = CASE WHEN v.url <> '' THEN v.url ELSE i.url END, "
                "audience = COALESCE(v.audience, i.audience), "
                "audience_kind = CASE WHEN v.audience IS NULL THEN i.audience_kind ELSE v.kind END, "
                "audience_at = CASE WHEN v.audience IS NULL THEN i.audience_at ELSE %s END "
                "FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[], %s::varchar[]) "
                "AS v(id, handle, name, url, audience, kind) WHERE i.id = v.id",
                [now, *values],
            )
        return
    for pk, handle, name, url, audience, kind in zip(*values, strict=True):  # SQLite: one writer anyway
        fields = {"handle": handle, **({"name": name} if name else {}), **({"url": url} if url else {})}
        if audience is not None:
            fields |= {"audience": audience, "audience_kind": kind, "audience_at": now}
        Identity.objects.filter(pk=pk).update(**fields)


def _identities_create(platform: str, accounts: dict[str, _Account], now: datetime) -> dict[str, tuple[int, int]]:
    """People and identities for accounts seen the first time. Another page of the same platform (another
    channel) may create the same account at the same moment: the identity's unique key decides, and the
    person made here for an account the other page took is removed again. Returns {key: (identity, person)}."""
    keys = list(accounts)
    people = ids_reserve(Person, len(keys))
    rows_copy(
        Person,
        PERSON_COLUMNS,
        [
            (pk, (accounts[k].name or accounts[k].handle)[:200], "", "", "", "", now, now)
            for pk, k in zip(people, keys, strict=True)
        ],
    )
    person_of = dict(zip(keys, people, strict=True))
    rows = [
        (
            person_of[k],
            platform,
            k,
            accounts[k].handle,
            accounts[k].name,
            accounts[k].url,
            accounts[k].audience,
            accounts[k].audience_kind,
            now if accounts[k].audience is not None else None,
            now,
        )
        for k in keys
    ]
    rows_insert_new(Identity, IDENTITY_COLUMNS, rows)
    # Ours, and any another page committed first (its person wins; the one made here goes).
    created: dict[str, tuple[int, int]] = {}
    lost: dict[str, int] = {}
    for key, pk, person_id in Identity.objects.filter(platform=platform, key__in=keys).values_list(
        "key", "pk", "person_id"
    ):
        created[key] = (pk, person_id)
        if person_id != person_of[key]:
            lost[key] = person_of[key]
    if lost:
        Person.objects.filter(pk__in=lost.values()).delete()
    return created


def author_tags(*, message_ids: list[int]) -> dict[int, set[str]]:
    """The tags of the people who wrote these stored messages (mentions.services.rules' dry run)."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = Authorship.objects.filter(Q(message_id__in=message_ids), ~Q(identity__person__tags=None)).values_list(
        "message_id", "identity__person__tags__name"
    )
    for message_id, tag in rows:
        found[message_id].add(tag.casefold())
    return found
