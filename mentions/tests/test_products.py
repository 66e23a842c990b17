"""The desk's products (issue 71, docs/products.md): which product a mention names, a ticket moved to another product
with its history saying who moved it, the ticket page unchanged with one product, the admin's products and the
judgement still reading the first one."""

import re

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from mentions.judgement.product import product_load
from mentions.models import Message, ProductProfile, Tag, Ticket, TicketEvent
from mentions.products import DeskProduct, DeskProducts, desk_products, names_of
from mentions.services.products import ticket_move_product
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory, seen

K = TicketEvent.Kind


def _products(*named: tuple[str, str]) -> DeskProducts:
    return DeskProducts(
        tuple(
            DeskProduct(pk=i, name=name, slug=f"p{i}", colour="#000000", names=names_of(name, other))
            for i, (name, other) in enumerate(named, start=1)
        )
    )


GITLAB_AND_RUNNER = _products(("GitLab", "gitlab.com"), ("GitLab Runner", "gitlab-runner"), ("Kiln", ""))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("nothing of ours here", None),
        ("Kiln fails to start", 3),  # any case
        ("my kiln config and then gitlab.com", 3),  # the first named, each named once
        ("kiln is slow, then gitlab.com, then gitlab again", 1),  # the most named, though named after another
        ("kiln? kiln! gitlab", 3),  # the most named, named first too
        ("gitlab-runner and gitlab runner both hang", 2),  # a longer name over the shorter one it holds
        ("Kilned pottery and gitlabber jokes", None),  # whole words only
        ("see docs.kiln for it", None),  # a name inside a dotted host is not the product
        ("@gitlab is the GitLab Runner supported on arm64?", 2),  # a handle addresses the account: it names nothing
        ("@kiln hello", None),
    ],
)
def test_the_product_a_text_names(text, named):
    assert GITLAB_AND_RUNNER.named(text) == named


def test_a_new_tickets_product_is_the_one_its_mention_names_else_its_channels_else_the_first():
    assert GITLAB_AND_RUNNER.for_mention(3, "the runner hangs on gitlab-runner 17") == 2
    assert GITLAB_AND_RUNNER.for_mention(3, "nothing named") == 3
    assert GITLAB_AND_RUNNER.for_mention(None, "nothing named") == 1
    assert GITLAB_AND_RUNNER.for_mention(99, "a channel's product deleted meanwhile") == 1
    one = _products(("Kiln", ""))
    assert one.for_mention(None, "gitlab.com") == 1 and not one.many  # one product: nothing else to be given
    assert _products().for_mention(None, "Kiln") is None  # a fresh desk: no product row yet


# --- Moving a ticket -----------------------------------------------------------------------------------------------


@pytest.fixture
def two_products(db):
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def _move(client, ticket, product):
    ticket.refresh_from_db()
    url = reverse("mentions:ticket-product", args=[ticket.pk])
    return client.post(url, {"seen": seen(ticket), "product": product.pk})


def test_moving_a_ticket_keeps_everything_and_its_history_says_who_moved_it(advocate_client, two_products):
    kiln, cloud = two_products
    ticket = TicketFactory(priority=Ticket.Priority.HIGH, high_priority=True)  # from before products: the first's
    MessageFactory(ticket=ticket, body="Kiln Cloud will not start")
    ticket.tags.add(Tag.objects.create(name="startup"))
    before = (ticket.status, ticket.priority, ticket.assignee_id, ticket.requested_at)

    response = _move(advocate_client, ticket, cloud)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.product_id == cloud.pk
    assert (ticket.status, ticket.priority, ticket.assignee_id, ticket.requested_at) == before
    assert list(ticket.tags.values_list("name", flat=True)) == ["startup"]
    assert Message.objects.filter(ticket=ticket, body="Kiln Cloud will not start").count() == 1
    event = ticket.events.get(kind=K.PRODUCT)
    assert event.actor == advocate_client.user
    assert event.data == {"from": "Kiln", "to": "Kiln Cloud", "from_id": kiln.pk, "to_id": cloud.pk}
    history = advocate_client.get(reverse("mentions:ticket-history", args=[ticket.pk])).content.decode()
    assert f"{advocate_client.user.get_username()} moved it from Kiln to Kiln Cloud" in history
    # Back again: a second line; to the product it has: nothing written.
    _move(advocate_client, ticket, kiln)
    _move(advocate_client, ticket, kiln)
    assert [e.data["to"] for e in ticket.events.filter(kind=K.PRODUCT)] == ["Kiln Cloud", "Kiln"]


def test_a_product_not_of_the_desk_is_refused_and_nothing_moves(two_products):
    ticket = TicketFactory()
    with pytest.raises(Exception, match="Choose one of the desk's products"):
        ticket_move_product(ticket=ticket, user=ManagerFactory(), product_id=10**9)
    ticket.refresh_from_db()
    assert ticket.product_id is None and not ticket.events.exists()


def test_an_advocate_cannot_move_a_ticket_assigned_to_someone_else(advocate_client, two_products):
    ticket = TicketFactory(assignee=AdvocateFactory())
    assert _move(advocate_client, ticket, two_products[1]).status_code == 403
    ticket.refresh_from_db()
    assert ticket.product_id is None and not ticket.events.exists()


# --- The ticket page -----------------------------------------------------------------------------------------------


def _page(client, ticket) -> str:
    """The ticket page with its panels inline (the facts among them), its per-answer tokens and times taken out."""
    html = client.get(f"{ticket.get_absolute_url()}?panels=inline").content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'(nonce|data-csrf|content)="[A-Za-z0-9+/=_\-]{20,}"', "", html)
    return html


