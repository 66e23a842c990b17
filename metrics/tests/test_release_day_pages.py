"""The KPI pages say the release day Duty settings set (issue 69: they said "the 22nd" on a desk whose release day is
the 28th), with its ordinal, and the monthly report of the month in progress ends today (it listed tomorrow with
zeros, a day nobody could have worked yet). Data from the project's factories; no platform is asked."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from mentions.models import DutySettings
from mentions.tests.factories import ManagerFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)  # a Sunday night: the 30th is tomorrow


@pytest.fixture
def manager_client(client):
    client.force_login(ManagerFactory())
    return client


def _rows(html: str) -> list[str]:
    table = html[html.index('<table class="kpi-table compact">') :]
    return [
        row.split("</td>")[0]
        for row in table.split("<td>")[1:]
        if row.startswith(("Mon ", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    ]


@pytest.mark.parametrize(("day", "said"), [(28, "the 28th"), (1, "the 1st"), (2, "the 2nd"), (23, "the 23rd")])
def test_the_pages_say_the_release_day_duty_settings_set(manager_client, day, said):
    DutySettings.objects.create(release_day=day)
    with time_machine.travel(NOW, tick=False):
        dashboard = manager_client.get(reverse("metrics:dashboard")).content.decode()
        monthly = manager_client.get(reverse("metrics:monthly"), {"month": "2026-10"}).content.decode()

    assert f"Release days ({said}) are marked:" in dashboard and "(the 22nd)" not in dashboard
    assert f"Release day ({said}) marked." in monthly and "(the 22nd)" not in monthly


def test_a_release_day_past_a_short_months_end_says_where_it_falls(manager_client):
    DutySettings.objects.create(release_day=31)
    monthly = manager_client.get(reverse("metrics:monthly"), {"month": "2026-11"}).content.decode()
    assert "Release day (the 31st, or a shorter month's last day) marked." in monthly


def test_the_month_in_progress_is_reported_to_today_and_a_past_one_whole(manager_client):
    DutySettings.objects.create(release_day=28)
    TicketFactory(requested_at=datetime(2026, 11, 28, 9, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        current = manager_client.get(reverse("metrics:monthly"), {"month": "2026-11"}).content.decode()
        past = manager_client.get(reverse("metrics:monthly"), {"month": "2026-10"}).content.decode()

    days = _rows(current)
    assert days[0] == "Sun 2026-11-01" and days[-1] == "Sun 2026-11-29"  # not Mon 2026-11-30, tomorrow
    assert '<tr class="release-row">\n<td>Sat 2026-11-28</td>' in current
    assert "(to 29 November: the month so far)" in current
    assert "2026-11-01 \u2013 2026-11-29 (UTC)" in current
    assert _rows(past)[-1] == "Sat 2026-10-31" and "the month so far" not in past
