"""The demo's monthly report has team engagement to show: on the seeded demo (`seed_demo`, replayed platforms),
experts' public answers are read through the ingest as the thread watcher would bring them, one after a share to
Slack, so the report's default month (the latest with data: the current one) and the last full one count distinct
team members, platforms and the share; seeding again adds nothing. And the demo's Reddit question that a community
member answered and the asker thanked is marked answered by the community, the helper credited, and counted apart once
closed.
No platform is reached (DESK_DEMO_REPLAY)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from mentions.models import CommunityAnswer
from mentions.tests.factories import ManagerFactory
from metrics.engagement import team_engagement
from people.models import Contribution

pytestmark = pytest.mark.django_db


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=False)
def test_the_demos_monthly_report_counts_team_members_answering_in_public_and_after_a_share():
    call_command("seed_demo", stdout=StringIO())

    october = team_engagement(start=date(2026, 10, 1), end=date(2026, 10, 31))
    november = team_engagement(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert (october["members"], october["answers"], october["after_share"]) == (2, 2, 0)
    assert {p["platform"] for p in october["platforms"]} == {"Stack Overflow", "Discourse forum"}
    assert (november["members"], november["answers"], november["after_share"]) == (3, 3, 1)
    assert november["shares"] == [{"slack_channel": "#dev-questions", "answers": 1}]

    client = Client()
    client.force_login(ManagerFactory())
    # It opens on November, the latest month with data: October holds only two older answered questions.
    page = client.get(reverse("metrics:monthly")).content.decode()
    assert "Community advocacy: November 2026" in page
    assert "3 team members answered in public (3 answers); 1 followed a share to Slack: #dev-questions 1." in page
    page = client.get(reverse("metrics:monthly"), {"month": "2026-10"}).content.decode()
    assert "2 team members answered in public (2 answers); 0 followed a share to Slack." in page

    out = StringIO()
    call_command("seed_demo_engagement", stdout=out)
    assert "0 public answer(s)" in out.getvalue()
    assert team_engagement(start=date(2026, 11, 1), end=date(2026, 11, 30)) == november


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=False)
def test_the_demos_thanked_answer_marks_its_ticket_answered_by_the_community():
    call_command("seed_demo", stdout=StringIO())

    answer = CommunityAnswer.objects.select_related("ticket", "message").get()
    assert answer.ticket.subject == "Pages site 404s after renaming the project"
    assert answer.message.author_handle == "pages_pia"
    assert Contribution.objects.filter(kind=Contribution.Kind.FORUM_ANSWER, link=answer.message.permalink).count() == 1
    client = Client()
    client.force_login(ManagerFactory())
    page = client.get(reverse("mentions:ticket", args=[answer.ticket_id])).content.decode()
    assert "The asker thanked pages_pia for an answer" in page
