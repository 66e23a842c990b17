"""The contributors page (managers): core contributors and everyone with contributions, by region, in a
fixed number of queries (paged: tests/test_query_counts_lists.py), and its CSV with cells that never run as
formulas."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Contribution, Person
from people.tests.factories import IdentityFactory, PersonFactory, person_tag


def contributed(person: Person, kind: str, on: date, title: str = "", link: str = "") -> Contribution:
    return Contribution.objects.create(person=person, kind=kind, date=on, title=title, link=link)


def csv_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db
def test_contributors_are_grouped_by_region_with_counts_per_kind_and_their_latest_contributions(manager_client):
    ana = PersonFactory(name="Ana", region=Person.Region.AMERICAS)
    IdentityFactory(person=ana, handle="ana_dev")
    for day in (1, 2, 3, 4):
        contributed(ana, "talk", date(2026, 3, day), f"Talk {day}")
    contributed(ana, "blog_post", date(2026, 2, 1), "Old post")
    eve = PersonFactory(name="Eve", region=Person.Region.EMEA)
    person_tag(eve, "core contributor")  # no contribution logged yet: still a contributor
    kim = PersonFactory(name="Kim", region=Person.Region.APAC)
    contributed(kim, "merge_request", date(2026, 1, 5), "Fix cache key")
    nobody = PersonFactory(name="Nemo")  # neither tagged nor contributing: not listed
    unknown = PersonFactory(name="Uma")
    contributed(unknown, "forum_answer", date(2026, 3, 1))

    page = manager_client.get(reverse("people:contributors")).content.decode()

    order = [page.index(f'data-testid="region-{r}"') for r in ("Americas", "EMEA", "APAC", "Unknown")]
    assert order == sorted(order)
    americas = page[order[0] : order[1]]
    assert "Ana" in americas and "hackernews:ana_dev" in americas
    assert "Talk 4" in americas and "Talk 2" in americas and "Talk 1" not in americas  # the latest three
    assert "Eve" in page[order[1] : order[2]] and "Kim" in page[order[2] : order[3]] and "Uma" in page[order[3] :]
    assert nobody.name not in page

    rows = csv_of(manager_client.get(reverse("people:contributors-csv")))
    header, by_name = rows[0], {r[1]: r for r in rows[1:]}
    assert set(by_name) == {"Ana", "Eve", "Kim", "Uma"}
    ana_row = dict(zip(header, by_name["Ana"], strict=True))
    assert (ana_row["region"], ana_row["talk"], ana_row["blog post"], ana_row["total"]) == ("Americas", "4", "1", "5")
    assert ana_row["latest contributions"].startswith("2026-03-04 Talk Talk 4")


@pytest.mark.django_db
def test_since_counts_only_contributions_from_that_date_and_leaves_out_who_has_none(manager_client):
    ana = PersonFactory(name="Ana")
    contributed(ana, "talk", date(2026, 1, 1))
    contributed(ana, "talk", date(2026, 6, 1))
    contributed(PersonFactory(name="Old Timer"), "talk", date(2025, 1, 1))

    rows = csv_of(manager_client.get(reverse("people:contributors-csv"), {"since": "2026-03-01"}))

    assert [(r[1], r[-2]) for r in rows[1:]] == [("Ana", "1")]
    page = manager_client.get(reverse("people:contributors"), {"since": "2026-03-01"}).content.decode()
    assert "Old Timer" not in page and "contributors.csv?since=2026-03-01" in page


@pytest.mark.django_db
def test_the_contributors_page_reads_the_same_number_of_queries_for_2_or_20_people(manager_client):
    def people(n: int) -> None:
        for i in range(n):
            person = PersonFactory(region=[r for r, _ in Person.Region.choices][i % 4])
            IdentityFactory(person=person)
            IdentityFactory(person=person, platform="reddit")
            contributed(person, "talk", date(2026, 1, 1 + i % 28), "A talk")
            contributed(person, "meetup", date(2026, 2, 1 + i % 28), "A meetup")
            if i % 2:
                person_tag(person, "core contributor")

    counts = []
    for n in (2, 18):  # 2, then 20 in all
        people(n)
        manager_client.get(reverse("people:contributors"))  # the page's own caches (navigation counts) filled
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("people:contributors"))
        assert response.content.decode().count('data-testid="contributor"') == len(Person.objects.all())
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The session and user, then the page's people (and one more), the count up to 1,000, their identities, their
    # latest contributions and their counts per kind.
    people_queries = [q["sql"] for q in queries.captured_queries if '"people_' in q["sql"]]
    assert len(people_queries) == 5, people_queries


@pytest.mark.django_db
def test_csv_cells_written_by_people_on_the_internet_never_run_as_formulas(manager_client):
    mallory = PersonFactory(name="=cmd|' /C calc'!A0")
    IdentityFactory(person=mallory, platform="reddit", handle="+SUM(A1)")
    contributed(mallory, "talk", date(2026, 1, 1), '@HYPERLINK("http://evil")')

    rows = csv_of(manager_client.get(reverse("people:contributors-csv")))

    row = rows[1]
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[2] == "reddit:+SUM(A1)"  # not at the start of its cell: nothing to guard
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.django_db
def test_advocates_cannot_see_the_contributors_page_or_its_csv(advocate_client):
    assert advocate_client.get(reverse("people:contributors")).status_code == 403
    assert advocate_client.get(reverse("people:contributors-csv")).status_code == 403
