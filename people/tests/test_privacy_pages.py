"""Privacy on the person page and in admin (managers): a JSON download of everything held about a person,
and erasing them after a confirmation; advocates see neither."""

import json

import pytest

from people.models import Erasure, Person, PersonEvent
from people.privacy import ERASED
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def vera():
    identity = IdentityFactory(handle="vera_k", person=PersonFactory(name="Vera Kowalska"))
    ticket_from(identity, body="My runner cache breaks, Vera Kowalska")
    return identity.person


def test_managers_see_the_privacy_section_advocates_do_not(vera, advocate_client, manager_client):
    assert b'data-testid="person-privacy"' in manager_client.get(vera.get_absolute_url()).content
    assert b'data-testid="person-privacy"' not in advocate_client.get(vera.get_absolute_url()).content


def test_a_manager_downloads_the_export_and_it_is_recorded(vera, advocate_client, manager_client):
    assert advocate_client.post(f"/people/{vera.pk}/export/").status_code == 403
    assert manager_client.get(f"/people/{vera.pk}/export/").status_code == 405
    answer = manager_client.post(f"/people/{vera.pk}/export/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer["Content-Disposition"] == f'attachment; filename="person-{vera.pk}.json"'
    data = json.loads(answer.content)
    assert data["person"]["name"] == "Vera Kowalska"
    assert data["messages"][0]["body"] == "My runner cache breaks, Vera Kowalska"
    assert PersonEvent.objects.filter(person=vera, kind=PersonEvent.Kind.EXPORTED, actor=manager_client.user).exists()


def test_erasing_from_the_page_needs_the_name_or_erase_typed(vera, advocate_client, manager_client):
    assert advocate_client.post(f"/people/{vera.pk}/erase/", {"confirm": "ERASE"}).status_code == 403
    refused = manager_client.post(f"/people/{vera.pk}/erase/", {"confirm": "Vera"})
    assert refused.status_code == 200 and "Type “Vera Kowalska” or ERASE" in refused.content.decode()
    assert not Erasure.objects.exists()

    done = manager_client.post(f"/people/{vera.pk}/erase/", {"confirm": " vera  kowalska "}, follow=True)
    assert done.redirect_chain[-1][0] == vera.get_absolute_url()
    assert "Erased:" in done.content.decode() and "Vera Kowalska" not in done.content.decode()
    vera.refresh_from_db()
    assert vera.erased_at and vera.identities.get().handle == ERASED
    assert Erasure.objects.get().via == "page"


def test_erase_typed_in_capitals_confirms_too(vera, manager_client):
    manager_client.post(f"/people/{vera.pk}/erase/", {"confirm": "ERASE"})
    assert Person.objects.get(pk=vera.pk).erased_at is not None


def test_admin_finds_people_by_handle_and_erases_after_confirming(vera, admin_client):
    listed = admin_client.get("/admin/people/person/", {"q": "vera_k"})
    assert listed.status_code == 200 and "Vera Kowalska" in listed.content.decode()
    assert admin_client.get(f"/admin/people/person/{vera.pk}/change/").status_code == 200
    asked = admin_client.post("/admin/people/person/", {"action": "erase", "_selected_action": [vera.pk]})
    assert asked.status_code == 200 and "Yes, erase them" in asked.content.decode()
    assert not Erasure.objects.exists()
    admin_client.post("/admin/people/person/", {"action": "erase", "_selected_action": [vera.pk], "post": "yes"})
    assert Erasure.objects.get().via == "admin"
    assert Person.objects.get(pk=vera.pk).erased_at is not None


def test_admin_exports_as_json(vera, admin_client):
    answer = admin_client.post("/admin/people/person/", {"action": "export_json", "_selected_action": [vera.pk]})
    assert answer["Content-Type"] == "application/json"
    assert json.loads(answer.content)["identities"][0]["handle"] == "vera_k"
