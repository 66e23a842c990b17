"""Admin pages for coverage, holidays, duty settings and the release rota."""

from datetime import date, time

import pytest
from django.urls import reverse

from mentions.models import CoverageSchedule, ReleaseRota
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "name",
    [
        "mentions_coverageschedule_add",
        "mentions_holiday_add",
        "mentions_dutysettings_add",
        "mentions_releaserota_add",
        "mentions_advocategrant_add",
        "notifications_urgentping_changelist",
        "notifications_coveragedigest_changelist",
        "notifications_frontpagestory_changelist",
    ],
)
def test_admin_pages_open(admin_client, name):
    assert admin_client.get(reverse(f"admin:{name}")).status_code == 200


def test_the_schedule_is_edited_with_weekday_boxes_and_clear_messages(admin_client):
    schedule = CoverageSchedule.objects.create(weekdays=[1, 2, 3, 4, 5])
    url = reverse("admin:mentions_coverageschedule_change", args=[schedule.pk])
    page = admin_client.get(url).content.decode()
    assert 'type="checkbox" name="weekdays" value="1"' in page

    hours = {"name": "Default", "start": "08:00", "end": "22:00", "time_zone": "UTC"}
    response = admin_client.post(url, hours)
    assert "Tick at least one covered day." in response.content.decode()
    response = admin_client.post(url, {**hours, "weekdays": ["1", "3"], "start": "22:00", "end": "22:00"})
    assert "The covered hours must end at another time than they start." in response.content.decode()
    response = admin_client.post(url, {**hours, "weekdays": ["1"], "on_duty": UserFactory().pk})
    assert "Only a duty schedule has someone on duty" in response.content.decode()

    response = admin_client.post(url, {**hours, "weekdays": ["3", "1", "6"], "start": "09:00", "end": "17:00"})
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.weekdays, schedule.start, schedule.end) == ([1, 3, 6], time(9), time(17))
    # An end before the start runs overnight (a night duty), now that a team keeps more than one schedule.
    response = admin_client.post(url, {**hours, "weekdays": ["1"], "start": "22:00", "end": "06:00"})
    assert response.status_code == 302
    assert admin_client.get(reverse("admin:mentions_coverageschedule_add")).status_code == 200


def test_the_rota_wants_the_first_of_the_month(admin_client):
    advocate = UserFactory()
    url = reverse("admin:mentions_releaserota_add")
    response = admin_client.post(url, {"month": "2026-12-05", "advocate": advocate.pk})
    assert "Give the first day of the month, e.g. 2026-12-01." in response.content.decode()
    assert admin_client.post(url, {"month": "2026-12-01", "advocate": advocate.pk}).status_code == 302
    rota = ReleaseRota.for_month(date(2026, 12, 22))
    assert rota is not None and rota.advocate == advocate
