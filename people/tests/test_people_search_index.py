"""The people search (people.selectors.people_first, on the people list, GET /api/people/, the global search and the
merge search): what it finds, in which order and how it counts, and, on PostgreSQL, that the queries it runs can read
the name's trigram index (people/migrations/0008) rather than every person (issue 41: 174 ms of a 190 ms page at
250,000 people was a sequential scan with ILIKE)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mentions.search.tickets import COUNT_CAP
from people.models import Person, PersonTag
from people.selectors import PEOPLE_PAGE_SIZE, people_first, people_paged
from people.tests.factories import IdentityFactory, PersonFactory, person_tag

pytestmark = pytest.mark.django_db


def test_a_name_is_found_by_any_part_in_any_case_and_an_account_by_its_start_each_person_once():
    vera = PersonFactory(name="Vera Kowalska")
    IdentityFactory(person=vera, handle="kowalska_v")  # matches both ways: listed once
    ola = PersonFactory(name="Ola B")
    IdentityFactory(person=ola, handle="kowal_fan")  # by the account only
    IdentityFactory(person=PersonFactory(name="Tom"), handle="the_kowal")  # the account does not start with it
    gone = PersonFactory(name="Kowalczyk", erased_at="2026-01-01T00:00:00Z")

    page = people_paged(q="KOWAL", page=1)
    assert [p.pk for p in page.people] == [ola.pk, vera.pk]  # in name order
    assert (page.count, page.count_capped, page.has_next) == (2, False, False)
    assert [p.pk for p in people_paged(q="@Kowal_F", page=1).people] == [ola.pk]
    assert [p.pk for p in people_paged(q="alska", page=1).people] == [vera.pk]
    person_tag(ola, "press")
    press = PersonTag.objects.get(name="press")
    assert [p.pk for p in people_paged(q="kowal", tag=press, page=1).people] == [ola.pk]
    assert [p.pk for p in people_first("kowal", stop=5, leave_out=ola.pk)] == [vera.pk]
    assert gone.pk not in {p.pk for p in people_first("kowal", stop=5)}


def test_many_matches_are_paged_in_name_order_and_counted_up_to_the_cap():
    Person.objects.bulk_create(Person(name=f"Zed {i:04d}") for i in range(COUNT_CAP + 5))
    for i in range(3):
        IdentityFactory(person=PersonFactory(name=f"Amy {i}"), handle=f"zed_{i}")  # their accounts start with it

    first = people_paged(q="zed", page=1)
    assert (first.count, first.count_capped, first.has_next) == (COUNT_CAP, True, True)
    assert [p.name for p in first.people[:4]] == ["Amy 0", "Amy 1", "Amy 2", "Zed 0000"]
    second = people_paged(q="zed", page=2)
    assert second.people[0].name == f"Zed {PEOPLE_PAGE_SIZE - 3:04d}"  # right after the first page's last
    assert [p.name for p in people_paged(q="zed 100", page=1).people] == [f"Zed {i}" for i in range(1000, 1005)]


@pytest.mark.parametrize("q", ["kowal", "Vera Kowalska"])
def test_the_search_s_queries_can_read_the_name_s_trigram_index(q):
    Person.objects.bulk_create(Person(name=f"Person {i}") for i in range(20000))
    for i in range(3):
        IdentityFactory(person=PersonFactory(name=f"Vera Kowalska {i}"), handle=f"vk{i}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")  # the planner knows few names hold it, as on a real desk
    with CaptureQueriesContext(connection) as captured:
        assert len(people_paged(q=q, page=1).people) == 3
    searching = [c["sql"] for c in captured.captured_queries if "UNION" in c["sql"]]
    assert len(searching) == 2  # the page's rows and the count
    for sql in searching:
        # Sequential scans priced out, as on a desk with many people, where reading them all costs most: the name's
        # match must then be answered by an index that holds the name's every part.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "person_name_trgm_idx" in plan and "Seq Scan" not in plan, plan
