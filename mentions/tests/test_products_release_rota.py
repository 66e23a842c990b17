"""The release advocate rota per product (issue 71, docs/products.md): a month may have an entry for every product and
one per product; the queue narrowed to a product names its own entry first, else the desk-wide one, and the whole
queue names each; admin asks for the product only with several products, and refuses a month's second entry for the
same product (or for every product) with a message, not a database error. With one product nothing changes."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from mentions.models import ProductProfile, ReleaseRota
from mentions.tests.factories import AdvocateFactory, UserFactory

pytestmark = pytest.mark.django_db

MONTH = date(2026, 11, 1)
TODAY = date(2026, 11, 18)


@pytest.fixture
def kiln_and_cloud():
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def _advocate(day: date, product_id: int | None = None):
    rota = ReleaseRota.for_month(day, product_id)
    return rota.advocate if rota is not None else None


def _duty_line(client, url: str) -> str:
    with time_machine.travel(f"{TODAY.isoformat()} 12:00Z", tick=False):
        html = client.get(url).content.decode()
    return html.split('data-testid="release-duty">')[1].split("</p>")[0]


def test_the_narrowed_queue_names_the_products_own_release_advocate_first(advocate_client, kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    ReleaseRota.objects.create(month=MONTH, advocate=AdvocateFactory(first_name="Ana", last_name="Desk"))
    ReleaseRota.objects.create(month=MONTH, product=cloud, advocate=AdvocateFactory(first_name="Bo", last_name="Cloud"))

    assert "<strong>Bo Cloud</strong>" in _duty_line(advocate_client, f"/?product={cloud.slug}")
    assert "<strong>Ana Desk</strong>" in _duty_line(advocate_client, f"/?product={kiln.slug}")  # none of its own
    assert _duty_line(advocate_client, "/") == (
        "Release advocates this month: <strong>Ana Desk</strong> (every product), <strong>Bo Cloud</strong> "
        "(Kiln Cloud) · release day Sun 22 Nov"
    )


def test_a_product_without_an_entry_and_no_desk_wide_one_has_nobody(advocate_client, kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    bo = AdvocateFactory(first_name="Bo", last_name="Cloud")
    ReleaseRota.objects.create(month=MONTH, product=cloud, advocate=bo)

    assert "nobody on the rota yet" in _duty_line(advocate_client, f"/?product={kiln.slug}")
    assert _advocate(TODAY, cloud.pk) == bo
    assert ReleaseRota.for_month(TODAY) is None  # the whole desk: no desk-wide entry, nor the first product's


def test_with_one_product_the_queue_says_what_it_said(advocate_client, db):
    kiln = ProductProfile.objects.create(name="Kiln")
    ReleaseRota.objects.create(month=MONTH, advocate=AdvocateFactory(first_name="Ana", last_name="Desk"))
    line = "Release advocate this month: <strong>Ana Desk</strong> · release day Sun 22 Nov"
    assert _duty_line(advocate_client, "/") == _duty_line(advocate_client, f"/?product={kiln.slug}") == line
    # An entry left with the product (the desk had two, one was deleted) still names the desk's advocate.
    ReleaseRota.objects.all().delete()
    cy = AdvocateFactory(first_name="Cy", last_name="Kiln")
    ReleaseRota.objects.create(month=MONTH, product=kiln, advocate=cy)
    assert "<strong>Cy Kiln</strong>" in _duty_line(advocate_client, "/")


def test_a_product_deleted_takes_its_entries_with_it(kiln_and_cloud):
    _kiln, cloud = kiln_and_cloud
    desk_wide = ReleaseRota.objects.create(month=MONTH, advocate=AdvocateFactory())
    ReleaseRota.objects.create(month=MONTH, product=cloud, advocate=AdvocateFactory())
    cloud.delete()  # emptied, its entry would have met the month's desk-wide one
    assert list(ReleaseRota.objects.all()) == [desk_wide]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_rota_admin_shows_the_product_only_with_several_and_refuses_a_second_entry(admin_client, db):
    add = reverse("admin:mentions_releaserota_add")
    changelist = reverse("admin:mentions_releaserota_changelist")
    ana, bo = AdvocateFactory(), AdvocateFactory()
    kiln = ProductProfile.objects.create(name="Kiln")
    ReleaseRota.objects.create(month=MONTH, advocate=ana)

    assert 'name="product"' not in admin_client.get(add).content.decode()
    assert "column-product" not in admin_client.get(changelist).content.decode()
    again = admin_client.post(add, {"month": "2026-11-01", "advocate": bo.pk})
    assert "That month already has a release advocate (for every product)." in again.content.decode()

    cloud = ProductProfile.objects.create(name="Kiln Cloud")
    assert 'name="product"' in admin_client.get(add).content.decode()
    assert admin_client.post(add, {"month": "2026-11-01", "advocate": bo.pk, "product": cloud.pk}).status_code == 302
    twice = admin_client.post(add, {"month": "2026-11-01", "advocate": ana.pk, "product": cloud.pk})
    assert "That month already has a release advocate for this product." in twice.content.decode()
    listed = admin_client.get(changelist).content.decode()
    assert "column-product" in listed and "Kiln Cloud" in listed
    assert _advocate(TODAY, cloud.pk) == bo
    assert _advocate(TODAY, kiln.pk) == ana
