"""The contributors page and its CSV: core contributors and everyone with a logged contribution, by region.

Both read the same rows (`contributors`), so the CSV always says what the page says. Three queries
whatever the number of people: the people with their counts per kind, their identities, and their
latest contributions (a window function per person, Django's sliced Prefetch).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from people.models import Contribution, Person, PersonTag

LATEST = 3  # contributions shown per person
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


def contributors(*, since: date | None = None) -> list[Person]:
    """People tagged core contributor or with a contribution (since `since`), erased people left out; each
    with `counts` (per kind, in KINDS' order), `total`, `latest` (newest first) and identities prefetched."""
    logged = Q(contributions__date__gte=since) if since else Q()
    in_range = Contribution.objects.filter(person=OuterRef("pk"))
    if since:
        in_range = in_range.filter(date__gte=since)
    core = PersonTag.objects.filter(people=OuterRef("pk"), name=PersonTag.CORE_CONTRIBUTOR)
    latest = Contribution.objects.order_by("-date", "-id")
    if since:
        latest = latest.filter(date__gte=since)
    per_kind = {f"n_{k.value}": Count("contributions", filter=logged & Q(contributions__kind=k)) for k in KINDS}
    people = (
        Person.objects.filter(erased_at__isnull=True)
        .filter(Exists(core) | Exists(in_range))
        .annotate(
            total=Count("contributions", filter=logged),
            **per_kind,
        )
        .prefetch_related("identities", Prefetch("contributions", queryset=latest[:LATEST], to_attr="latest"))
        .order_by("name", "id")
    )
    found: list[Person] = list(people)
    for person in found:
        person.counts = [getattr(person, f"n_{kind.value}") for kind in KINDS]  # type: ignore[attr-defined]
    return found


def by_region(people: Iterable[Person]) -> list[RegionGroup]:
    """The people grouped by region, in REGIONS' order; regions with nobody are left out."""
    groups: dict[str, RegionGroup] = {region: RegionGroup(region, REGION_SHORT[region], []) for region in REGIONS}
    for person in people:
        groups.get(person.region, groups[Person.Region.UNKNOWN]).people.append(person)
    return [g for g in groups.values() if g.people]


CSV_HEADER = ["region", "name", "identities", *(k.label.lower() for k in KINDS), "total", "latest contributions"]


def csv_rows(groups: Iterable[RegionGroup]) -> Iterator[list[Any]]:
    """The page's rows for the CSV (cells are made safe by advocacy.csv_cells when written)."""
    for group in groups:
        for person in group.people:
            yield [
                group.label,
                person.name,
                "; ".join(f"{i.platform}:{i.handle or i.key}" for i in person.identities.all()),
                *person.counts,  # type: ignore[attr-defined]
                person.total,  # type: ignore[attr-defined]
                " | ".join(
                    " ".join(filter(None, [c.date.isoformat(), c.get_kind_display(), c.title, c.link]))
                    for c in person.latest  # type: ignore[attr-defined]
                ),
            ]
