"""The API narrowed to a product (issue 71, docs/api.md): `?product=` on the ticket list and the views, a `product` on
every ticket (the first product's for a ticket without one), a 400 naming the parameter for a product the desk does
not have, and no query more with five products than with one."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.tokens import token_create
from mentions.models import ProductProfile, Ticket
from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory


@pytest.fixture
def auth(db):
    return {"Authorization": f"Bearer {token_create(user=AdvocateFactory(), name='t', scope='read', days=30)[1]}"}


@pytest.fixture
def kiln_and_cloud(db):
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def _ids(answer) -> set[int]:
    assert answer.status_code == 200, answer.content
    return {t["id"] for t in answer.json()["results"]}


def test_the_ticket_list_narrowed_by_slug_or_id_and_each_tickets_product(client, auth, kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    before = TicketFactory()  # from before products: the first product's
    own, clouds = TicketFactory(product=kiln), TicketFactory.create_batch(2, product=cloud)

    assert _ids(client.get(f"/api/tickets/?product={kiln.slug}", headers=auth)) == {before.pk, own.pk}
    assert _ids(client.get(f"/api/tickets/?product={cloud.pk}", headers=auth)) == {t.pk for t in clouds}
    assert _ids(client.get("/api/tickets/?product=", headers=auth)) == {before.pk, own.pk, *(t.pk for t in clouds)}
    raw_kiln = Ticket.objects.filter(product__isnull=True).count() + Ticket.objects.filter(product=kiln).count()
    assert client.get(f"/api/tickets/?product={kiln.slug}", headers=auth).json()["count"] == raw_kiln
    products = {t["id"]: t["product"] for t in client.get("/api/tickets/", headers=auth).json()["results"]}
    assert products == {before.pk: "kiln", own.pk: "kiln", clouds[0].pk: "kiln-cloud", clouds[1].pk: "kiln-cloud"}
    assert client.get(f"/api/tickets/{before.pk}/", headers=auth).json()["product"] == "kiln"


def test_an_unknown_product_is_a_400_naming_the_parameter_and_the_desks_products(client, auth, kiln_and_cloud):
    answer = client.get("/api/tickets/?product=pottery", headers=auth)
    assert answer.status_code == 400
    assert answer.json()["product"] == ['"pottery" is not one of the desk\'s products: kiln, kiln-cloud.']
    assert client.get("/api/views/?product=999999", headers=auth).status_code == 400


def test_a_desk_without_products_answers_null_and_one_product_narrows_nothing(client, auth, db):
    ticket = TicketFactory()
    assert client.get(f"/api/tickets/{ticket.pk}/", headers=auth).json()["product"] is None
    kiln = ProductProfile.objects.create(name="Kiln")
    other = TicketFactory(product=kiln)
    assert _ids(client.get("/api/tickets/?product=kiln", headers=auth)) == {ticket.pk, other.pk}


def test_the_views_narrowed_to_a_product(client, auth, kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    TicketFactory.create_batch(2)
    TicketFactory(product=kiln)
    TicketFactory.create_batch(3, product=cloud)
    ViewFactory(slug="all")
    ViewFactory(slug="cloud", product=cloud)

    def waiting(query: str) -> dict[str, tuple[int, str | None]]:
        answer = client.get(f"/api/views/{query}", headers=auth)
        assert answer.status_code == 200, answer.content
        # The desk's own views from its migrations (Needs response, Noise) left out.
        return {v["slug"]: (v["waiting"], v["product"]) for v in answer.json() if v["slug"] in ("all", "cloud")}

    assert waiting("") == {"all": (6, None), "cloud": (3, "kiln-cloud")}
    assert waiting("?product=kiln") == {"all": (3, "kiln")}  # Kiln Cloud's view has nothing of Kiln's
    assert waiting(f"?product={cloud.pk}") == {"all": (3, "kiln-cloud"), "cloud": (3, "kiln-cloud")}


def test_the_schema_names_the_parameter_and_the_field(client, auth):
    schema = client.get("/api/schema/?format=json", headers=auth).json()
    listed = schema["paths"]["/api/tickets/"]["get"]["parameters"]
    assert "product" in {p["name"] for p in listed}
    assert "product" in {p["name"] for p in schema["paths"]["/api/views/"]["get"]["parameters"]}
    field = schema["components"]["schemas"]["Ticket"]["properties"]["product"]
    assert field["type"] == "string" and field.get("nullable") is True
    assert "product" in schema["components"]["schemas"]["Ticket"]["required"]


def test_the_ticket_list_costs_no_more_queries_with_five_products(client, auth, db):
    # One moment: the token's last use is written once a minute.
    with time_machine.travel(timezone.now(), tick=False):
        ProductProfile.objects.create(name="Kiln")
        TicketFactory.create_batch(4)
        client.get("/api/views/", headers=auth)  # the token's first use writes its last_used_at (once a minute)

        def cost(path: str) -> int:
            client.get(path, headers=auth)  # the products read once into this process's memory
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path, headers=auth).status_code == 200
            return len(queries)

        one = cost("/api/tickets/")
        others = [ProductProfile.objects.create(name=f"Product {n}") for n in range(4)]
        Ticket.objects.filter(pk__in=Ticket.objects.values_list("pk", flat=True)[:2]).update(product=others[2])
        assert cost("/api/tickets/") == one
        assert cost(f"/api/tickets/?product={others[2].slug}") == one
        assert cost("/api/views/") == cost(f"/api/views/?product={others[2].slug}")
