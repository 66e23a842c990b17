"""Rules and clocks together: what a rule decides during ingestion reaches the SLA clock and the
after-hours ping (the two were built apart; these tests hold them together).
Default coverage: Monday-Friday 08:00-22:00 UTC; 2026-11-20 is a Friday."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import search_page, story_hit
from intake.hooks import tickets_after_ingest
from intake.pipeline import mentions_ingest
from mentions.models import Rule, Ticket
from notifications.models import UrgentPing

pytestmark = pytest.mark.django_db

POST_URL = "https://slack.com/api/chat.postMessage"
FRIDAY_EVENING = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
FRIDAY_NIGHT = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
FRIDAY_NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _ingest(channel, object_id, at, title):
    hit = story_hit(object_id, int(at.timestamp()), title=title)
    mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page([hit])))
    return Ticket.objects.get(messages__external_id=str(object_id))


def test_a_security_report_tagged_by_the_seeded_rule_is_due_one_business_day_later(handbook_rules):
    ticket = _ingest(ChannelFactory(), 1, FRIDAY_EVENING, "Stored XSS vulnerability in the GitLab markdown renderer")
    assert set(ticket.tags.values_list("name", flat=True)) >= {"security"}
    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_EVENING + timedelta(minutes=1))
    ticket.refresh_from_db()
    assert ticket.sla_target == Ticket.SlaTarget.SECURITY
    assert ticket.sla_due_at == datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # Friday 21:00 -> Monday 21:00


def _urgent_rule():
    return Rule.objects.create(
        name="Pipelines stuck", enabled=True, text_keywords="pipelines stuck", set_priority=Ticket.Priority.URGENT
    )


def _posts(mock):
    return [json.loads(c.request.body) for c in mock.calls if c.request.url == POST_URL]


def test_a_rule_marking_a_mention_urgent_after_hours_pings_once(slack):
    _urgent_rule()
    ticket = _ingest(ChannelFactory(), 2, FRIDAY_NIGHT - timedelta(minutes=2), "All GitLab pipelines stuck pending")
    assert ticket.priority == Ticket.Priority.URGENT
    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NIGHT)
    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NIGHT + timedelta(minutes=5))
    assert len(_posts(slack)) == 1
    assert UrgentPing.objects.get(ticket=ticket).status == UrgentPing.Status.SENT


def test_the_same_urgent_mention_inside_coverage_pings_nobody(slack):
    _urgent_rule()
    ticket = _ingest(ChannelFactory(), 3, FRIDAY_NOON - timedelta(minutes=2), "All GitLab pipelines stuck pending")
    assert ticket.priority == Ticket.Priority.URGENT
    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NOON)
    assert _posts(slack) == []
    assert UrgentPing.objects.get(ticket=ticket).status == UrgentPing.Status.IN_COVERAGE
