"""Competitors per product (issue 71, docs/products.md): a competitor of one product is searched by that product's
channels only (a channel without a product is the first product's), a desk-wide one by every channel; with one
product the field is not asked."""

from datetime import UTC, datetime, timedelta

import pytest

from channels.models import Channel, Competitor, CompetitorSearch
from channels.tests.factories import ChannelFactory
from intake.services.competitors import competitor_due
from mentions.models import ProductProfile

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def searched_by(channel: Channel) -> set[str]:
    """The competitors the channel takes in turn: each never searched comes before one searched already."""
    seen: set[str] = set()
    while (due := competitor_due(channel)) is not None and due.name not in seen:
        seen.add(due.name)
        CompetitorSearch.objects.create(channel=channel, competitor=due, searched_at=T0 + timedelta(minutes=len(seen)))
    return seen


def test_a_competitor_of_one_product_is_searched_by_that_products_channels_only():
    kiln, cloud = ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")
    Competitor.objects.create(name="Acme CI", terms=["acme ci"])  # the desk's
    Competitor.objects.create(name="Cloudforge", terms=["cloudforge"], product=cloud)
    Competitor.objects.create(name="Kilnworks", terms=["kilnworks"], product=kiln)
    assert searched_by(ChannelFactory(product=cloud)) == {"Acme CI", "Cloudforge"}
    assert searched_by(ChannelFactory(product=kiln)) == {"Acme CI", "Kilnworks"}
    assert searched_by(ChannelFactory()) == {"Acme CI", "Kilnworks"}  # no product: the first's


def test_with_one_product_every_competitor_is_searched_and_nothing_new_is_asked(admin_client):
    kiln = ProductProfile.objects.create(name="Kiln")
    acme = Competitor.objects.create(name="Acme CI", terms=["acme ci"], product=kiln)
    Competitor.objects.create(name="Forgeworks", terms=["forgeworks"])
    assert searched_by(ChannelFactory()) == {"Acme CI", "Forgeworks"}
    url = f"/admin/channels/competitor/{acme.pk}/change/"
    assert 'name="product"' not in admin_client.get(url).content.decode()
    ProductProfile.objects.create(name="Kiln Cloud")
    assert 'name="product"' in admin_client.get(url).content.decode()
