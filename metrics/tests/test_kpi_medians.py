"""The KPI page's medians on known inputs, through the services that write what they read.

Handling: an advocate presses Play twice (mentions.services.play.ticket_claim_next, which assigns a new ticket
and opens it in one go) and marks each replied 6 and 10 minutes later (ticket_mark_replied): median 8.0 min.
Play's own "new → open" is part of serving, not handling: counting it made every handling time 0.0 min.

Expert answers: two outreaches sent and answered 2 h and 4 h later, one through the service (which stores the
answer time) and one as the demo seed and admin store it (answered_at only): median 3.00 h, not "—".
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from experts.models import Outreach
from experts.services import outreach_mark_answered
from experts.tests.factories import OutreachFactory
from mentions.services.actions import ticket_mark_replied
from mentions.services.play import ticket_claim_next
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory, ViewFactory
from metrics import activity, advocates

pytestmark = pytest.mark.django_db


def _section(html: str, section: str) -> str:
    match = re.search(rf'<section id="{section}">(.*?)</section>', html, re.S)
    assert match, f"no section {section}"
    return match.group(1)


def _played_and_replied(advocate, view, *, served_at, after: timedelta):
    with time_machine.travel(served_at, tick=False):
        ticket = ticket_claim_next(view=view, user=advocate)
    assert ticket is not None
    with time_machine.travel(served_at + after, tick=False):
        ticket_mark_replied(ticket=ticket, user=advocate, body="Fixed in 18.6: see the release notes.")
    return ticket


def test_median_handling_counts_from_the_play_to_the_reply_not_to_plays_own_opening(client):
    ada = AdvocateFactory(username="ada")
    view = ViewFactory(name="All mentions")
    start = timezone.now() - timedelta(days=2)
    for minutes in range(2):
        TicketFactory(requested_at=start - timedelta(hours=1, minutes=minutes))  # new, waiting
    _played_and_replied(ada, view, served_at=start, after=timedelta(minutes=6))
    _played_and_replied(ada, view, served_at=start + timedelta(minutes=20), after=timedelta(minutes=10))

    rows = advocates.advocate_stats(start=start.date(), end=timezone.localdate())
    python = advocates._advocate_rows_python(start=start.date(), end=timezone.localdate(), channel_id=None)

    assert [(r["advocate"], r["served"], r["replied"], r["median_handling_minutes"]) for r in rows] == [
        ("ada", 2, 2, 8.0)
    ]
    assert [row[4] for row in python] == [8.0]  # the reference path agrees
    client.force_login(ManagerFactory())
    html = _section(client.get(reverse("metrics:dashboard")).content.decode(), "advocates")
    served_replied_solved_handling = '<td class="num">2</td>' * 3 + '<td class="num">8.0</td>'
    assert "<td>ada</td>" + served_replied_solved_handling in html


def test_median_answer_counts_every_answered_outreach_however_it_was_recorded(client):
    sent = timezone.now() - timedelta(days=2)
    by_service = OutreachFactory(sent_at=sent)
    outreach_mark_answered(by_service, at=sent + timedelta(hours=2), actor=None)
    # As seed_demo_experts and admin's change form store an answer: the time, without answer_seconds.
    OutreachFactory(sent_at=sent, status=Outreach.Status.ANSWERED, answered_at=sent + timedelta(hours=4))

    rows = activity.outreach_monthly(start=sent.date(), end=timezone.localdate())

    assert [(r["answered"], r["median_answer_hours"]) for r in rows] == [(2, 3.0)]
    client.force_login(ManagerFactory())
    html = _section(client.get(reverse("metrics:dashboard")).content.decode(), "outreach")
    assert re.search(
        r'<td class="num">2</td><td class="num">0</td>\s*<td class="num">100\.0%</td>\s*'
        r'<td class="num">3\.00</td>',
        html,
    ), html
