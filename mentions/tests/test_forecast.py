"""The forecast of the day (mentions/forecast/day.py) on a day built by hand, each figure computed by hand in the
comments; its silences; then the same day through the database (a backlog read late is no arrival, replies outside
coverage do not count), the queue page and `manage.py forecast` (GET /api/views/ in api/tests/test_views_forecast.py).
No platform is called: the tickets are made with the factories, the API answered by this app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from mentions.coverage import Coverage
from mentions.forecast.day import FlowBasis, day_forecast
from mentions.forecast.reads import view_forecasts
from mentions.models import Holiday, Ticket, View
from mentions.models.judgement import JudgedBy, Judgement
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
# 6 arrivals in the last 3 h (2 an hour); 140 first replies in the 70 covered hours of the last 7 days (2 an hour):
# Friday 13th 18:00-22:00 (4 h), Monday to Thursday (4 x 14 h) and today 08:00-18:00 (10 h).
BUSY = FlowBasis(arrivals=6, replies=140, covered_hours=70)


def test_a_day_built_by_hand():
    f = day_forecast(due_times=WAITING_DUE, basis=BUSY, now=NOW, coverage=Coverage(), target_hours=7)
    assert (f.rate_per_hour, f.replies_per_hour) == (2.0, 2.0)
    # Until 22:00 is 4 h: floor(2 x 4) = 8 arrivals at 18:30, 19:00 ... 22:00, each due 7 h later (Saturday 01:30 ...
    # 05:00), and 8 first replies at the same times, each taking the ticket due first (the arrival of that instant
    # in): 18:30 takes 17:00 (late), 19:00 takes 19:00 (just in time), then 23:40, 00:30 and the arrivals due 01:30,
    # 02:00, 02:30, 03:00.
    assert (f.expected_arrivals, f.expected_replies, f.coverage_ends_at) == (8, 8, at(0, 22))
    assert f.resumes_at == at(3, 8)
    # Left: the arrivals due 03:30, 04:00, 04:30, 05:00 (before Monday 08:00; the security report is not) and the
    # 17:00 one answered late: 5, 1 of them already past due, the first still to come Saturday 03:30. Without the
    # replies it would be 12 (4 waiting + 8 arrivals).
    assert (f.breaches, f.already_past, f.first_breach_at, f.silent) == (5, 1, at(1, 3, 30), False)
    assert f.explanation == (
        "5 waiting for a first reply; "
        "about 5 may be past their 7 h target before coverage resumes Mon 08:00 UTC (1 already is), the "
        "first at Sat 03:30 (estimate: about 8 more arrive and the team gives about 8 first replies until 22:00; from "
        "6 arrivals in the last 3 h, 140 first replies in 70 covered hours of the last 7 days)."
    )


def test_a_holiday_moves_the_resumption_and_a_long_target_lets_tonights_arrivals_through():
    # Monday is a holiday: coverage resumes Tuesday 08:00. A 60 h target: the arrivals are due Monday 06:30 ... 10:00;
    # the replies take 17:00 (late), 19:00, 23:40, 00:30 and the arrivals due Monday 06:30 ... 08:00. Left before
    # Tuesday 08:00: Monday 08:30 ... 10:00 (4) and the security report (Monday 21:00), + the late one: 6.
    coverage = Coverage(holidays=frozenset({date(2026, 11, 23)}))
    f = day_forecast(due_times=WAITING_DUE, basis=BUSY, now=NOW, coverage=coverage, target_hours=60)
    assert (f.resumes_at, f.breaches) == (at(4, 8), 6)
    # A 120 h target: every arrival is due after Tuesday 08:00, and the fifth reply takes the security report: only
    # the one answered late counts.
    longer = day_forecast(due_times=WAITING_DUE, basis=BUSY, now=NOW, coverage=coverage, target_hours=120)
    assert longer.breaches == 1


def test_outside_coverage_neither_arrivals_nor_replies_are_counted():
    night = day_forecast(due_times=WAITING_DUE, basis=BUSY, now=at(0, 23), coverage=Coverage(), target_hours=7)
    # Friday 23:00: 17:00, 19:00 are past; 23:40 and Saturday 00:30 still to come -> 4, the first at 23:40.
    assert (night.rate_per_hour, night.expected_arrivals, night.expected_replies) == (None, 0, 0)
    assert (night.breaches, night.already_past, night.first_breach_at) == (4, 2, at(0, 23, 40))
    assert night.explanation.startswith(
        "5 waiting for a first reply; "
        "about 4 may be past their 7 h target before coverage resumes Mon 08:00 UTC (2 already are), the "
        "first at 23:40 (estimate: outside coverage: no arrivals or replies counted until it resumes; from 6 arrivals"
    )


def test_it_is_silent_with_too_little_to_go_on_and_says_why():
    # The case: an empty queue after a seeded backlog, nothing arrived lately (the backlog is no arrival).
    empty = day_forecast(
        due_times=[],
        basis=FlowBasis(arrivals=2, replies=140, covered_hours=70),
        now=NOW,
        coverage=Coverage(),
        target_hours=7,
    )
    assert (empty.silent, empty.breaches, empty.expected_arrivals) == (True, None, 0)
    assert empty.explanation == (
        "0 waiting for a first reply; "
        "no forecast: too little to go on (nothing waits, and fewer than 3 tickets arrived in the last 3 h)."
    )
    # A new desk: 4 first replies in a week is no reply rate; silent rather than assume nobody replies.
    new_desk = FlowBasis(arrivals=6, replies=4, covered_hours=70)
    f = day_forecast(due_times=WAITING_DUE, basis=new_desk, now=NOW, coverage=Coverage(), target_hours=7)
    assert (f.silent, f.breaches) == (True, None)
    assert f.explanation.endswith("(fewer than 5 first replies during coverage in the last 7 days).")
    # Tickets wait but arrivals are too few to measure: the waiting ones are still estimated, no arrival projected;
    # the replies take all five, only the 17:00 one late.
    quiet = FlowBasis(arrivals=2, replies=140, covered_hours=70)
    f = day_forecast(due_times=WAITING_DUE, basis=quiet, now=NOW, coverage=Coverage(), target_hours=7)
    assert (f.silent, f.expected_arrivals, f.breaches, f.already_past) == (False, 0, 1, 1)
    assert "too few arrivals lately to project more (under 3 in 3 h) and the team gives about 8" in f.explanation


def _created(ticket: Ticket, when: datetime) -> Ticket:
    # auto_now_add ignores a given value: when the desk stored it, as the ingest would have then.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    return ticket


def the_day_in_the_database():
    """The hand-built day as tickets: the five waiting ones (two arrived in the last 3 h), four more arrivals answered
    at 17:59, a backlog read late, and first replies inside and outside coverage."""
    view = ViewFactory(name="Everything", slug="everything")
    requested = [at(0, 10), at(0, 12), at(0, 16, 40), at(0, 17, 30), at(-1, 15)]
    for when, due in zip(requested, WAITING_DUE, strict=True):
        _created(TicketFactory(requested_at=when, sla_due_at=due), when + timedelta(minutes=1))
    solved = Ticket.Status.SOLVED
    for minute in (10, 40, 70, 100):  # asked 15:10 ... 16:40, stored a minute later: arrivals, answered since
        when = at(0, 15, minute)
        _created(TicketFactory(requested_at=when, status=solved, first_reply_at=at(0, 17, 59)), when)
    # A backlog asked yesterday, read at 17:30 after downtime: stored in the window, asked before it. No arrival.
    for _ in range(20):
        _created(TicketFactory(requested_at=at(-1, 12), status=solved), at(0, 17, 30))
    # 136 first replies on Wednesday between 09:00 and 20:15 (+ the 4 above: 140 in coverage); none of these count:
    for i in range(136):
        TicketFactory(requested_at=at(-2, 8), status=solved, first_reply_at=at(-2, 9, i * 5))
    TicketFactory(requested_at=at(-6, 8), status=solved, first_reply_at=at(-6, 12))  # Saturday: no coverage
    TicketFactory(requested_at=at(-1, 22), status=solved, first_reply_at=at(-1, 23, 30))  # Thursday night
    TicketFactory(requested_at=at(-8, 8), status=solved, first_reply_at=at(-8, 12))  # more than 7 days ago
    return view


@pytest.mark.django_db
def test_the_same_day_read_from_the_database_on_the_queue_and_the_command(client):
    view = the_day_in_the_database()
    with time_machine.travel(NOW, tick=False):
        f = view_forecasts(now=NOW)[view.pk]
        assert (f.basis.arrivals, f.basis.replies, f.basis.covered_hours) == (6, 140, 70)
        assert (f.waiting, f.expected_arrivals, f.expected_replies, f.breaches) == (5, 8, 8, 5)

        advocate = AdvocateFactory()
        client.force_login(advocate)
        page = client.get("/").content.decode()
        assert "about <strong>5</strong>, the first <span" in page
        assert "about 5 may be past their 7 h target before coverage resumes Mon 08:00 UTC (1 already is)" in page

        out = StringIO()
        call_command("forecast", stdout=out)
        assert f"Everything: {f.explanation}" in out.getvalue()


@pytest.mark.django_db
def test_an_empty_queue_after_a_backlog_is_silent_on_the_page(client):
    view = the_day_in_the_database()
    Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES).update(status=Ticket.Status.SOLVED)
    Ticket.objects.filter(requested_at__gte=at(0, 15)).update(requested_at=at(-1, 9))  # no arrival left: backlog
    with time_machine.travel(NOW, tick=False):
        f = view_forecasts(now=NOW)[view.pk]
        assert (f.waiting, f.basis.arrivals, f.silent, f.breaches) == (0, 0, True, None)
        client.force_login(AdvocateFactory())
        page = client.get("/").content.decode()
    assert 'data-testid="forecast-silent"' in page and "no forecast: too little to go on" in page


@pytest.mark.django_db
def test_a_held_ticket_is_not_waiting_nor_an_arrival(client):
    """Issue 69: on an empty queue the forecast said "1 waiting for a first reply" for a ticket held back as sure noise
    (an advocate's word, or the desk 90 % sure): it waits for nobody's reply. Nor is a snoozed one waiting; noise the
    desk is less sure of keeps its place, as in Play's order (mentions.models.play_order)."""
    view = the_day_in_the_database()
    Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES).update(status=Ticket.Status.SOLVED)
    Ticket.objects.filter(requested_at__gte=at(0, 15)).update(requested_at=at(-1, 9))  # no arrival left: backlog
    due = {"requested_at": at(0, 10), "sla_due_at": at(0, 17)}
    TicketFactory(judgement=Judgement.NOISE, judged_by=JudgedBy.ADVOCATE, **due)
    TicketFactory(judgement=Judgement.NOISE, judged_by=JudgedBy.DESK, judgement_confidence=0.95, **due)
    TicketFactory(snoozed_until=at(3, 9), **due)
    for minute in (10, 20, 30):  # three sure-noise arrivals in the last 3 h: no arrival rate of them
        when = at(0, 16, minute)
        _created(TicketFactory(requested_at=when, judgement=Judgement.NOISE, judged_by=JudgedBy.ADVOCATE), when)
    with time_machine.travel(NOW, tick=False):
        f = view_forecasts(now=NOW)[view.pk]
        assert (f.waiting, f.basis.arrivals, f.silent, f.breaches) == (0, 0, True, None)
        assert f.explanation.startswith("0 waiting for a first reply; no forecast: too little to go on")

        unsure = TicketFactory(judgement=Judgement.NOISE, judged_by=JudgedBy.DESK, judgement_confidence=0.7, **due)
        f = view_forecasts(now=NOW)[view.pk]
        assert (f.waiting, f.breaches, f.already_past) == (1, 1, 1)  # it keeps its place: it may need a reply
        Ticket.objects.filter(pk=unsure.pk).update(status=Ticket.Status.SOLVED)

        client.force_login(AdvocateFactory())
        page = client.get("/").content.decode()
    assert "0 waiting for a first reply; no forecast: too little to go on" in page


