"""A ticket's product at intake (issue 71, docs/products.md): its channel's, unless its first mention names another
product of the desk; read once for the page, so a page costs the same statements whatever the number of products."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import ProductProfile, Ticket

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def item(text: str, *, title: str = "", parent: str = "") -> IncomingMention:
    n = next(_ids)
    return IncomingMention(
        external_id=f"prod{n}",
        created_at=T0 + timedelta(seconds=n),
        text=text,
        title=title,
        author_handle="someone",
        parent_id=parent,
        permalink=f"https://example.com/prod{n}",
    )


def _products(**names: str) -> dict[str, ProductProfile]:
    return {name: ProductProfile.objects.create(name=name, other_names=other) for name, other in names.items()}


def _ingested(channel, *mentions: IncomingMention) -> list[int | None]:
    mentions_ingest(channel=channel, mentions=list(mentions))
    by_first = dict(Ticket.objects.filter(channel=channel).values_list("subject", "product_id"))
    return [by_first[m.title or m.text] for m in mentions]


def test_a_ticket_gets_its_channels_product():
    products = _products(Kiln="", Glaze="glaze.dev")
    channel = ChannelFactory(product=products["Glaze"])
    assert _ingested(channel, item("my build hangs")) == [products["Glaze"].pk]


def test_a_mention_naming_another_product_of_the_desk_gets_that_one():
    products = _products(Kiln="", Glaze="glaze.dev")
    channel = ChannelFactory(product=products["Kiln"])
    found = _ingested(
        channel,
        item("is glaze.dev down?"),  # another name of Glaze
        item("GLAZE broke my pipeline"),  # its name, any case
        item("the glazed doughnut line"),  # not a whole word: the channel's
        item("nothing named, but the title", title="Glaze question"),
    )
    glaze, kiln = products["Glaze"].pk, products["Kiln"].pk
    assert found == [glaze, glaze, kiln, glaze]


def test_a_mention_naming_two_products_gets_the_first_named():
    products = _products(Kiln="", Glaze="", Slip="")
    channel = ChannelFactory(product=products["Kiln"])
    found = _ingested(channel, item("moving from Slip to Glaze"), item("Glaze or Slip? Slip, surely"))
    assert found == [products["Slip"].pk, products["Slip"].pk]  # the first named; the most named


def test_a_channel_without_a_product_gives_the_desks_first_and_one_product_takes_every_ticket():
    products = _products(Kiln="")
    assert _ingested(ChannelFactory(), item("glaze.dev and Kiln")) == [products["Kiln"].pk]


def test_a_fresh_desk_without_products_stores_tickets_without_one():
    assert _ingested(ChannelFactory(), item("anything at all")) == [None]


def test_a_follow_up_does_not_move_its_ticket():
    products = _products(Kiln="", Glaze="")
    channel = ChannelFactory(product=products["Kiln"])
    root = item("my build hangs")
    mentions_ingest(channel=channel, mentions=[root])
    mentions_ingest(channel=channel, mentions=[item("it is Glaze, actually", parent=root.external_id)])
    assert list(Ticket.objects.filter(channel=channel).values_list("product_id", flat=True)) == [products["Kiln"].pk]


def test_a_page_costs_the_same_statements_with_one_product_or_five():
    mentions_ingest(channel=ChannelFactory(), mentions=[item("warm")])  # per-process first-use work is not a page's
    counts = []
    for names in (["Kiln"], ["Glaze", "Slip", "Clay", "Wheel"]):
        for name in names:
            ProductProfile.objects.create(name=name)
        channel = ChannelFactory()
        page = [item(f"{name} number {i}") for i in range(30) for name in ("Kiln", "Glaze", "nothing")]
        with CaptureQueriesContext(connection) as queries:
            result = mentions_ingest(channel=channel, mentions=page)
        assert result.tickets_created == 90
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    kiln, glaze = ProductProfile.objects.get(name="Kiln"), ProductProfile.objects.get(name="Glaze")
    assert Ticket.objects.filter(channel=channel, product=glaze).count() == 30
    assert Ticket.objects.filter(channel=channel, product=kiln).count() == 60  # Kiln's own and the first's
