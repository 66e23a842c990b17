"""GET /api/views/ carries each view's forecast of the day: the day built by hand in mentions/tests/test_forecast.py
(its figures computed there by hand), read through this app's own API; no platform is called."""

from __future__ import annotations

import pytest
import time_machine

from api.tokens import token_create
from mentions.tests.factories import AdvocateFactory
from mentions.tests.test_forecast import NOW, the_day_in_the_database

pytestmark = pytest.mark.django_db


def test_the_views_list_carries_the_forecast(client):
    the_day_in_the_database()
    secret = token_create(user=AdvocateFactory(), name="t", scope="read", days=1)[1]
    with time_machine.travel(NOW, tick=False):
        rows = client.get("/api/views/", headers={"Authorization": f"Bearer {secret}"}).json()
    forecast = rows[0]["forecast"]
    assert (forecast["waiting"], forecast["arrivals_per_hour"], forecast["expected_arrivals"]) == (5, 2.0, 8)
    assert (forecast["replies_per_hour"], forecast["expected_replies"], forecast["silent"]) == (2.0, 8, False)
    assert forecast["basis"] == {
        "arrivals": 6,
        "arrival_window_hours": 3.0,
        "replies": 140,
        "reply_days": 7,
        "covered_hours": 70.0,
    }
    assert (forecast["breaches"], forecast["already_past"], forecast["target_hours"]) == (5, 1, 7.0)
    assert forecast["first_breach_at"] == "2026-11-21T03:30:00Z"
    assert forecast["resumes_at"] == "2026-11-23T08:00:00Z" and forecast["coverage_ends_at"] == "2026-11-20T22:00:00Z"
    assert forecast["explanation"].startswith("5 waiting for a first reply; about 5 may be past their 7 h target")
