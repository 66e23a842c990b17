"""The KPI page, its exports and the scheduled report narrowed to a product (issue 71): the first-reply figures,
activity, advocates and tags of a product agree on the rollups and on the tickets, through moves between products,
and equal the raw rows of that product (a ticket without a product counted as the first's)."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from mentions.models import ProductProfile, Ticket, TicketEvent
from mentions.tests.factories import ManagerFactory, UserFactory
from metrics.first_reply import first_reply_stats
from metrics.models import ReportSchedule
from metrics.product_scope import product_narrowed
from metrics.quantiles import percentile_cont
from metrics.report_text import MONTHLY, period_parse
from metrics.reports import report_send
from metrics.rollups import rollups_read
from metrics.tests.factories import at, event_make, ticket_make
from metrics.tests.product_desk import products_make
from metrics.tests.test_products_community import _html
from metrics.tests.test_rollups import END, NOW, START, _assert_agree

pytestmark = pytest.mark.django_db
K = TicketEvent.Kind


@pytest.fixture
def world():
    """Sixty tickets on three channels (two of them Kiln Cloud's), their products drawn apart from their channels'."""
    rng = random.Random(71)
    kiln, cloud = products_make()
    channels = [
        ChannelFactory(name="Forum", product=kiln),
        ChannelFactory(name="X", high_priority=True, product=cloud),
        ChannelFactory(name="HN", product=cloud),
    ]
    advocate = UserFactory(username="ana")
    tickets = []
    for _ in range(60):
        requested = at(rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        frt = rng.choice([None, rng.randint(60, 3 * 86400)])
        ticket = ticket_make(
            channel=rng.choice(channels),
            requested_at=requested,
            frt_seconds=frt,
            solved_at=requested + timedelta(days=1) if rng.random() < 0.3 else None,
            product=rng.choice([kiln, cloud, None]),
        )
        event_make(ticket=ticket, kind=K.ASSIGNED, actor=advocate, created_at=requested, via="play", view="all")
        event_make(ticket=ticket, kind=K.REPLIED, actor=advocate, created_at=requested + timedelta(minutes=30))
        event_make(ticket=ticket, kind=K.TAG_ADDED, created_at=requested, tag=rng.choice(["ci", "bug"]))
        tickets.append(ticket)
    return {"kiln": kiln, "cloud": cloud, "channels": channels, "tickets": tickets}


def _agree_for_every_product(world) -> None:
    for product_id in (None, world["kiln"].pk, world["cloud"].pk):
        with product_narrowed(product_id):
            _assert_agree(world["channels"])


def test_both_paths_agree_for_each_product_through_moves(world):
    _agree_for_every_product(world)
    tickets = world["tickets"]
    # Moved to the other product, to none (the first's), and a channel moved: the days are marked and rebuilt.
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:5]]).update(product=world["cloud"])
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[5:10]]).update(product=None)
    Ticket.objects.filter(pk=tickets[10].pk).update(channel=world["channels"][0])
    _agree_for_every_product(world)


def _raw(product: ProductProfile, *, first: bool) -> list[Ticket]:
    """The product's tickets requested in the range, read from the rows (no product: the first's)."""
    rows = Ticket.objects.filter(requested_at__gte=at(1, 0), requested_at__lt=at(30, 0) + timedelta(days=1))
    return [t for t in rows if t.product_id == product.pk or (first and t.product_id is None)]


def test_the_first_reply_figures_of_a_product_are_its_raw_rows(world):
    for product, first in ((world["kiln"], True), (world["cloud"], False)):
        raw = _raw(product, first=first)
        seconds = [float(t.first_reply_seconds or 0) for t in raw if t.first_reply_at is not None]
        with rollups_read(), product_narrowed(product.pk):
            stats = first_reply_stats(start=START, end=END, now=NOW)["all"]
        assert stats.replied == len(seconds) > 0
        assert stats.unreplied == len(raw) - len(seconds) > 0
        assert stats.median_hours == pytest.approx((percentile_cont(seconds, 0.5) or 0) / 3600)
        assert stats.p90_hours == pytest.approx(float(np.percentile(seconds, 90)) / 3600)


def test_the_kpi_page_and_its_csv_are_of_the_product(client, world):
    client.force_login(ManagerFactory())
    cloud = world["cloud"]
    query = f"from={START}&to={END}&product={cloud.slug}"
    page = client.get(f"{reverse('metrics:dashboard')}?{query}")
    assert page.status_code == 200
    assert f"product={cloud.slug}" in page.content.decode()  # the CSV links keep it
    csv = b"".join(client.get(f"{reverse('metrics:export', args=['tickets'])}?{query}").streaming_content).decode()
    ids = {int(line.split(",")[0]) for line in csv.splitlines()[1:]}
    assert ids == {t.pk for t in _raw(cloud, first=False)}
    refused = client.get(f"{reverse('metrics:dashboard')}?from={START}&to={END}&product=glaze")
    assert refused.status_code == 400 and "No product “glaze”." in refused.content.decode()


def test_with_one_product_the_kpi_page_asks_nothing_new(client, db):
    client.force_login(ManagerFactory())
    ticket_make(channel=ChannelFactory(name="Forum"), requested_at=at(3, 9), frt_seconds=600)
    url = f"{reverse('metrics:dashboard')}?from={START}&to={END}"
    before = _html(client.get(url))
    ProductProfile.objects.create(name="Kiln")
    after = client.get(f"{url}&product=anything")  # with one product there is nothing to narrow: not read
    assert after.status_code == 200
    assert 'name="product"' not in after.content.decode()
    assert _html(after) == before


def test_a_schedule_for_one_product_reports_only_it(world):
    cloud = world["cloud"]
    schedule = ReportSchedule.objects.create(
        kind=ReportSchedule.Kind.MONTHLY, is_active=True, slack_channel="#cloud", email_managers=False, product=cloud
    )
    whole = ReportSchedule.objects.create(kind=ReportSchedule.Kind.MONTHLY, is_active=True, slack_channel="#all")
    period = period_parse(MONTHLY, "2026-11")
    row = report_send(schedule, period, now=NOW)
    everyone = report_send(whole, period, now=NOW)
    assert row is not None and everyone is not None
    replied = sum(t.first_reply_at is not None for t in _raw(cloud, first=False))
    assert f"First replies: {replied}," in row.slack_text
    assert row.email_subject == "Triage Desk, Kiln Cloud: November 2026 report"
    assert f"product={cloud.slug}" in row.slack_text
    replied_all = sum(t.first_reply_at is not None for t in Ticket.objects.filter(requested_at__gte=at(1, 0)))
    assert f"First replies: {replied_all}," in everyone.slack_text and "product=" not in everyone.slack_text
    assert replied < replied_all


def test_channels_keep_their_product_apart_from_their_tickets(world):
    # The world's premise: tickets whose product is not their channel's, both ways.
    differ = [t for t in Ticket.objects.select_related("channel") if t.product_id != t.channel.product_id]
    assert len(differ) > 10 and Channel.objects.filter(product=world["cloud"]).count() == 2


def test_admin_asks_a_schedules_product_only_with_several(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    schedule = ReportSchedule.objects.create(kind=ReportSchedule.Kind.WEEKLY, slack_channel="#all")
    url = reverse("admin:metrics_reportschedule_change", args=[schedule.pk])
    ProductProfile.objects.create(name="Kiln")
    assert 'name="product"' not in client.get(url).content.decode()
    ProductProfile.objects.create(name="Kiln Cloud")
    assert 'name="product"' in client.get(url).content.decode()
