"""The forecast of the day (mentions/forecast/day.py) on the demo's week: seeded as intake/tests/test_demo_week.py
does (every kind read through its real adapter against the demo network, channels.demo.replay, whose modules name
the recorded fixtures they follow), then `manage.py forecast` printed for the lead's closing note and checked
for sanity against the tickets it counts: the week read at once is a backlog, never an arrival rate."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from intake.management.commands._demo_week import week_seed
from mentions.forecast.reads import view_forecasts
from mentions.models import Ticket, View
from mentions.tests.factories import AdvocateFactory, ViewFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # a Wednesday in coverage; every thread has opened by then


@override_settings(DESK_DEMO_REPLAY=True)
def test_the_demo_week_gives_a_sane_forecast(capsys):
    with time_machine.travel(NOW, tick=True):
        week_seed(advocate=AdvocateFactory())
    if not View.objects.filter(is_active=True).exists():
        ViewFactory(name="Everything", slug="everything")
    forecasts = view_forecasts(now=NOW)
    out = StringIO()
    call_command("forecast", "--at", NOW.isoformat(), stdout=out)
    with capsys.disabled():
        print("\n" + out.getvalue())
    running = Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES, first_reply_at__isnull=True).count()
    for view in View.objects.filter(is_active=True):
        f = forecasts[view.pk]
        assert f.explanation in out.getvalue()
        assert 0 <= f.waiting <= running
        # The week was read in one go when the demo was seeded: a backlog, not arrivals. No rate is made of it.
        assert (f.basis.arrivals, f.rate_per_hour, f.expected_arrivals) == (0, None, 0)
        assert f.resumes_at == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
        if f.silent:
            assert f.breaches is None and "too little to go on" in f.explanation
        else:
            assert f.breaches is not None and f.already_past <= f.breaches <= f.waiting
            assert f.explanation.startswith(f"{f.waiting} waiting for a first reply; ")
            assert "(estimate: " in f.explanation
        if f.first_breach_at is not None:
            assert NOW < f.first_breach_at < f.resumes_at