def test_with_one_product_the_ticket_page_is_what_it_was(advocate_client, db):
    """The page of a desk with one product equals the page of a desk without products (how every desk was before):
    no product shown, nothing asked."""
    ticket = TicketFactory()
    MessageFactory(ticket=ticket, body="Kiln fails")
    with time_machine.travel(timezone.now(), tick=False):  # the page's relative times read alike twice
        without = _page(advocate_client, ticket)
        assert 'id="ticket-facts"' in without  # the facts are in it
        ProductProfile.objects.create(name="Kiln")
        Ticket.objects.filter(pk=ticket.pk).update(product=ProductProfile.objects.get())
        with_one = _page(advocate_client, ticket)
    assert with_one == without
    assert "ticket-product" not in with_one and "Kiln Cloud" not in with_one


def test_with_two_products_the_ticket_page_shows_its_product_and_offers_the_move(advocate_client, two_products):
    kiln, cloud = two_products
    ticket = TicketFactory(product=cloud)
    html = _page(advocate_client, ticket)
    assert 'data-testid="product-panel"' in html
    assert f'<option value="{cloud.pk}" selected>Kiln Cloud</option>' in html
    assert f'<option value="{kiln.pk}">Kiln</option>' in html
    assert "About Kiln Cloud." in html
    # A ticket without a product (from before products) is about the first one.
    assert "About Kiln." in _page(advocate_client, TicketFactory())


def _page_queries(client, url: str) -> int:
    client.get(url)  # per-process first-use work (the products kept in memory among it) is not what a page costs
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_ticket_page_costs_the_same_queries_with_five_products_as_with_one(advocate_client, db):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    url = f"{ticket.get_absolute_url()}?panels=inline"
    ProductProfile.objects.create(name="Kiln")
    one = _page_queries(advocate_client, url)
    for name in ("Glaze", "Slip", "Clay", "Wheel"):
        ProductProfile.objects.create(name=name)
    Ticket.objects.filter(pk=ticket.pk).update(product=ProductProfile.objects.get(name="Clay"))
    five = _page_queries(advocate_client, url)
    assert 'data-testid="product-panel"' in advocate_client.get(url).content.decode()
    assert five == one


def test_the_pages_read_a_new_product_at_once(db):
    """The pages keep the products in memory under their version: a product added or deleted counts at once."""
    assert not desk_products().many
    first = ProductProfile.objects.create(name="Kiln")
    second = ProductProfile.objects.create(name="Kiln Cloud")
    assert [p.pk for p in desk_products().products] == [first.pk, second.pk]
    second.delete()
    assert [p.name for p in desk_products().products] == ["Kiln"]


# --- Admin and the judgement ---------------------------------------------------------------------------------------


def test_admin_adds_products_and_keeps_the_first(two_products, admin_user):
    kiln, cloud = two_products
    request = RequestFactory().get("/")
    request.user = admin_user
    admin = site._registry[ProductProfile]
    assert admin.has_add_permission(request)
    assert not admin.has_delete_permission(request, kiln)  # the default of every channel and ticket without one
    assert admin.has_delete_permission(request, cloud)
    assert (kiln.slug, cloud.slug) == ("kiln", "kiln-cloud")
    assert ProductProfile.objects.create(name="Kiln").slug == "kiln-2"


def test_the_channel_form_asks_for_a_product_only_when_there_are_several(admin_client, db):
    channel = ChannelFactory()
    url = reverse("admin:channels_channel_change", args=[channel.pk])
    ProductProfile.objects.create(name="Kiln")
    assert 'name="product"' not in admin_client.get(url).content.decode()
    cloud = ProductProfile.objects.create(name="Kiln Cloud")
    html = admin_client.get(url).content.decode()
    assert 'name="product"' in html and f'<option value="{cloud.pk}">Kiln Cloud</option>' in html
    Channel.objects.filter(pk=channel.pk).update(product=cloud)
    cloud.delete()  # its channels and tickets go back to the first product
    assert Channel.objects.get(pk=channel.pk).product_id is None


def test_the_judgement_reads_the_first_product_as_before(two_products):
    assert product_load().name == "Kiln"
    ProductProfile.objects.all().delete()
    assert product_load().name == "GitLab"  # the defaults, without a row


def test_a_product_narrows_to_its_tickets_and_the_first_holds_those_without_one(two_products):
    kiln, cloud = two_products
    old = TicketFactory(product=None)  # from before products
    first = TicketFactory(product=kiln)
    other = TicketFactory(product=cloud)
    products = desk_products()
    assert products.by_slug(cloud.slug) == products.get(cloud.pk)
    assert products.by_slug(str(kiln.pk)) == products.get(kiln.pk)
    assert products.by_slug("nope") is None
    assert set(Ticket.objects.filter(products.tickets_q(kiln.pk))) == {old, first}
    assert set(Ticket.objects.filter(products.tickets_q(cloud.pk))) == {other}
    MessageFactory(ticket=first)
    MessageFactory(ticket=other)
    messages = Message.objects.filter(products.tickets_q(cloud.pk, field="ticket__product"))
    assert {m.ticket_id for m in messages} == {other.pk}


def test_a_new_product_left_at_the_default_colour_gets_one_no_other_product_has(db):
    first = ProductProfile.objects.create(name="Kiln")
    second = ProductProfile.objects.create(name="Kiln Cloud")
    chosen = ProductProfile.objects.create(name="Kiln CLI", colour="#123456")
    fourth = ProductProfile.objects.create(name="Kiln Pages")
    assert first.colour == "#6b5bd2" and chosen.colour == "#123456"
    assert len({first.colour, second.colour, fourth.colour, chosen.colour}) == 4
    second.colour = "#6b5bd2"  # an admin's own choice on a saved product is kept, even a taken one
    second.save()
    second.refresh_from_db()
    assert second.colour == "#6b5bd2"