@pytest.mark.django_db
def test_a_holiday_saved_in_admin_reaches_the_kept_schedule():
    view = the_day_in_the_database()
    assert view_forecasts(now=NOW)[view.pk].resumes_at == at(3, 8)
    Holiday.objects.create(date=date(2026, 11, 23), name="Thanksgiving week")
    assert view_forecasts(now=NOW)[view.pk].resumes_at == at(4, 8)


@pytest.mark.django_db
def test_the_noise_views_row_says_nothing_is_owed_a_reply_not_a_forecast(client):
    """The queue's row for a view of noise alone said "0 waiting for a first reply; no forecast" beside 11 waiting
    (seen on a worked desk's queue): nothing in it is owed a reply, and the row says that instead."""
    View.objects.filter(name="Noise").delete()  # a fresh desk's (mentions 0056); made here as a flush may remove it
    noise = ViewFactory(name="Noise", judgements=[Judgement.NOISE])
    TicketFactory.create_batch(3, judgement=Judgement.NOISE, judged_by=JudgedBy.DESK)
    client.force_login(AdvocateFactory())
    page = client.get("/").content.decode()
    row = page[page.index(f'data-view="{noise.slug}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-testid="forecast-none">nothing here is owed a reply' in row
    assert "waiting for a first reply" not in row
