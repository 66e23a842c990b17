"""Experts per product (issue 71, docs/products.md): an expert may cover some products (none named: all); a ticket
is offered only the experts covering its product, a ticket without one being the first product's. With one product
the field is not asked and everyone is offered, as before."""

import pytest

from experts.suggest import experts_suggest
from experts.tests.factories import ExpertFactory
from mentions.models import ProductProfile
from mentions.tests.factories import MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db

QUESTION = "The runner never picks up the job"


@pytest.fixture
def kiln_and_cloud():
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def ticket_of(product: ProductProfile | None):
    ticket = TicketFactory(product=product)
    MessageFactory(ticket=ticket, body=QUESTION)
    return ticket


def offered(ticket) -> list[str]:
    return [s.expert.name for s in experts_suggest(ticket=ticket)]


def runner_expert(name: str, *products: ProductProfile):
    expert = ExpertFactory(name=name, topics=["runner"])
    expert.products.set(products)
    return expert


def test_an_expert_covering_only_product_b_is_not_offered_for_a_tickets(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    runner_expert("Cleo Cloud", cloud)
    runner_expert("Kim Kiln", kiln)
    runner_expert("Ada Everything")  # none named: every product
    runner_expert("Bo Both", kiln, cloud)

    assert offered(ticket_of(kiln)) == ["Ada Everything", "Bo Both", "Kim Kiln"]
    assert offered(ticket_of(cloud)) == ["Ada Everything", "Bo Both", "Cleo Cloud"]
    # A ticket from before products is the first product's.
    assert offered(ticket_of(None)) == ["Ada Everything", "Bo Both", "Kim Kiln"]


def test_covering_a_product_shows_in_the_next_suggestion(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    expert = runner_expert("Cleo Cloud")
    ticket = ticket_of(kiln)
    assert offered(ticket) == ["Cleo Cloud"]
    expert.products.add(cloud)  # the directory kept in memory is retired at once
    assert offered(ticket) == []
    expert.products.remove(cloud)
    assert offered(ticket) == ["Cleo Cloud"]


def test_with_one_product_everyone_is_offered_and_nothing_new_is_asked(admin_client):
    kiln = ProductProfile.objects.create(name="Kiln")
    expert = runner_expert("Kim Kiln", kiln)
    runner_expert("Ada Everything")
    assert offered(ticket_of(kiln)) == ["Ada Everything", "Kim Kiln"]
    assert 'name="products"' not in admin_client.get(f"/admin/experts/expert/{expert.pk}/change/").content.decode()

    ProductProfile.objects.create(name="Kiln Cloud")
    assert 'name="products"' in admin_client.get(f"/admin/experts/expert/{expert.pk}/change/").content.decode()


def test_admin_saves_the_products_an_expert_covers(admin_client, kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    expert = runner_expert("Cleo Cloud", cloud)
    response = admin_client.post(
        f"/admin/experts/expert/{expert.pk}/change/",
        {
            "name": "Cleo Cloud",
            "slack_handle": "@cleo",
            "topics": '["runner"]',
            "active": "on",
            "products": [kiln.pk, cloud.pk],
            "identities-TOTAL_FORMS": "0",
            "identities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(expert.products.all()) == {kiln, cloud}
