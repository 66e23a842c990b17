from datetime import UTC, date, datetime, time

import pytest

from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import CoverageSchedule, Holiday, Ticket
from metrics.services import business_seconds_recompute

pytestmark = pytest.mark.django_db


def ts(day, hour):
    return int(datetime(2026, 11, day, hour, tzinfo=UTC).timestamp())  # 2026-11-06 is a Friday


def _ingest():
    from channels.adapters.hackernews import HackerNewsAdapter

    channel = ChannelFactory(our_accounts=["gitlabhq"])
    hits = [story_hit(1, ts(6, 21)), comment_hit(2, ts(10, 9), author="gitlabhq", parent_id=1, story_id=1)]
    mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(hits)))
    return Ticket.objects.get()


def test_our_reply_recognised_on_the_platform_stores_calendar_and_business_time():
    # Friday 21:00 -> Tuesday 09:00: 84 h on the calendar; 1 h Friday + 14 h Monday + 1 h Tuesday covered.
    ticket = _ingest()
    assert ticket.first_reply_seconds == 84 * 3600
    assert ticket.first_reply_business_seconds == 16 * 3600


def test_a_holiday_added_later_is_recounted():
    ticket = _ingest()
    Holiday.objects.create(date=date(2026, 11, 9), name="Team day")
    assert business_seconds_recompute() == 1
    ticket.refresh_from_db()
    assert ticket.first_reply_business_seconds == 2 * 3600


def test_a_changed_schedule_is_recounted():
    ticket = _ingest()
    CoverageSchedule.objects.create(weekdays=[1, 2, 3, 4, 5, 6, 7], start=time(0), end=time(23, 59, 59))
    business_seconds_recompute()
    ticket.refresh_from_db()
    assert abs(ticket.first_reply_business_seconds - 84 * 3600) < 5 * 60  # 4 nights lose a second each
