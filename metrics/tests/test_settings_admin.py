"""Coverage, duty settings and targets show the values in effect before anything is saved, not "0 items"."""

from datetime import time
from decimal import Decimal

import pytest
from django.urls import reverse

from mentions.models import CoverageSchedule, DutySettings, Target
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_coverage_list_opens_the_defaults_in_effect_then_the_saved_schedule(admin_client):
    changelist = reverse("admin:mentions_coverageschedule_changelist")
    response = admin_client.get(changelist, follow=True)
    assert response.redirect_chain == [(reverse("admin:mentions_coverageschedule_add"), 302)]
    html = response.content.decode()
    assert "Nothing saved yet: the form shows the defaults in effect" in html and "0 coverage" not in html
    form = response.context["adminform"].form
    assert form.initial["weekdays"] == CoverageSchedule.current().weekdays == [1, 2, 3, 4, 5]
    for day in range(1, 6):
        assert f'type="checkbox" name="weekdays" value="{day}" id="id_weekdays_{day - 1}" checked' in html
    assert 'value="6" id="id_weekdays_5" checked' not in html
    assert 'name="start" value="08:00:00"' in html and 'name="end" value="22:00:00"' in html

    # Saved, the schedules are a list (a team may keep several), and another can be added.
    CoverageSchedule.objects.create(name="Amsterdam", weekdays=[1, 2, 3], start=time(9), end=time(17))
    response = admin_client.get(changelist)
    assert response.status_code == 200 and "Amsterdam" in response.content.decode()
    assert admin_client.get(reverse("admin:mentions_coverageschedule_add")).status_code == 200


def test_a_second_schedule_is_added_in_its_time_zone_and_a_wrong_zone_is_refused_beside_its_field(admin_client):
    CoverageSchedule.objects.create(name="Amsterdam", weekdays=[1, 2, 3, 4, 5], start=time(9), end=time(17))
    add = reverse("admin:mentions_coverageschedule_add")
    data = {"name": "New York", "weekdays": ["1", "2", "3", "4", "5"], "start": "09:00", "end": "17:00"}

    response = admin_client.post(add, {**data, "time_zone": "America/Gotham"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["time_zone"] and "IANA time zone" in errors["time_zone"][0]

    response = admin_client.post(add, {**data, "time_zone": "America/New_York"})
    assert response.status_code == 302
    assert list(CoverageSchedule.objects.order_by("pk").values_list("name", "time_zone")) == [
        ("Amsterdam", "UTC"),
        ("New York", "America/New_York"),
    ]


def test_the_duty_settings_list_opens_the_defaults_in_effect(admin_client):
    changelist = reverse("admin:mentions_dutysettings_changelist")
    response = admin_client.get(changelist, follow=True)
    assert response.redirect_chain == [(reverse("admin:mentions_dutysettings_add"), 302)]
    form = response.context["adminform"].form
    defaults = DutySettings.current()
    assert defaults.pk is None
    assert form["release_day"].value() == defaults.release_day == 22
    assert form["advocates_channel"].value() == "#community-advocates"
    assert form["hn_urgent_points"].value() == 100

    data = {
        "release_day": 20,
        "advocates_channel": "#advocates",
        "advocates_mention": "",
        "hn_urgent_points": 100,
        "digest_lead_minutes": 15,
        "digest_margin_hours": 1,
    }
    response = admin_client.post(reverse("admin:mentions_dutysettings_add"), data, follow=True)
    saved = DutySettings.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:mentions_dutysettings_change", args=[saved.pk])
    assert DutySettings.current().release_day == 20


def test_targets_show_each_groups_target_in_effect_saved_or_default(admin_client):
    changelist = reverse("admin:mentions_target_changelist")
    html = admin_client.get(changelist).content.decode()
    assert "0 targets" not in html
    assert '<th scope="row">All channels</th>\n<td>7 h</td>\n<td>default (nothing saved)</td>' in html
    assert '<th scope="row">High-priority channels</th>\n<td>5 h</td>' in html
    add = reverse("admin:mentions_target_add")
    assert f'href="{add}?group=high_priority&amp;median_hours=5"' in html
    # The link opens the add form filled with the default.
    form = admin_client.get(f"{add}?group=high_priority&median_hours=5").context["adminform"].form
    assert (form["group"].value(), form["median_hours"].value()) == ("high_priority", "5")

    target = Target.objects.create(group=Target.Group.ALL, median_hours=Decimal("6.5"))
    html = admin_client.get(changelist).content.decode()
    assert "<td>6.5 h</td>" in html and "<td>saved</td>" in html
    assert reverse("admin:mentions_target_change", args=[target.pk]) in html
    assert "1 target" in html  # the saved rows' own list, with its actions
