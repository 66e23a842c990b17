"""The queue narrowed to a product (issue 71 item 3, docs/products.md): a view narrowed to one, the queue's ?product=
over its counts, forecast and Play, the ticket list's ?product=, a row's product mark, and nothing new with one
product. The desk's first product holds the tickets without a product too."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentions.forecast.reads import view_forecasts
from mentions.models import ProductProfile, Ticket
from mentions.products import desk_products
from mentions.search import tickets as search
from mentions.search.text import TicketQuery
from mentions.selectors import queue_summary, view_narrowed
from mentions.services.play import ticket_claim_next
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, ViewFactory


@pytest.fixture
def kiln_and_cloud(db):
    kiln = ProductProfile.objects.create(name="Kiln", colour="#aa3300")
    cloud = ProductProfile.objects.create(name="Kiln Cloud", colour="#0055cc")
    return kiln, cloud


def _tickets(kiln, cloud):
    """Oldest first: two from before products (the first product's), one of Kiln, three of Kiln Cloud, and one of
    Kiln Cloud solved (never waiting)."""
    made = {
        "none": TicketFactory.create_batch(2),
        "kiln": [TicketFactory(product=kiln)],
        "cloud": TicketFactory.create_batch(3, product=cloud),
    }
    TicketFactory(product=cloud, status=Ticket.Status.SOLVED)
    return made


def _raw_waiting(product) -> int:
    """The product's waiting unassigned tickets, counted without the desk's code but its one rule."""
    waiting = Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES, assignee__isnull=True)
    first = ProductProfile.objects.order_by("pk").first()
    assert first is not None
    if product.pk == first.pk:
        return waiting.filter(product__isnull=True).count() + waiting.filter(product=product).count()
    return waiting.filter(product=product).count()


def test_a_view_narrowed_to_a_product_counts_and_serves_only_its_tickets(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    made = _tickets(kiln, cloud)
    kiln_view, cloud_view = ViewFactory(product=kiln), ViewFactory(product=cloud)
    every = ViewFactory()

    counts = {s.view.pk: s.waiting for s in queue_summary()}

    assert counts[kiln_view.pk] == _raw_waiting(kiln) == 3  # its own ticket and the two without a product
    assert counts[cloud_view.pk] == _raw_waiting(cloud) == 3
    assert counts[every.pk] == 6
    served = [ticket_claim_next(view=kiln_view, user=AdvocateFactory()) for _ in range(4)]
    assert {t.pk for t in served if t} == {t.pk for t in made["none"] + made["kiln"]}
    assert served[-1] is None  # nothing of Kiln's left, though Kiln Cloud's wait


def test_the_queue_narrowed_counts_each_views_tickets_of_that_product_and_leaves_out_other_products_views(
    kiln_and_cloud,
):
    kiln, cloud = kiln_and_cloud
    _tickets(kiln, cloud)
    every, cloud_view = ViewFactory(), ViewFactory(product=cloud)
    high = ViewFactory(high_priority_only=True)
    Ticket.objects.filter(product=cloud).update(high_priority=True)

    for product in (kiln, cloud):
        counts = {s.view.pk: s.waiting for s in queue_summary(product_id=product.pk)}
        assert counts[every.pk] == _raw_waiting(product)
        assert counts[high.pk] == (3 if product == cloud else 0)
        assert (cloud_view.pk in counts) == (product == cloud)  # Kiln Cloud's view has nothing of Kiln's
    assert view_narrowed(cloud_view, kiln.pk) is None and view_narrowed(cloud_view, cloud.pk) is cloud_view
    assert every.product_id is None  # narrowing copies the view: the row is not changed


def test_the_forecast_follows_the_narrowing(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    start = timezone.now()
    for product in (None, kiln, cloud, cloud):
        TicketFactory(
            product=product, requested_at=start - timedelta(minutes=30), sla_due_at=start + timedelta(hours=1)
        )
    every = ViewFactory()
    now = timezone.now()  # after the tickets were stored: arrivals are those stored by now

    whole = view_forecasts(now=now, views=[every])[every.pk]
    narrowed = {}
    for p in (kiln, cloud):
        view = view_narrowed(every, p.pk)
        assert view is not None
        narrowed[p.slug] = view_forecasts(now=now, views=[view])[every.pk]

    assert (whole.waiting, narrowed["kiln"].waiting, narrowed["kiln-cloud"].waiting) == (4, 2, 2)
    assert narrowed["kiln"].basis.arrivals == 2 and whole.basis.arrivals == 4


def test_play_pressed_for_a_product_serves_its_tickets_and_keeps_to_it_after_a_skip(
    advocate_client, manager_client, kiln_and_cloud
):
    kiln, cloud = kiln_and_cloud
    made = _tickets(kiln, cloud)
    view = ViewFactory(allow_skip=True)
    play = reverse("mentions:play", args=[view.slug])

    first = advocate_client.post(f"{play}?product={cloud.slug}")

    assert first.url == made["cloud"][0].get_absolute_url()  # not the older tickets of Kiln
    skip = reverse("mentions:ticket-skip", args=[made["cloud"][0].pk])
    after_skip = advocate_client.post(skip, {"reason": "not mine"})
    assert after_skip.url == made["cloud"][1].get_absolute_url()  # still Kiln Cloud's, from the session
    # Another advocate pressing Play on the whole view gets the oldest, Kiln's: the narrowed claim's floor is its own.
    assert manager_client.post(play).url == made["none"][0].get_absolute_url()


def test_play_for_a_product_with_nothing_waiting_says_so_and_goes_back_to_the_narrowed_queue(
    advocate_client, kiln_and_cloud
):
    kiln, cloud = kiln_and_cloud
    TicketFactory(product=kiln)
    view = ViewFactory()
    answer = advocate_client.post(f"{reverse('mentions:play', args=[view.slug])}?product={cloud.pk}")
    assert answer.url == f"/?product={cloud.slug}"
    assert "Nothing is waiting in “" in advocate_client.get(answer.url).content.decode()
    assert Ticket.objects.get().assignee is None


def test_the_queue_with_two_products_offers_the_switch_keeps_it_in_its_links_and_marks_each_row(
    advocate_client, kiln_and_cloud
):
    kiln, cloud = kiln_and_cloud
    view = ViewFactory(slug="all")
    TicketFactory(product=cloud, assignee=advocate_client.user, subject="Cloud login")
    TicketFactory(assignee=advocate_client.user, subject="From before products")
    TicketFactory.create_batch(2, product=cloud)
    TicketFactory(product=kiln)

    whole = advocate_client.get("/").content.decode()
    narrowed = advocate_client.get(f"/?product={cloud.slug}").content.decode()

    assert 'data-testid="product-switch"' in whole
    assert f'href="?product={cloud.slug}"' in whole and 'fill="#0055cc"' in whole
    assert 'data-testid="waiting-all">3<' in whole and 'data-testid="waiting-all">2<' in narrowed
    assert f'href="/views/all/?product={cloud.slug}"' in narrowed
    assert f'action="/views/{view.slug}/play/?product={cloud.slug}"' in narrowed
    assert f'href="?product={cloud.slug}&amp;order=time_left"' in narrowed
    assert '<strong aria-current="true"><svg' in narrowed  # the current choice is Kiln Cloud
    # My tickets stay whole, each row with its product: the one from before products is Kiln's.
    assert narrowed.count('data-testid="product-label"') == 2
    assert 'data-product="kiln-cloud" title="Product: Kiln Cloud"' in narrowed
    assert 'data-product="kiln" title="Product: Kiln"' in narrowed


def test_with_one_product_the_queue_shows_nothing_new_and_ignores_product(advocate_client, db):
    kiln = ProductProfile.objects.create(name="Kiln")
    ViewFactory(slug="all")
    TicketFactory(product=kiln, assignee=advocate_client.user)
    TicketFactory.create_batch(2)

    for url in ("/", f"/?product={kiln.slug}", "/tickets/", "/views/all/"):
        html = advocate_client.get(url).content.decode()
        assert "product-switch" not in html and "product-label" not in html and "filter-product" not in html
        assert "product-dot" not in html
    assert 'data-testid="waiting-all">2<' in advocate_client.get(f"/?product={kiln.slug}").content.decode()


def _count_queries(client, url: str) -> int:
    client.get(url)  # the session's first request fills the session, permission and products caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_and_the_ticket_list_cost_no_more_queries_with_five_products(advocate_client, settings):
    settings.DESK_FRAGMENT_CACHE = False  # the tables' queries every time, not their HTML from the cache
    # One moment: what the page keeps for a minute (Play's served ticket, the live stamp) is kept for all of it.
    with time_machine.travel(timezone.now(), tick=False):
        ProductProfile.objects.create(name="Kiln")
        ViewFactory.create_batch(2)
        TicketFactory.create_batch(3, assignee=advocate_client.user)
        TicketFactory.create_batch(3)
        found = MessageFactory(body="pipeline").ticket  # the search finds one either way
        assert found is not None
        one = {url: _count_queries(advocate_client, url) for url in ("/", "/tickets/", "/tickets/?q=pipeline")}

        others = [ProductProfile.objects.create(name=f"Product {n}") for n in range(4)]
        Ticket.objects.filter(pk__in=[*Ticket.objects.values_list("pk", flat=True)[:3], found.pk]).update(
            product=others[0]
        )
        ViewFactory(product=others[1])
        narrowed = f"product={others[0].slug}"

        assert desk_products().many
        assert _count_queries(advocate_client, "/") == one["/"]
        assert _count_queries(advocate_client, f"/?{narrowed}") == one["/"]
        assert _count_queries(advocate_client, "/tickets/") == one["/tickets/"]
        assert _count_queries(advocate_client, f"/tickets/?{narrowed}") == one["/tickets/"]
        assert _count_queries(advocate_client, f"/tickets/?q=pipeline&{narrowed}") == one["/tickets/?q=pipeline"]


def test_the_ticket_list_narrowed_to_a_product_finds_only_its_tickets_with_or_without_words(
    advocate_client, kiln_and_cloud
):
    kiln, cloud = kiln_and_cloud
    made = _tickets(kiln, cloud)
    for tickets in made.values():
        for ticket in tickets:
            MessageFactory(ticket=ticket, body="the pipeline cache is cold")
    ids = {k: {t.pk for t in v} for k, v in made.items()}
    solved_cloud = Ticket.objects.get(status=Ticket.Status.SOLVED).pk

    def found(**params) -> set[int]:
        return {t.pk for t in search.ticket_search(TicketQuery(**params)).tickets}

    assert found(product_id=kiln.pk) == ids["none"] | ids["kiln"]
    assert found(product_id=cloud.pk) == ids["cloud"] | {solved_cloud}
    assert found(q="pipeline", product_id=kiln.pk) == ids["none"] | ids["kiln"]  # the ranked search's own SQL
    assert found(q="pipeline", product_id=cloud.pk) == ids["cloud"]  # the solved one has no message
    html = advocate_client.get(f"/tickets/?q=pipeline&product={cloud.slug}").content.decode()
    assert all(f'data-ticket="{pk}"' in html for pk in ids["cloud"])
    assert not any(f'data-ticket="{pk}"' in html for pk in ids["none"] | ids["kiln"])
    assert f'<option value="{cloud.slug}" selected>' in html  # the filter bar shows the choice
    # Narrowed, every row is the product's: no row repeats its mark (it took the subject's room); unnarrowed, each has.
    assert 'data-testid="product-label"' not in html
    assert 'data-testid="product-label"' in advocate_client.get("/tickets/?q=pipeline").content.decode()
    unknown = advocate_client.get("/tickets/?product=nope").content.decode()
    assert "is not one of the desk&#x27;s products: kiln, kiln-cloud." in unknown  # named, and ignored
    assert all(f'data-ticket="{pk}"' in unknown for pk in ids["none"] | ids["cloud"])


def test_a_views_list_narrowed_to_a_product_lists_only_its_waiting_tickets(advocate_client, kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    made = _tickets(kiln, cloud)
    ViewFactory(slug="all")
    html = advocate_client.get(f"/views/all/?product={kiln.slug}").content.decode()
    assert {int(pk) for pk in _row_ids(html)} == {t.pk for t in made["none"] + made["kiln"]}
    assert 'data-testid="view-product">· Kiln<' in html
    assert f'action="/views/all/play/?product={kiln.slug}"' in html


def _row_ids(html: str) -> list[str]:
    import re

    return re.findall(r'<tr data-ticket="(\d+)"', html)


def test_the_view_admin_asks_for_a_product_only_with_two_and_saves_it(client, db):
    from django.contrib.auth.models import Permission

    from mentions.models import View
    from mentions.tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_view", "change_view"]))
    client.force_login(user)
    view = ViewFactory()
    url = reverse("admin:mentions_view_change", args=[view.pk])
    ProductProfile.objects.create(name="Kiln")
    assert 'name="product"' not in client.get(url).content.decode()
    cloud = ProductProfile.objects.create(name="Kiln Cloud")
    page = client.get(url).content.decode()
    assert 'name="product"' in page and f'<option value="{cloud.pk}">Kiln Cloud</option>' in page
    answer = client.post(
        url, {"name": view.name, "slug": view.slug, "position": 0, "order": "oldest", "product": cloud.pk}
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert View.objects.get(pk=view.pk).product == cloud


def test_the_narrowed_queue_lists_only_its_products_replies_waiting_for_approval_and_snoozed_tickets(
    advocate_client, kiln_and_cloud
):
    """Narrowed to Kiln Cloud, the queue's approvals line named a Kiln ticket and its snoozed count was every
    product's (seen on the demo narrowed to GitLab Runner); each is now the product's, and the snoozed link keeps the
    narrowing to a list of that product's snoozed tickets."""
    from mentions.models import ReplyApproval

    kiln, cloud = kiln_and_cloud
    later = timezone.now() + timedelta(days=2)
    old, kilns, clouds = TicketFactory(), TicketFactory(product=kiln), TicketFactory(product=cloud)
    for ticket in (old, kilns, clouds):
        ReplyApproval.objects.create(ticket=ticket, body="Try the new runner image.")
    snoozed = [TicketFactory(snoozed_until=later), TicketFactory(product=cloud, snoozed_until=later)]
    snoozed += TicketFactory.create_batch(2, product=kiln, snoozed_until=later)

    def queue(slug: str) -> str:
        response = advocate_client.get(reverse("mentions:queue"), {"product": slug} if slug else {})
        assert response.status_code == 200
        return response.content.decode()

    whole, first, second = queue(""), queue(kiln.slug), queue(cloud.slug)
    assert "Replies waiting for approval: 3" in whole and "Snoozed: 4" in whole
    # Kiln is the first product: it holds the ticket from before products too.
    assert "Replies waiting for approval: 2" in first and f"#{old.pk}<" in first and f"#{clouds.pk}<" not in first
    assert "Snoozed: 3" in first
    assert "Replies waiting for approval: 1" in second and f"#{clouds.pk}<" in second and f"#{kilns.pk}<" not in second
    assert f'href="{reverse("mentions:snoozed")}?product={cloud.slug}">Snoozed: 1<' in second

    listed = advocate_client.get(reverse("mentions:snoozed"), {"product": cloud.slug}).content.decode()
    assert "Narrowed to <strong>Kiln Cloud</strong>" in listed
    assert f"/tickets/{snoozed[1].pk}/" in listed
    assert not any(f"/tickets/{t.pk}/" in listed for t in (snoozed[0], *snoozed[2:]))
    every = advocate_client.get(reverse("mentions:snoozed")).content.decode()
    assert all(f"/tickets/{t.pk}/" in every for t in snoozed) and "Narrowed to" not in every
