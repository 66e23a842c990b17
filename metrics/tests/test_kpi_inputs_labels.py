"""The KPI pages' markup: the monthly report's month is a month picker (a text box took anything) whose error is
said beside it and tied to it, and the rising tags are named whole on the dashboard (the chart cut them at 14
characters). The desk's own pages only; no HTTP."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mentions.models import TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory

pytestmark = pytest.mark.django_db
MONTHLY = reverse("metrics:monthly")
LONG_TAG = "kubernetes-agent-proxy-with-ntlm-authentication"


@pytest.fixture
def manager(client):
    client.force_login(ManagerFactory())
    return client


def _month_input(html: str) -> str:
    match = re.search(r'<input[^>]*name="month"[^>]*>', html)
    assert match, "no month input"
    return match.group(0)


def test_the_monthly_report_asks_for_the_month_with_a_month_picker_within_the_desks_range(manager):
    html = manager.get(MONTHLY, {"month": "2026-10"}).content.decode()

    box = _month_input(html)
    assert 'type="month"' in box and 'value="2026-10"' in box
    assert 'min="2000-01"' in box and 'max="2100-12"' in box
    assert 'pattern="[0-9]{4}-[0-9]{2}"' in box  # a browser without a month picker shows a text box: same rule
    assert re.search(r'<label for="id_month">Month</label>', html)
    assert "aria-invalid" not in box


@pytest.mark.parametrize("month", ["2026-13", "October", "²026-10"])
def test_a_bad_month_is_refused_with_the_reason_beside_the_picker_and_tied_to_it(manager, month):
    response = manager.get(MONTHLY, {"month": month})

    html = response.content.decode()
    assert response.status_code == 400
    box = _month_input(html)
    assert 'aria-invalid="true"' in box and 'aria-describedby="id_month_error"' in box
    after = html[html.index(box) + len(box) :]
    error = re.match(r'\s*<span class="errorlist" id="id_month_error"[^>]*>(.*?)</span>', after, re.S)
    assert error, after[:300]  # right after the picker, not elsewhere on the page
    assert "Give the month as YYYY-MM, e.g. 2026-10." in error.group(1)


def test_a_bad_month_is_shown_back_escaped(manager):
    response = manager.get(MONTHLY, {"month": "<b>x</b>"})
    html = response.content.decode()
    assert response.status_code == 400 and "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_the_rising_tags_are_named_whole_on_the_dashboard(manager):
    advocate = AdvocateFactory()
    ticket = TicketFactory(requested_at=timezone.now())
    for tag in (LONG_TAG, LONG_TAG, "ci"):
        TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.TAG_ADDED, data={"tag": tag}, actor=advocate)

    html = manager.get(reverse("metrics:dashboard")).content.decode()

    tags = re.search(r'<section id="tags">(.*?)</section>', html, re.S)
    assert tags, "no tags section"
    chart = re.search(r'<figure class="chart-box"[^>]*>(.*?)</figure>', tags.group(1), re.S)
    assert chart, "no chart in the tags section"
    shown = re.findall(r'<span class="hbar-label">([^<]*)</span>', chart.group(1))
    assert shown == [LONG_TAG, "ci"]  # whole, largest rise first
    assert "…" not in chart.group(1)
