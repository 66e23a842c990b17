"""The old tool's users as the desk's people (docs/importing.md, "People"): an end user is the person who already
has their e-mail address or their account on the imported channel, or a new one; never a duplicate. An agent is
one of the team: no person, but the desk user with the same address writes their replies. An organization has no
model of its own in people: its name is kept on its people (their notes), where the requester card shows it."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from channels.models import Channel
from imports.models import ExternalRef
from imports.records import PersonRecord
from imports.refs import refs_of, refs_write
from mentions.set_writes import ids_reserve, rows_copy, rows_insert_new
from people.ingest import IDENTITY_COLUMNS, PERSON_COLUMNS, platform_of
from people.models import Identity, Person, account_key

EMAIL_PLATFORM = "email"  # the e-mail channels' identities: an address met there later is the same person
AGENT = "agent"
END_USER = "end-user"


def organizations_write(source: str, organizations: Iterable[tuple[str, str, str]]) -> int:
    """(id, name, stamp) of the old tool's organizations, kept for their users' pages; returns how many were new."""
    rows = list({key: (key, None, stamp, name[:200]) for key, name, stamp in organizations if key}.values())
    known = refs_of(source, ExternalRef.Kind.ORGANIZATION, [r[0] for r in rows])
    new = [r for r in rows if r[0] not in known]
    refs_write(source, ExternalRef.Kind.ORGANIZATION, new)
    return len(new)


def companies_of(source: str, keys: Iterable[str]) -> dict[str, str]:
    """{organization id: name} of the organizations imported before."""
    return {key: label for key, (_local, _stamp, label) in refs_of(source, ExternalRef.Kind.ORGANIZATION, keys).items()}


def _desk_users(emails: list[str]) -> dict[str, int]:
    if not emails:
        return {}
    user_model = get_user_model()
    rows = user_model.objects.filter(email__in=emails).values_list("email", "pk")
    return {email.lower(): pk for email, pk in rows}


def _notes(record: PersonRecord) -> str:
    return f"Company: {record.company}" if record.company else ""


def people_write(source: str, channel: Channel, records: list[PersonRecord]) -> dict[str, int]:
    """Write a page of users; returns {"people": new people, "identities": new accounts, "agents": ...,
    "skipped": already imported}. A fixed number of statements whatever the page's size."""
    counts = {"people": 0, "identities": 0, "agents": 0, "skipped": 0}
    by_key = {r.key: r for r in records if r.key}
    known = refs_of(source, ExternalRef.Kind.USER, by_key)
    fresh = [r for k, r in by_key.items() if k not in known]
    counts["skipped"] = len(by_key) - len(fresh)
    agents = [r for r in fresh if r.agent]
    users = _desk_users([r.email for r in agents if r.email])
    refs = [(r.key, users.get(r.email), r.stamp, AGENT) for r in agents]
    counts["agents"] = len(agents)
    customers = [r for r in fresh if not r.agent]
    companies = companies_of(source, [r.organization_key for r in customers if not r.company])
    for record in customers:
        record.company = record.company or companies.get(record.organization_key, "")
    if customers:
        person_of, counts["people"], counts["identities"] = _people(channel, customers)
        refs += [(r.key, person_of[r.key], r.stamp, END_USER) for r in customers]
    refs_write(source, ExternalRef.Kind.USER, refs)
    return counts


def _people(channel: Channel, records: list[PersonRecord]) -> tuple[dict[str, int], int, int]:
    """{user key: person id} for end users seen the first time (the person already holding their address or
    their account on the channel, or a new one), how many people were made and how many identities added."""
    platform = platform_of(channel)
    emails = [r.email for r in records if r.email]
    found = {
        (identity_platform, key): person
        for identity_platform, key, person in Identity.objects.filter(
            Q(platform=platform, key__in=[account_key(r.key) for r in records])
            | Q(platform=EMAIL_PLATFORM, key__in=emails)
        ).values_list("platform", "key", "person_id")
    }
    person_of: dict[str, int] = {}
    new: list[PersonRecord] = []
    first_with: dict[str, PersonRecord] = {}  # a new person's address: a later user of the page with it joins them
    for record in records:
        person = found.get((platform, account_key(record.key))) or found.get((EMAIL_PLATFORM, record.email))
        if person is not None:
            person_of[record.key] = person
        elif record.email not in first_with:
            new.append(record)
            if record.email:
                first_with[record.email] = record
    for record, pk in zip(new, ids_reserve(Person, len(new)), strict=True):
        person_of[record.key] = pk
    for record in records:
        if record.key not in person_of:
            person_of[record.key] = person_of[first_with[record.email].key]
    now = timezone.now()
    rows_copy(
        Person,
        PERSON_COLUMNS,
        [(person_of[r.key], (r.name or r.email or r.key)[:200], _notes(r), "", "", "", now, now) for r in new],
    )
    rows: dict[tuple[str, str], tuple] = {}
    for record in records:
        person, key = person_of[record.key], account_key(record.key)
        if (platform, key) not in found:
            handle = record.email or record.name or record.key
            rows[(platform, key)] = (person, platform, key, handle, record.name, "", None, "", None, now)
        if record.email and (EMAIL_PLATFORM, record.email) not in found:
            rows.setdefault(
                (EMAIL_PLATFORM, record.email),
                (person, EMAIL_PLATFORM, record.email, record.email, record.name, "", None, "", None, now),
            )
    rows_insert_new(Identity, IDENTITY_COLUMNS, list(rows.values()))
    return person_of, len(new), len(rows)
