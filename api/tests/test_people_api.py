"""People in the API: found by handle, name or address, one with the tickets they opened, merged and erased by
managers only (advocates read, as on the pages), and a ticket naming its person."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.tokens import token_create
from mentions.search.tickets import COUNT_CAP
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory
from people.models import Erasure, Identity, Person
from people.selectors import PEOPLE_PAGE_SIZE
from people.tests.factories import IdentityFactory, PersonFactory, person_tag, ticket_from

pytestmark = pytest.mark.django_db


def _client(user, scope: str = "write") -> Client:
    secret = token_create(user=user, name="t", scope=scope, days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def advocate():
    return _client(AdvocateFactory())


@pytest.fixture
def manager():
    return _client(ManagerFactory())


def test_people_are_found_by_handle_name_or_address_with_their_identities(advocate):
    vera = IdentityFactory(handle="vera_k", person=PersonFactory(name="Vera Kowalska")).person
    IdentityFactory(person=vera, platform="email", handle="vera@example.org")
    person_tag(vera, "customer")
    IdentityFactory(handle="ola_b", person=PersonFactory(name="Ola B"))

    for q in ("@Vera_K", "kowal", "vera@example.org"):
        answer = advocate.get("/api/people/", {"q": q}).json()
        assert [p["id"] for p in answer["results"]] == [vera.pk], q
    first = advocate.get("/api/people/", {"q": "vera"}).json()["results"][0]
    assert first["name"] == "Vera Kowalska" and first["tags"] == ["customer"]
    assert first["identities"] == [
        {"platform": "email", "handle": "vera@example.org"},
        {"platform": "hackernews", "handle": "vera_k"},
    ]
    assert advocate.get("/api/people/").json()["count"] == 2


def test_the_people_list_asks_the_same_queries_with_5_or_15_people_and_stops_counting_at_the_cap(advocate):
    def people(n: int) -> None:
        for _ in range(n):
            identity = IdentityFactory()
            IdentityFactory(person=identity.person, platform="reddit")
            person_tag(identity.person, "press")

    def queries(**params: object) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            answer = advocate.get("/api/people/", params)
        assert answer.status_code == 200
        return len(captured), answer.json()

    people(5)
    queries()  # the token's first use is recorded once
    few, answer = queries()
    assert (answer["count"], answer["count_capped"], len(answer["results"])) == (5, False, 5)
    people(10)
    many, answer = queries()
    assert many == few and (answer["count"], answer["count_capped"], len(answer["results"])) == (15, False, 15)
    assert len(answer["results"][0]["identities"]) == 2 and answer["results"][0]["tags"] == ["press"]

    # Past the cap the count stops at 1,000 and says so, with the same queries (no COUNT(*) over everyone).
    Person.objects.bulk_create(Person(name=f"Zed {i:04d}") for i in range(COUNT_CAP))
    capped, answer = queries()
    assert capped == few and (answer["count"], answer["count_capped"], answer["has_next"]) == (COUNT_CAP, True, True)
    assert len(answer["results"]) == PEOPLE_PAGE_SIZE and answer["page"] == 1
    _, second = queries(page=2)
    assert second["page"] == 2 and {p["id"] for p in second["results"]}.isdisjoint(p["id"] for p in answer["results"])
    _, found = queries(q="Zed 001")
    assert (found["count"], found["count_capped"], found["has_next"]) == (10, False, False)


def test_erased_people_are_left_out_of_the_list(advocate, manager):
    gone = IdentityFactory(handle="gone_k").person
    assert manager.post(f"/api/people/{gone.pk}/erase/").status_code == 200
    assert advocate.get("/api/people/", {"q": "gone"}).json()["results"] == []


def test_a_person_lists_the_tickets_they_opened_and_a_ticket_names_its_person(advocate):
    identity = IdentityFactory()
    other = IdentityFactory(person=identity.person, platform="email", handle="v@example.org")
    tickets = [ticket_from(identity), ticket_from(other)]
    nobody = TicketFactory()

    person = advocate.get(f"/api/people/{identity.person_id}/").json()
    assert sorted(person["tickets"]) == sorted(t.pk for t in tickets)
    assert advocate.get(f"/api/tickets/{tickets[0].pk}/").json()["person"] == identity.person_id
    assert advocate.get(f"/api/tickets/{nobody.pk}/").json()["person"] is None
    listed = {t["id"]: t["person"] for t in advocate.get("/api/tickets/").json()["results"]}
    assert listed == {tickets[0].pk: identity.person_id, tickets[1].pk: identity.person_id, nobody.pk: None}
    assert advocate.get("/api/people/999999/").status_code == 404


def test_the_ticket_list_asks_no_query_per_ticket_for_its_person(advocate):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert advocate.get("/api/tickets/").status_code == 200
        return len(captured)

    ticket_from(IdentityFactory())
    queries()  # the token's first use is recorded once
    few = queries()
    for _ in range(4):
        ticket_from(IdentityFactory())
    assert queries() == few


def test_managers_merge_and_erase_advocates_are_refused(advocate, manager):
    source = IdentityFactory(handle="vera_k").person
    into = IdentityFactory(platform="reddit", handle="vera").person
    ticket_from(Identity.objects.get(person=source))

    assert advocate.post(f"/api/people/{source.pk}/merge/", {"into": into.pk}, "application/json").status_code == 403
    assert advocate.post(f"/api/people/{into.pk}/erase/").status_code == 403
    assert Person.objects.count() == 2 and not Erasure.objects.exists()

    merged = manager.post(f"/api/people/{source.pk}/merge/", {"into": into.pk}, "application/json")
    assert merged.status_code == 200
    assert {i["handle"] for i in merged.json()["identities"]} == {"vera_k", "vera"}
    assert len(merged.json()["tickets"]) == 1
    assert not Person.objects.filter(pk=source.pk).exists()
    assert manager.post(f"/api/people/{into.pk}/merge/", {"into": into.pk}, "application/json").status_code == 409
    missing = manager.post(f"/api/people/{into.pk}/merge/", {"into": 999999}, "application/json")
    assert missing.status_code == 404
    assert manager.post(f"/api/people/{into.pk}/merge/", {}, "application/json").status_code == 400

    erased = manager.post(f"/api/people/{into.pk}/erase/")
    assert erased.status_code == 200
    assert erased.json()["counts"]["identities"] == 2 and erased.json()["erased_at"]
    assert Erasure.objects.get().via == "api"
    assert manager.post(f"/api/people/{into.pk}/erase/").status_code == 409


def test_a_read_token_cannot_erase(manager):
    person = IdentityFactory().person
    reader = _client(ManagerFactory(), scope="read")
    assert reader.post(f"/api/people/{person.pk}/erase/").status_code == 403
    assert not Erasure.objects.exists()
