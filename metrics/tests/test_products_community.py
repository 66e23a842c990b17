"""The Community page narrowed to a product (issue 71): each figure is the count of that product's raw ticket rows (a
ticket without a product counted as the first product's), whatever the tickets' channels, on the rollups and on the
tickets alike; the page with one product is as before, and costs as many queries with five products as with one."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentions.models import ProductProfile, Sentiment, Target, Ticket
from mentions.tests.factories import ManagerFactory
from metrics.community import active, members, volume
from metrics.product_scope import product_narrowed
from metrics.rollups import kpi_version_bump, rollups_read, rollups_refresh
from metrics.tests.community_desk import END, START, _expected_volume
from metrics.tests.product_desk import of_product, product_desk_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return product_desk_build()


def _products(desk):
    return (desk["kiln"], desk["cloud"])


@pytest.mark.parametrize("group", ["platform", "intent", "sentiment"])
@pytest.mark.parametrize("by", ["day", "week"])
def test_the_volume_of_a_product_is_the_count_of_its_raw_rows(desk, group, by):
    for product in _products(desk):
        expected = _expected_volume(of_product(desk["rows"], product), by=by, group=group)
        with rollups_read(), product_narrowed(product.pk):
            assert volume.volume_rows(start=START, end=END, by=by, group=group) == expected, product.name
    # Both products make the whole desk.
    with rollups_read():
        assert volume.volume_rows(start=START, end=END, by=by, group=group) == _expected_volume(
            desk["rows"], by=by, group=group
        )


def test_both_paths_give_a_products_period_counts_alike_through_a_move(desk):
    def agree() -> None:
        rollups_refresh()
        for product in _products(desk):
            with product_narrowed(product.pk):
                for columns in (("channel_id", "sentiment"), ("channel_id", "judgement", "intent", "sentiment")):
                    for by in ("day", "month"):
                        kwargs: dict[str, Any] = {
                            "start": START,
                            "end": END,
                            "by": by,
                            "channel_id": None,
                            "columns": columns,
                        }
                        assert volume.period_counts_rollup(**kwargs) == volume.period_counts_source(**kwargs)

    agree()
    # A ticket moved to the other product moves its mention (the trigger marks its day), and one moved to no product
    # counts as the first's.
    moved = desk["rows"][3]  # Kiln Cloud's (the rows go round Kiln Cloud, Kiln, none)
    assert moved["product"] == desk["cloud"].pk
    Ticket.objects.filter(pk=moved["ticket"].pk).update(product=desk["kiln"])
    Ticket.objects.filter(pk=desk["rows"][4]["ticket"].pk).update(product=None)
    agree()


def test_the_sentiment_shares_of_a_product_are_its_raw_rows(desk):
    for product in _products(desk):
        rows = [r for r in of_product(desk["rows"], product) if START <= r["day"] <= END]
        with rollups_read(), product_narrowed(product.pk):
            shares = volume.sentiment_shares(start=START, end=END, by="week")
        overall = {r["period"]: r for r in shares if r["platform"] == "all"}
        for period, row in overall.items():
            mine = [r for r in rows if volume.period_of(r["day"], "week") == period]
            assert row["positive"] == sum(r["sentiment"] == Sentiment.POSITIVE for r in mine)
            assert row["negative"] == sum(r["sentiment"] == Sentiment.NEGATIVE for r in mine)
            assert row["unjudged"] == sum(r["sentiment"] == "" for r in mine)
        assert sum(r["judged"] + r["unjudged"] for r in overall.values()) == len(rows) > 0


def test_the_most_active_members_of_a_product_are_counted_from_its_raw_rows(desk):
    for product in _products(desk):
        expected = Counter(r["person"] for r in of_product(desk["rows"], product) if START <= r["day"] <= END)
        with rollups_read(), product_narrowed(product.pk):
            ranked = {row["person"]: row["mentions"] for row in active.most_active(start=START, end=END)}
            source = active.mention_counts_source(start=START, end=END, channel_id=None)
        assert {p: n for p, n in ranked.items() if n} == dict(expected) == source, product.name


def test_the_returning_members_of_a_product_are_those_whose_first_mention_was_its(desk):
    since, now = START - timedelta(days=7), timezone.now()
    first: dict[int, dict] = {}
    for row in sorted(desk["rows"], key=lambda r: (r["requested_at"], r["ticket"].pk)):
        first.setdefault(row["person"], row)
    targets = Target.hours()
    for product in _products(desk):
        kwargs: dict[str, Any] = {"start": since, "end": END, "by": "week", "now": now, "channel_id": None}
        kwargs["targets"] = targets
        with rollups_read(), product_narrowed(product.pk):
            rows = members.returning_rows(start=since, end=END, by="week", now=now)
            assert members.returning_tally_members(**kwargs) == members.returning_tally_source(**kwargs)
        assert sum(r["members"] for r in rows) == sum(f["product"] == product.pk for f in first.values())
    assert {f["product"] for f in first.values()} == {p.pk for p in _products(desk)}  # both have newcomers
    # A first mention moved to the other product moves its member (the member triggers watch the product).
    moved = next(f for f in first.values() if f["product"] == desk["cloud"].pk)
    Ticket.objects.filter(pk=moved["ticket"].pk).update(product=desk["kiln"])
    with rollups_read(), product_narrowed(desk["kiln"].pk):
        kiln = sum(r["members"] for r in members.returning_rows(start=since, end=END, by="week", now=now))
    assert kiln == sum(f["product"] == desk["kiln"].pk for f in first.values()) + 1


# --- The page -------------------------------------------------------------------------------------------------------


def _html(response) -> str:
    """The page without its per-request tokens (CSRF, nonces), as mentions/tests/test_products.py compares pages."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'(nonce|data-csrf|content)="[A-Za-z0-9+/=_\-]{20,}"', "", html)


