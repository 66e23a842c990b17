"""Two products on the Community tests' desk (metrics.tests.community_desk), for the figures narrowed to a product
(issue 71): metrics/tests/test_products_community.py, metrics/tests/test_products_kpi.py and
api/tests/test_analytics_products.py.

A ticket's product is not its channel's: the Hacker News channel is Kiln Cloud's, the others Kiln's, and the tickets
go round Kiln Cloud, Kiln and no product (the desk's first, Kiln), whatever their channel."""

from __future__ import annotations

from channels.models import Channel
from mentions.models import ProductProfile, Ticket
from metrics.tests.community_desk import desk_build


def products_make() -> tuple[ProductProfile, ProductProfile]:
    """Kiln (the desk's first) and Kiln Cloud."""
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def product_desk_build() -> dict:
    """desk_build's desk with products: its rows carry "product" (the id they count under: no product is Kiln's)."""
    kiln, cloud = products_make()
    desk = desk_build()
    Channel.objects.filter(pk=desk["channels"]["hackernews"].pk).update(product=cloud)
    Channel.objects.exclude(pk=desk["channels"]["hackernews"].pk).update(product=kiln)
    for i, row in enumerate(desk["rows"]):
        stored = (cloud, kiln, None)[i % 3]
        Ticket.objects.filter(pk=row["ticket"].pk).update(product=stored)
        row["product"] = (stored or kiln).pk
    # Not counted (merged, begun in private): Kiln Cloud's, so that a leak into its figures would show.
    Ticket.objects.exclude(pk__in=[r["ticket"].pk for r in desk["rows"]]).update(product=cloud)
    return {**desk, "kiln": kiln, "cloud": cloud}


def of_product(rows: list[dict], product: ProductProfile) -> list[dict]:
    return [r for r in rows if r["product"] == product.pk]
