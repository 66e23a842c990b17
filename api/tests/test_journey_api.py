"""The contributor journey in the API (issue 46): a person's level (name and points) and activities (kind, weight,
when, link), the people at a level, and the open recognitions for managers. The people are made through the same
services the pages use (contributions logged, tickets opened as the ingest ties them); no platform payload."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from api.tokens import token_create
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from people.contributions import contribution_add
from people.models import Activity, Level
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from
from people.tests.test_journey import journey_seeded

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    secret = token_create(user=user, name="t", scope="write", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _vera():
    journey_seeded()
    vera = PersonFactory(name="Vera Kowalska")
    ticket = ticket_from(IdentityFactory(person=vera, handle="vera_k"))
    # Asked before the talk, whenever the factory dates the ticket: the order below is by the activity's time.
    asked_at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    Activity.objects.create(person=vera, kind="asked", at=asked_at, link="/t/", source=f"ticket:{ticket.pk}")
    contribution_add(person=vera, kind="talk", on=date(2026, 11, 3), link="https://example.com/talk", user=None)
    return vera  # the talk's 15 points (the asked row was written directly, outside the points' path)


def test_a_person_carries_their_level_and_activities_newest_first():
    vera = _vera()
    body = _client(AdvocateFactory()).get(f"/api/people/{vera.pk}/").json()
    assert body["level"] == {"name": "Participant", "points": 15}
    assert [(a["kind"], a["weight"], a["link"]) for a in body["activities"]] == [
        ("talk", 15, "https://example.com/talk"),
        ("asked", 1, "/t/"),
    ] and body["activities"][0]["when"].startswith("2026-11-03T12:00:00")
    nobody = PersonFactory(name="No one yet")
    assert _client(AdvocateFactory()).get(f"/api/people/{nobody.pk}/").json()["level"] is None


def test_people_at_a_level_by_its_name():
    vera = _vera()
    PersonFactory(name="Ola")  # no level
    advocate = _client(AdvocateFactory())
    found = advocate.get("/api/people/", {"level": "participant"}).json()
    assert [p["id"] for p in found["results"]] == [vera.pk] and found["results"][0]["level"]["name"] == "Participant"
    assert advocate.get("/api/people/", {"level": "Champion"}).json()["results"] == []
    assert advocate.get("/api/people/", {"level": "No such level"}).json()["count"] == 0


def test_the_open_recognitions_are_for_managers():
    vera = _vera()
    Level.objects.filter(name="Participant").update(gift_item="Stickers")
    assert _client(AdvocateFactory()).get("/api/people/recognition/").status_code == 403
    [row] = _client(ManagerFactory()).get("/api/people/recognition/").json()
    assert {k: row[k] for k in ("person", "person_name", "from_level", "to_level", "points", "suggested_gift")} == {
        "person": vera.pk,
        "person_name": "Vera Kowalska",
        "from_level": "Newcomer",  # as 0 points reach (the points before the talk)
        "to_level": "Participant",
        "points": 15,
        "suggested_gift": "Stickers",
    }