def test_with_one_product_the_page_is_as_before(client, db):
    client.force_login(ManagerFactory())
    url = f"{reverse('metrics:community')}?from={START}&to={END}"
    before = _html(client.get(url))
    ProductProfile.objects.create(name="Kiln")
    after = _html(client.get(url))
    assert 'name="product"' not in after
    assert after == before


def test_with_two_products_the_page_offers_them_and_refuses_an_unknown_one(client, desk):
    client.force_login(ManagerFactory())
    url = f"{reverse('metrics:community')}?from={START}&to={END}"
    page = client.get(f"{url}&product={desk['cloud'].slug}").content.decode()
    assert 'name="product"' in page and f'value="{desk["cloud"].slug}" selected' in page
    assert f"product={desk['cloud'].slug}" in page  # the CSV links keep the product
    refused = client.get(f"{url}&product=glaze")
    assert refused.status_code == 400
    assert "No product “glaze”." in refused.content.decode()


def _page_queries(client, url: str) -> int:
    client.get(url)  # per-process first-use work (the products kept in memory among it) is not what a page costs
    kpi_version_bump()  # the figures built again, not served from the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["metrics:community", "metrics:dashboard"])
def test_the_pages_cost_as_many_queries_with_five_products_as_with_one(client, desk, page):
    client.force_login(ManagerFactory())
    url = f"{reverse(page)}?from={START}&to={END}"
    two = _page_queries(client, f"{url}&product={desk['cloud'].slug}")
    clouds = list(Ticket.objects.filter(product=desk["cloud"]).values_list("pk", flat=True))
    ProductProfile.objects.filter(pk=desk["cloud"].pk).delete()  # one product: its tickets go back to the first
    one = _page_queries(client, url)
    others = [ProductProfile.objects.create(name=name) for name in ("Glaze", "Slip", "Clay", "Wheel")]
    Ticket.objects.filter(pk__in=clouds).update(product=others[2])  # Clay's tickets are the ones Kiln Cloud had
    assert _page_queries(client, url) == one
    assert _page_queries(client, f"{url}&product={others[2].slug}") == two


def test_the_community_csv_and_the_monthly_report_are_of_the_product(client, desk):
    client.force_login(ManagerFactory())
    cloud = desk["cloud"]
    query = f"from={START}&to={END}&by=week&product={cloud.slug}"
    response = client.get(f"{reverse('metrics:export', args=['community_platform'])}?{query}")
    lines = b"".join(response.streaming_content).decode().splitlines()[1:]
    expected = _expected_volume(of_product(desk["rows"], cloud), by="week", group="platform")
    assert lines == [f"{r['period']},{r['group']},{r['mentions']}" for r in expected]
    # The month's counted mentions of Kiln Cloud, in the report's words ("Mentions: N, ...").
    mentions = sum(r["day"].month == 10 for r in of_product(desk["rows"], cloud))
    page = client.get(f"{reverse('metrics:monthly')}?month=2026-10&product={cloud.slug}").content.decode()
    assert f"Mentions: {mentions}," in page and f"product={cloud.slug}" in page
    refused = client.get(f"{reverse('metrics:monthly')}?month=2026-10&product=glaze")
    assert refused.status_code == 400 and "No product “glaze”." in refused.content.decode()
