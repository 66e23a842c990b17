"""Share of voice narrowed to a product (issue 71, docs/kpi.md#share-of-voice): us are that product's tickets (a ticket
without a product counted as the first product's, whatever its channel), them are that product's competitors and the
desk-wide ones (no product), never another product's. Every figure equals a count of raw rows, on PostgreSQL's
rollups and on the embedded default's row path, in the selector, the Community page, its CSV and the API.

No platform shapes: tickets and counted competitor mentions are made as rows (as metrics/tests/test_share_of_voice.py
does; the poll storing them is intake/tests/test_competitor_poll.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from api.tokens import token_create
from channels.models import Competitor, CompetitorMention
from channels.tests.factories import ChannelFactory
from mentions.models import Message, ProductProfile, Ticket
from mentions.tests.factories import ManagerFactory, MessageFactory, TicketFactory
from metrics import share_of_voice as sov
from metrics.community import volume
from metrics.product_scope import product_narrowed
from metrics.rollups import rollups_read

pytestmark = pytest.mark.django_db

START, END = date(2026, 11, 2), date(2026, 11, 15)  # two weeks, Monday to Sunday


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 12, tzinfo=UTC)


@pytest.fixture
def desk():
    """Kiln (the desk's first) and Kiln Cloud. Ours on Hacker News (Kiln's channel) and Reddit (Kiln Cloud's), each
    ticket of its own product whatever its channel; one of Kiln Cloud's on e-mail (not searched) and one begun in
    private (not a public voice). Acme CI competes with Kiln, Nimbus with Kiln Cloud, Forgeworks with the desk; Dormant
    (Kiln's) is off but was found in the range, Quiet (Kiln Cloud's) is off and never found."""
    kiln, cloud = ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")
    hn = ChannelFactory(name="HN", product=kiln)
    reddit = ChannelFactory(
        kind="reddit", name="Reddit", product=cloud, config={"subreddits": ["kiln"], "keywords": ["kiln"]}
    )
    mail = ChannelFactory(kind="email", name="Mail", config={"host": "imap.example.com", "address": "c@example.com"})
    for day, sentiment, channel, product in [
        (2, "positive", hn, kiln),
        (2, "negative", reddit, cloud),
        (3, "neutral", hn, None),  # from before products: Kiln's
        (9, "positive", reddit, kiln),  # Kiln's, on Kiln Cloud's channel
        (10, "negative", hn, cloud),
        (14, "", reddit, cloud),  # not judged yet: counted, neither positive nor negative
        (20, "negative", hn, cloud),  # after the range
    ]:
        TicketFactory(channel=channel, requested_at=at(day), sentiment=sentiment, product=product)
    TicketFactory(channel=mail, requested_at=at(3), sentiment="negative", product=cloud)
    private = TicketFactory(channel=reddit, requested_at=at(4), sentiment="positive", product=cloud)
    MessageFactory(ticket=private, kind=Message.Kind.PRIVATE)
    competitors = {
        "Acme CI": Competitor.objects.create(name="Acme CI", terms=["acme ci"], product=kiln),
        "Nimbus": Competitor.objects.create(name="Nimbus", terms=["nimbus"], product=cloud),
        "Forgeworks": Competitor.objects.create(name="Forgeworks", terms=["forgeworks"]),
        "Dormant": Competitor.objects.create(name="Dormant", terms=["dormant"], product=kiln, enabled=False),
    }
    Competitor.objects.create(name="Quiet", terms=["quiet"], product=cloud, enabled=False)
    found = [
        ("Acme CI", 2, "positive"), ("Acme CI", 3, "positive"), ("Acme CI", 10, "negative"),
        ("Nimbus", 4, "negative"), ("Nimbus", 11, "positive"), ("Nimbus", 16, "positive"),  # the last after the range
        ("Forgeworks", 11, "neutral"), ("Forgeworks", 12, "negative"),
        ("Dormant", 5, "negative"),
    ]  # fmt: skip
    for n, (name, day, sentiment) in enumerate(found):
        CompetitorMention.objects.create(
            competitor=competitors[name], channel=hn, kind="hackernews", external_id=str(n), posted_at=at(day),
            sentiment=sentiment, author=f"author{n}",
        )  # fmt: skip
    return {"kiln": kiln, "cloud": cloud}


GROUPS = {"Kiln": {"us", "Acme CI", "Forgeworks", "Dormant"}, "Kiln Cloud": {"us", "Nimbus", "Forgeworks"}}


def _raw(group: str, start: date, end: date, product: ProductProfile) -> tuple[int, int, int]:
    """A row's (mentions, positive, negative) read from the rows without the selector: our tickets of the product
    (the first product's holding those without one), a competitor's mentions by its name."""
    since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    if group == "us":
        first = ProductProfile.objects.order_by("pk").first()
        assert first is not None
        of_product = Q(product=product) | Q(product__isnull=True) if product == first else Q(product=product)
        rows = list(
            Ticket.objects.filter(of_product, channel__kind__in=["hackernews", "reddit"])
            .filter(requested_at__gte=since, requested_at__lt=until)
            .exclude(messages__kind=Message.Kind.PRIVATE)
            .values_list("sentiment", flat=True)
        )
    else:
        rows = list(
            CompetitorMention.objects.filter(competitor__name=group, posted_at__gte=since, posted_at__lt=until)
            .values_list("sentiment", flat=True)
        )  # fmt: skip
    return len(rows), rows.count("positive"), rows.count("negative")


def _period_end(period: date, by: str) -> date:
    length = {"day": 1, "week": 7}.get(by)
    return min(period + timedelta(days=length - 1) if length else date(2026, 11, 30), END)


@pytest.mark.parametrize("path", ["rollups", "rows"])
@pytest.mark.parametrize("by", ["day", "week"])
def test_every_narrowed_figure_equals_the_raw_rows_on_both_paths(desk, by, path):
    rollups = path == "rollups"  # else the embedded default's: both sides grouped from the rows
    with (
        mock.patch.object(sov, "rollups_supported", return_value=rollups),
        mock.patch.object(volume, "rollups_supported", return_value=rollups),
    ):
        for product in (desk["kiln"], desk["cloud"]):
            with rollups_read(), product_narrowed(product.pk):
                rows = sov.share_of_voice(start=START, end=END, by=by)
            assert {r.group for r in rows} == GROUPS[product.name]
            for row in rows:
                raw = _raw(row.group, max(row.period, START), _period_end(row.period, by), product)
                assert (row.mentions, row.positive, row.negative) == raw, (product.name, row)
        with rollups_read():  # not narrowed: every competitor, the desk's every ticket
            whole = sov.share_of_voice(start=START, end=END, by=by)
    assert {r.group for r in whole} == GROUPS["Kiln"] | GROUPS["Kiln Cloud"]
    totals = {g: sum(r.mentions for r in whole if r.group == g) for g in ("us", "Acme CI", "Nimbus", "Forgeworks")}
    assert totals == {"us": 6, "Acme CI": 3, "Nimbus": 2, "Forgeworks": 2}


def test_the_narrowed_community_page_and_its_csv_show_the_products_competitors(client, desk):
    client.force_login(ManagerFactory())
    cloud = desk["cloud"]
    query = f"from={START}&to={END}&product={cloud.slug}"
    html = client.get(f"{reverse('metrics:community')}?{query}").content.decode()
    totals = html.split('data-testid="sov-sentiment"')[1].split("</table>")[0]
    assert "Nimbus" in totals and "Forgeworks" in totals
    assert "Acme CI" not in totals and "Dormant" not in totals and "Quiet" not in totals
    assert 'data-testid="sov-product">Narrowed to Kiln Cloud: its mentions' in html
    # Us 3 (Kiln Cloud's on Hacker News and Reddit in the range), Nimbus 2, Forgeworks 2: 7 in all.
    assert _raw("us", START, END, cloud)[0] == 3
    total_us = html.split('data-testid="sov-total-0"')[1].split("</tr>")[0]
    assert '>3 <span class="muted">(42.9%)</span><' in total_us

    answer = client.get(f"{reverse('metrics:export', args=['share_of_voice'])}?{query}")
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert {r["group"] for r in rows} == GROUPS["Kiln Cloud"]
    for row in rows:
        day = date.fromisoformat(row["period"])
        raw = _raw(row["group"], day, day, cloud)
        assert (int(row["mentions"]), int(row["positive"]), int(row["negative"])) == raw, row


def test_the_api_narrowed_to_a_product_answers_its_competitors_rows(desk):
    secret = token_create(user=ManagerFactory(), name="analytics", scope="read", days=1)[1]
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    for product in (desk["kiln"], desk["cloud"]):
        answer = api.get(f"/api/analytics/share-of-voice/?from={START}&to={END}&by=week&product={product.slug}")
        assert answer.status_code == 200, answer.content
        rows = answer.json()["rows"]
        assert {r["group"] for r in rows} == GROUPS[product.name]
        for row in rows:
            monday = date.fromisoformat(row["period"])
            raw = _raw(row["group"], max(monday, START), _period_end(monday, "week"), product)
            assert (row["mentions"], row["positive"], row["negative"]) == raw, (product.name, row)
