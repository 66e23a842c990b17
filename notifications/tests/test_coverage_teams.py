"""Coverage per team (issue 44): two offices in their own time zones, a weekend duty on release day and an
overnight duty. The business clocks count the union of the team schedules, in each one's local hours (summer time
included); duty hours count nothing; the after-hours ping names the person on duty. Every figure below is computed
by hand in its comment.

Slack is a fake of its Web API (responses): chat.postMessage answers in its documented shape
(https://api.slack.com/methods/chat.postMessage, "Example response"), as notifications/tests/test_urgency.py does.
The mentions come in through the Hacker News parser from Algolia's recorded search shape (channels/tests/hn.py).
2026-11-22 is a Sunday (the release day, the 22nd), 2026-11-20 and 2026-11-27 are Fridays, 2026-11-25 a
Wednesday (a mention from the future is refused by the parser: the ingested ones are in the past)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from intake.hooks import tickets_after_ingest
from mentions.coverage import coverage_load
from mentions.models import AdvocateProfile, CoverageSchedule, DutySettings, ReleaseRota, ReplyWait, TicketEvent
from mentions.services.next_reply import next_reply_answer
from mentions.tests.factories import AdvocateFactory, TicketFactory
from notifications.tests.test_urgency import ChannelFactory, front_page_hit, ingest, posts, slack_ok, ticket_of

pytestmark = pytest.mark.django_db
WEEKDAYS = [1, 2, 3, 4, 5]


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def two_offices(*, end: time = time(17)) -> None:
    CoverageSchedule.objects.create(
        name="Amsterdam", weekdays=WEEKDAYS, start=time(9), end=end, time_zone="Europe/Amsterdam"
    )
    CoverageSchedule.objects.create(
        name="New York", weekdays=WEEKDAYS, start=time(9), end=end, time_zone="America/New_York"
    )


def test_two_offices_cover_the_union_of_their_local_hours_in_winter_and_in_summer():
    two_offices()
    coverage = coverage_load()
    # November: Amsterdam is UTC+1 (08:00-16:00 UTC), New York UTC-5 (14:00-22:00 UTC): 08:00-22:00, 14 h.
    assert not coverage.covers(utc(11, 25, 7, 59)) and coverage.covers(utc(11, 25, 8))
    assert coverage.covers(utc(11, 25, 21, 59)) and not coverage.covers(utc(11, 25, 22))
    assert coverage.seconds(utc(11, 25, 0), utc(11, 26, 0)) == 14 * 3600
    # July: Amsterdam UTC+2 (07:00-15:00 UTC), New York UTC-4 (13:00-21:00 UTC): 07:00-21:00, still 14 h.
    assert coverage.covers(utc(7, 1, 7)) and not coverage.covers(utc(7, 1, 21))
    assert coverage.seconds(utc(7, 1, 0), utc(7, 2, 0)) == 14 * 3600
    # Friday 21:00 UTC is New York's 16:00; coverage resumes Monday in Amsterdam, 08:00 UTC.
    assert coverage.next_start(utc(11, 27, 21)) == utc(11, 30, 8)
    assert coverage.last_end(utc(11, 28, 12)) == utc(11, 27, 22)


def test_hours_that_leave_a_gap_between_the_offices_stop_the_clock_in_it():
    two_offices(end=time(12))
    coverage = coverage_load()
    # 08:00-11:00 UTC (Amsterdam 09-12) and 14:00-17:00 UTC (New York 09-12): 6 h with a gap of 3.
    assert coverage.seconds(utc(11, 25, 0), utc(11, 26, 0)) == 6 * 3600
    assert not coverage.covers(utc(11, 25, 12)) and coverage.next_start(utc(11, 25, 11, 30)) == utc(11, 25, 14)
    # Three covered hours from 10:00: one until 11:00, two from 14:00: 16:00.
    assert coverage.business_after(utc(11, 25, 10), 3) == utc(11, 25, 16)


def test_a_follow_up_clock_counts_business_hours_across_both_offices_and_breaches_as_set():
    two_offices()
    ticket = TicketFactory()
    started = utc(11, 27, 20)  # Friday 20:00 UTC: New York covers until 22:00
    wait = ReplyWait.objects.create(
        ticket_id=ticket.pk, high_priority=False, started_at=started, due_at=started + timedelta(hours=8)
    )
    # Answered Monday 09:00 UTC: 2 h on Friday (20-22, New York) + 1 h on Monday (08-09, Amsterdam).
    assert next_reply_answer([(ticket.pk, utc(11, 30, 9))], now=utc(11, 30, 9)) == 1
    wait.refresh_from_db()
    assert (wait.business_seconds, wait.seconds) == (3 * 3600, 61 * 3600)
    assert wait.breached  # due Saturday 04:00: 8 calendar hours, as the first reply's clock
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.NEXT_REPLY_BREACHED).count() == 1


def _release_duty() -> None:
    DutySettings.objects.create(release_day=22, advocates_mention="<!subteam^S0123ABCD|advocates>")
    CoverageSchedule.objects.create(name="Office", weekdays=WEEKDAYS, start=time(8), end=time(22))
    CoverageSchedule.objects.create(
        name="Weekend release duty",
        weekdays=[6, 7],
        start=time(10),
        end=time(16),
        time_zone="Europe/Amsterdam",
        release_day_only=True,
        duty_only=True,
    )
    ana = AdvocateFactory(first_name="Ana", last_name="Silva")
    AdvocateProfile.objects.create(user=ana, slack_user_id="U0ANA")
    ReleaseRota.objects.create(month=date(2026, 11, 1), advocate=ana)


def test_on_a_weekend_release_day_the_after_hours_ping_goes_to_the_release_advocate(slack):
    slack_ok(slack)
    _release_duty()
    # Sunday the 22nd, 11:00 UTC (12:00 in Amsterdam): outside the office's hours, inside the release duty.
    sunday = utc(11, 22, 11)
    ingest(ChannelFactory(name="Hacker News"), front_page_hit(1, sunday - timedelta(minutes=3)))
    assert tickets_after_ingest(ticket_ids=[ticket_of(1).pk], now=sunday)["pinged"] == 1
    (sent,) = posts(slack)
    # Release day (issue 46): to the release advocate as a direct message (their member id as the channel).
    assert sent["channel"] == "U0ANA"
    assert sent["text"].startswith(
        ":rocket: Release day: you are the release advocate on duty. :rotating_light: Urgent mention outside coverage"
    )
    assert "<!subteam" not in sent["text"]
    # The duty counts no business hours: the weekend is still uncovered for the clocks.
    coverage = coverage_load()
    assert coverage.seconds(utc(11, 21, 0), utc(11, 23, 0)) == 0 and not coverage.covers(sunday)


def test_a_weekend_that_is_not_release_day_pings_the_channel_as_before(slack):
    slack_ok(slack)
    _release_duty()
    sunday = utc(11, 15, 11)  # the 15th: no release, nobody on duty
    ingest(ChannelFactory(name="Hacker News"), front_page_hit(2, sunday - timedelta(minutes=3)))
    assert tickets_after_ingest(ticket_ids=[ticket_of(2).pk], now=sunday)["pinged"] == 1
    (sent,) = posts(slack)
    assert sent["text"].startswith("<!subteam^S0123ABCD|advocates> :rotating_light:")


def test_an_overnight_duty_names_its_person_until_the_morning_after_its_last_weekday(slack):
    slack_ok(slack)
    bob = AdvocateFactory(first_name="Bob", last_name="<Night> & Co")  # no Slack id: named, escaped
    CoverageSchedule.objects.create(name="Office", weekdays=WEEKDAYS, start=time(8), end=time(22))
    CoverageSchedule.objects.create(
        name="Night duty", weekdays=WEEKDAYS, start=time(22), end=time(6), duty_only=True, on_duty=bob
    )
    saturday_5 = utc(11, 21, 5)  # Friday's night runs into Saturday 06:00
    ingest(ChannelFactory(name="Hacker News"), front_page_hit(3, saturday_5 - timedelta(minutes=3)))
    assert tickets_after_ingest(ticket_ids=[ticket_of(3).pk], now=saturday_5)["pinged"] == 1
    (sent,) = posts(slack)
    assert sent["text"].startswith("Bob &lt;Night&gt; &amp; Co (on duty) :rotating_light:")
    coverage = coverage_load()
    assert coverage.on_duty(utc(11, 21, 6)) is None and coverage.on_duty(utc(11, 20, 23)) is not None
