"""`GET /api/tickets/{id}/` carries the requester's weight, `author_weight`: their person's largest audience and
what it counts, or null. People and tickets are made as the ingest ties them (people/tests/factories.py)."""

import pytest
from django.test import Client

from api.tokens import token_create
from mentions.tests.factories import AdvocateFactory
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db


def _vera():
    vera = PersonFactory(name="Vera K.")
    on_hn = IdentityFactory(person=vera, platform="hackernews", handle="vera_k", audience=4210, audience_kind="karma")
    IdentityFactory(person=vera, platform="twitter", handle="verak", audience=12_345, audience_kind="followers")
    return ticket_from(on_hn)


def test_the_api_ticket_carries_the_author_weight_or_null():
    secret = token_create(user=AdvocateFactory(), name="test", scope="read", days=30)[1]
    auth = {"Authorization": f"Bearer {secret}"}
    weighed, unknown = _vera(), ticket_from(IdentityFactory(platform="hackernews", handle="quiet"))
    assert Client().get(f"/api/tickets/{weighed.pk}/", headers=auth).json()["author_weight"] == {
        "audience": 12_345,
        "kind": "followers",
    }
    assert Client().get(f"/api/tickets/{unknown.pk}/", headers=auth).json()["author_weight"] is None
