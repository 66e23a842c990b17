"""The demo shows the next reply's clock: its week is read in one poll per channel (question, our reply and the
follow-up together, as a desk catching up after downtime), and still a ticket waits on its next reply, the follow-ups
we answered are answered waits, and the KPI's next-reply figures are filled. The platforms' shapes come from each
kind's replay module (channels/adapters/<kind>/replay.py), which names the recorded fixture it follows; no platform
is reached (DESK_DEMO_REPLAY)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from intake.management.commands._demo_week import week_seed
from mentions.models import ReplyWait, Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from metrics.next_reply import next_reply_stats

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday; the week's morning forum question is answered by 06:40


@override_settings(DESK_DEMO_REPLAY=True)
def test_the_demo_has_a_ticket_waiting_on_its_next_reply_and_the_kpis_figures():
    with time_machine.travel(NOW, tick=False):
        week_seed(advocate=AdvocateFactory())
    waiting = Ticket.objects.get(subject="Approvals reset after every push: can we keep them?")
    # Asked 06:00, our answer 06:40, their follow-up 08:30: our next reply is due 8 h later, not yet past.
    assert waiting.status in Ticket.WAITING_STATUSES and waiting.first_reply_at == datetime(
        2026, 11, 25, 6, 40, tzinfo=UTC
    )
    assert waiting.next_reply_due_at == datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    # And two past due: the GitHub follow-up, and the e-mail thread's last two messages (Tuesday 15:00 and 17:00).
    assert ReplyWait.objects.filter(answered_at__isnull=True).count() == 3
    # Two solved threads whose askers thanked us after our answer, and our word after (15 and 30 minutes), and the
    # e-mail thread's first follow-up, answered 90 minutes later: answered waits. Two more thanked us and were solved
    # without a word: solving ends a wait that needs no reply.
    answered = ReplyWait.objects.filter(answered_at__isnull=False)
    assert sorted(w.seconds or 0 for w in answered) == [15 * 60, 30 * 60, 90 * 60]
    assert not answered.filter(breached=True).exists()
    assert not Ticket.objects.filter(status=Ticket.Status.SOLVED, next_reply_due_at__isnull=False).exists()

    stats = next_reply_stats(start=date(2026, 11, 18), end=date(2026, 11, 25), now=NOW)["all"]
    assert (stats.answered, stats.waiting, stats.waiting_over_target, stats.within_target_pct) == (3, 3, 2, 100.0)
    assert stats.median_hours == pytest.approx(0.5)
    client = Client()
    client.force_login(ManagerFactory())
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        page = client.get(reverse("metrics:dashboard"), {"from": "2026-11-18", "to": "2026-11-25"}).content.decode()
    row = page[page.index('data-testid="next-reply-all"') :]
    row = row[: row.index("</tr>")]
    assert ">0.50<" in row and ">100.0 %<" in row and ">3<" in row
