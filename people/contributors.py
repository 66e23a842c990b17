"""The contributors page and its CSV: core contributors and everyone with a logged contribution, by region.

Both read the same people in the same order (region, then name), so the CSV says what the pages say. The page costs
what it shows, whatever the number of people: its people (walked in the page's order on an index, stopping at the
page), a count that stops at COUNT_CAP (from the contributors' side, never every person), then for the page's people
only their identities, their latest contributions (a window function per person, Django's sliced Prefetch) and their
counts per kind. The CSV reads every contributor's rows the same way, EXPORT_CHUNK people at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects

from mentions.search.text import CappedPage
from mentions.search.tickets import COUNT_CAP
from people.models import REGION_ORDER, Contribution, Person, PersonTag

LATEST = 3  # contributions shown per person
PAGE_SIZE = 100  # contributors a page
EXPORT_CHUNK = 500  # people read at a time for the CSV
REGIONS = [Person.Region.AMERICAS, Person.Region.EMEA, Person.Region.APAC, Person.Region.UNKNOWN]
REGION_SHORT = {
    Person.Region.AMERICAS: "Americas",
    Person.Region.EMEA: "EMEA",
    Person.Region.APAC: "APAC",
    Person.Region.UNKNOWN: "Unknown",
}
KINDS = list(Contribution.Kind)


@dataclass
class RegionGroup:
    region: str
    label: str
    people: list[Person]


@dataclass
class ContributorsPage(CappedPage):
    """A page of contributors, counted as the people list counts (up to COUNT_CAP, then "1,000+")."""

    groups: list[RegionGroup]


def _contributors(since: date | None) -> QuerySet[Person]:
    """People tagged core contributor or with a contribution (since `since`), erased people left out, in the page's
    order: walked on `person_contributors_idx` (that order, erased people left out) and kept when either probe finds
    a row, so a page stops at its last contributor."""
    core = PersonTag.people.through.objects.filter(person=OuterRef("pk"), persontag__name=PersonTag.CORE_CONTRIBUTOR)
    logged = Contribution.objects.filter(person=OuterRef("pk"))
    if since:
        logged = logged.filter(date__gte=since)
    return (
        Person.objects.filter(erased_at__isnull=True)
        .filter(Exists(core) | Exists(logged))
        .order_by(REGION_ORDER, "name", "id")
    )


def _counted(since: date | None) -> int:
    """How many contributors there are, up to COUNT_CAP + 1. Counted from their side: the tag's people and the
    contributions' people, one UNION, leaving out the few erased people (on `person_erased_idx`). Walking people until
    1,001 contributors are found would read every person between them, and joining the ids to the people made the
    planner read every person (250 ms at 250,000 people with 10,000 contributors)."""
    erased = Person.objects.filter(erased_at__isnull=False).values("pk")
    core = PersonTag.people.through.objects.filter(persontag__name=PersonTag.CORE_CONTRIBUTOR)
    logged = Contribution.objects.all()
    if since:
        logged = logged.filter(date__gte=since)
    ids = (
        core.exclude(person__in=erased)
        .order_by()
        .values("person_id")
        .union(logged.exclude(person__in=erased).order_by().values("person_id"))
    )
    return ids[: COUNT_CAP + 1].count()


def _detailed(people: list[Person], since: date | None) -> list[Person]:
    """Give each of `people` `counts` (per kind, in KINDS' order), `total`, `latest` (newest first) and their
    identities: three queries for them all. Returns them."""
    latest = Contribution.objects.order_by("-date", "-id")
    logged = Contribution.objects.filter(person__in=[p.pk for p in people])
    if since:
        latest = latest.filter(date__gte=since)
        logged = logged.filter(date__gte=since)
    prefetch_related_objects(
        people, "identities", Prefetch("contributions", queryset=latest[:LATEST], to_attr="latest")
    )
    counted: dict[tuple[int, str], int] = {
        (person_id, kind): n
        for person_id, kind, n in logged.order_by()
        .values("person_id", "kind")
        .annotate(n=Count("pk"))
        .values_list("person_id", "kind", "n")
    }
    for person in people:
        counts = [counted.get((person.pk, kind.value), 0) for kind in KINDS]
        setattr(person, "counts", counts)  # noqa: B010 - for the page and the CSV (docs/typing.md)
        setattr(person, "total", sum(counts))  # noqa: B010
    return people


def contributors_paged(*, since: date | None = None, page: int = 1) -> ContributorsPage:
    """Page `page` (from 1) of the contributors, PAGE_SIZE a page, grouped by region: five queries whatever the
    number of people (the page's rows and one more, the count up to COUNT_CAP, `_detailed`'s three)."""
    people = _contributors(since)
    offset = (page - 1) * PAGE_SIZE
    rows = list(people[offset : offset + PAGE_SIZE + 1])
    count = _counted(since)
    return ContributorsPage(
        groups=by_region(_detailed(rows[:PAGE_SIZE], since)),
        number=page,
        has_next=len(rows) > PAGE_SIZE,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )


def contributors_all(*, since: date | None = None) -> Iterator[Person]:
    """Every contributor in the page's order, for the CSV: their ids first, then EXPORT_CHUNK people at a time with
    what `_detailed` gives them (a CSV of everyone costs what it holds, and is never held whole)."""
    ids = list(_contributors(since).values_list("pk", flat=True))
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        by_id = Person.objects.in_bulk(chunk)
        yield from _detailed([by_id[pk] for pk in chunk if pk in by_id], since)


def by_region(people: Iterable[Person]) -> list[RegionGroup]:
    """The people grouped by region, in REGIONS' order; regions with nobody are left out."""
    groups: dict[str, RegionGroup] = {region: RegionGroup(region, REGION_SHORT[region], []) for region in REGIONS}
    for person in people:
        groups.get(person.region, groups[Person.Region.UNKNOWN]).people.append(person)
    return [g for g in groups.values() if g.people]


CSV_HEADER = ["region", "name", "identities", *(k.label.lower() for k in KINDS), "total", "latest contributions"]


def region_label(region: str) -> str:
    """The short name of `region` on the page and in the CSV; a value no longer offered reads as Unknown."""
    return next((label for known, label in REGION_SHORT.items() if known == region), "Unknown")


def csv_rows(people: Iterable[Person]) -> Iterator[list[Any]]:
    """The pages' rows for the CSV (cells are made safe by advocacy.csv_cells when written)."""
    for person in people:
        latest: list[Contribution] = getattr(person, "latest", [])
        yield [
            region_label(person.region),
            person.name,
            "; ".join(f"{i.platform}:{i.handle or i.key}" for i in person.identities.all()),
            *getattr(person, "counts", []),
            getattr(person, "total", 0),
            " | ".join(
                " ".join(filter(None, [c.date.isoformat(), c.get_kind_display(), c.title, c.link])) for c in latest
            ),
        ]
