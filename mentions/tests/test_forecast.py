"""The forecast of the day (mentions/forecast.py) on a day built by hand, each figure computed by hand in the
comments; then the same day through the database, the queue page and `manage.py forecast` (GET /api/views/ in
api/tests/test_views_forecast.py).
No platform is called: the tickets are made with the factories, the API answered by this app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from mentions.coverage import Coverage
from mentions.forecast import day_forecast
from mentions.forecast_reads import view_forecasts
from mentions.models import Holiday, Ticket
from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory

FRI = datetime(2026, 11, 20, tzinfo=UTC)  # a Friday; the default coverage is Mon-Fri 08:00-22:00 UTC


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return FRI + timedelta(days=day_offset, hours=hour, minutes=minute)


NOW = at(0, 18)  # Friday 18:00
# Five tickets wait with a running first-reply clock; their due times (7 h after requested_at, calendar hours):
WAITING_DUE = [
    at(0, 17),  # requested 10:00: already past due
    at(0, 19),  # requested 12:00
    at(0, 23, 40),  # requested 16:40
    at(1, 0, 30),  # requested 17:30, due Saturday 00:30
    at(3, 21),  # a security report from Thursday: one business day, Monday 21:00, after coverage resumes
]


def test_a_day_built_by_hand():
    f = day_forecast(due_times=WAITING_DUE, arrivals_today=31, now=NOW, coverage=Coverage(), target_hours=7)
    # Rate: 31 arrivals since 08:00, 10 covered hours gone -> 3.1 an hour.
    assert f.rate_per_hour == pytest.approx(3.1)
    # Until 22:00 is 4 h: floor(3.1 x 4 = 12.4) = 12 more, the k-th at 18:00 + k/3.1 h; the last at 18:00 + 3.87 h
    # = 21:52, due 7 h later, Saturday 04:52; all 12 before Monday 08:00.
    assert f.expected_arrivals == 12 and f.coverage_ends_at == at(0, 22)
    assert f.resumes_at == at(3, 8)
    # Waiting: four of five are due before Monday 08:00 (the security report is not); 4 + 12 = 16.
    assert f.breaches == 16
    # One is past due already (17:00); the first still to come is 19:00.
    assert f.already_past == 1 and f.first_breach_at == at(0, 19)
    assert f.explanation == (
        "5 waiting; at 3.1 arrivals/h until 22:00 (12 more expected), 16 will be past their 7 h target "
        "before coverage resumes Mon 08:00 UTC (1 already is); the first at 19:00."
    )


def test_a_holiday_moves_the_resumption_and_a_long_target_lets_tonights_arrivals_through():
    # Monday is a holiday: coverage resumes Tuesday 08:00. A 60 h target: a ticket arriving at 18:00 + k/3.1 h is
    # due Monday 06:00 + k/3.1 h; before Tuesday 08:00 for all 12 (the last is Monday 09:52).
    coverage = Coverage(holidays=frozenset({date(2026, 11, 23)}))
    f = day_forecast(due_times=WAITING_DUE, arrivals_today=31, now=NOW, coverage=coverage, target_hours=60)
    assert f.resumes_at == at(4, 8)
    # Now the security report (Monday 21:00) counts too: 5 + 12.
    assert f.breaches == 17
    # A 120 h target: every arrival is due after Tuesday 08:00; only the five waiting count.
    longer = day_forecast(due_times=WAITING_DUE, arrivals_today=31, now=NOW, coverage=coverage, target_hours=120)
    assert longer.breaches == 5


def test_outside_coverage_no_arrival_is_forecast_and_early_minutes_do_not_make_a_flood():
    night = day_forecast(due_times=WAITING_DUE, arrivals_today=31, now=at(0, 23), coverage=Coverage(), target_hours=7)
    # Friday 23:00: 17:00, 19:00 are past; 23:40 and Saturday 00:30 still to come -> 4, the first at 23:40.
    assert night.rate_per_hour is None and night.expected_arrivals == 0
    assert (night.breaches, night.already_past, night.first_breach_at) == (4, 2, at(0, 23, 40))
    assert night.explanation.startswith("5 waiting; outside coverage (no arrivals forecast), 4 will be past")
    # 08:05 with 2 arrivals: the rate is over at least one hour (2/h), not 24/h; 13 h 55 m left -> 27 expected.
    early = day_forecast(due_times=[], arrivals_today=2, now=at(0, 8, 5), coverage=Coverage(), target_hours=7)
    assert early.rate_per_hour == 2 and early.expected_arrivals == 27
    quiet = day_forecast(due_times=[], arrivals_today=0, now=NOW, coverage=Coverage(), target_hours=7)
    assert quiet.breaches == 0 and quiet.explanation == (
        "0 waiting; at 0.0 arrivals/h until 22:00 (0 more expected), none will be past their 7 h target before "
        "coverage resumes Mon 08:00 UTC."
    )


def the_day_in_the_database():
    """The hand-built day as tickets: the five waiting ones and 31 arrivals today (the four waiting ones that
    arrived today among them), plus tickets that must not count."""
    view = ViewFactory(name="Everything", slug="everything")
    requested = [at(0, 10), at(0, 12), at(0, 16, 40), at(0, 17, 30), at(-1, 15)]
    for when, due in zip(requested, WAITING_DUE, strict=True):
        TicketFactory(requested_at=when, sla_due_at=due)
    answered = at(0, 17, 59)
    for i in range(27):  # arrived today, answered since: they count as arrivals, not as waiting
        solved = Ticket.Status.SOLVED
        TicketFactory(requested_at=at(0, 8, 20 * i // 3), sla_due_at=at(0, 15), status=solved, first_reply_at=answered)
    TicketFactory(requested_at=at(0, 7), sla_due_at=at(0, 14), first_reply_at=answered)  # before coverage: no arrival
    TicketFactory(requested_at=at(-1, 12), status=Ticket.Status.SOLVED)  # yesterday
    return view


@pytest.mark.django_db
def test_the_same_day_read_from_the_database_on_the_queue_and_the_command(client):
    view = the_day_in_the_database()
    with time_machine.travel(NOW, tick=False):
        f = view_forecasts(now=NOW)[view.pk]
        assert (f.waiting, f.expected_arrivals, f.breaches, f.first_breach_at) == (5, 12, 16, at(0, 19))

        advocate = AdvocateFactory()
        client.force_login(advocate)
        page = client.get("/").content.decode()
        assert "16</strong>, the first <span" in page
        assert "16 will be past their 7 h target before coverage resumes Mon 08:00 UTC" in page

        out = StringIO()
        call_command("forecast", stdout=out)
        assert f"Everything: {f.explanation}" in out.getvalue()


@pytest.mark.django_db
def test_a_holiday_saved_in_admin_reaches_the_kept_schedule():
    view = the_day_in_the_database()
    assert view_forecasts(now=NOW)[view.pk].resumes_at == at(3, 8)
    Holiday.objects.create(date=date(2026, 11, 23), name="Thanksgiving week")
    assert view_forecasts(now=NOW)[view.pk].resumes_at == at(4, 8)
