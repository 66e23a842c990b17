"""The analytics and KPI API narrowed by `?product=` (issue 71): the rows of that product's raw tickets (a ticket
without a product counted as the first product's), whatever their channels; an unknown product is a 400 naming the
parameter and the desk's products, as the tickets and views API answer it (api/tests/test_products_api.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from api.tokens import token_create
from mentions.tests.factories import ManagerFactory
from metrics.tests.community_desk import END, START, _expected_volume
from metrics.tests.product_desk import of_product, product_desk_build

pytestmark = pytest.mark.django_db
QUERY = f"from={START}&to={END}"


@pytest.fixture
def desk():
    return product_desk_build()


@pytest.fixture
def client():
    secret = token_create(user=ManagerFactory(), name="analytics", scope="read", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.mark.parametrize("group", ["platform", "sentiment", "intent"])
def test_the_volume_of_a_product_is_its_raw_rows(desk, client, group):
    for product in (desk["kiln"], desk["cloud"]):
        for given in (product.slug, str(product.pk)):  # its slug, or its id
            response = client.get(f"/api/analytics/volume/?{QUERY}&by=week&group={group}&product={given}")
            assert response.status_code == 200, response.content
            expected = _expected_volume(of_product(desk["rows"], product), by="week", group=group)
            assert response.json() == {"rows": [{**r, "period": r["period"].isoformat()} for r in expected]}


def test_the_returning_members_of_a_product_add_up_to_the_desks(desk, client):
    url = f"/api/analytics/returning/?from={START - timedelta(days=7)}&to={END}&by=month"
    members = {}
    for product in ("", desk["kiln"].slug, desk["cloud"].slug):
        response = client.get(f"{url}&product={product}")
        assert response.status_code == 200
        members[product] = sum(r["members"] for r in response.json()["rows"])
    people = len({r["person"] for r in desk["rows"]})
    assert members[desk["kiln"].slug] + members[desk["cloud"].slug] == members[""] == people
    assert members[desk["cloud"].slug] > 0


def test_the_kpi_and_share_of_voice_take_the_product(desk, client):
    kpi = client.get(f"/api/kpi/?{QUERY}&product={desk['cloud'].slug}")
    assert kpi.status_code == 200, kpi.content
    cloud = [r for r in of_product(desk["rows"], desk["cloud"]) if START <= r["day"] <= END]
    figures = kpi.json()["first_reply"]["all"]
    # The KPI counts every ticket: the merged duplicate and the one begun in private (Kiln Cloud's) too.
    assert figures["replied"] + figures["unreplied"] == len(cloud) + 2
    voice = client.get(f"/api/analytics/share-of-voice/?{QUERY}&product={desk['cloud'].slug}")
    assert voice.status_code == 200


PATHS = ["/api/analytics/volume/", "/api/analytics/returning/", "/api/kpi/", "/api/analytics/share-of-voice/"]


@pytest.mark.parametrize("path", PATHS)
def test_an_unknown_product_is_a_400_naming_the_parameter(desk, client, path):
    response = client.get(f"{path}?{QUERY}&product=glaze")
    assert response.status_code == 400  # as on /api/tickets/ and /api/views/
    assert response.json() == {"product": ['"glaze" is not one of the desk\'s products: kiln, kiln-cloud.']}
    # An id the desk has not is refused alike; an empty one is the whole desk's.
    assert client.get(f"{path}?{QUERY}&product=999999").status_code == 400
    assert client.get(f"{path}?{QUERY}&product=").status_code == 200
