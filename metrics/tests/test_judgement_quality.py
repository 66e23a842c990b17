"""The KPI page's judgement corrections: of the tickets the desk judged in the last 30 days, the share advocates
corrected, per what the desk said (metrics/judgement_quality.py). Judgements set as the worker's task sets them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentions.models import JudgedBy, Ticket
from mentions.services.judgement import judgement_correct
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory
from metrics.judgement_quality import judgement_corrections

pytestmark = pytest.mark.django_db


def _judged(judgement: str, *, days_ago: int = 1) -> Ticket:
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(
        judgement=judgement, judged_by=JudgedBy.DESK, judged_at=timezone.now() - timedelta(days=days_ago)
    )
    ticket.refresh_from_db()
    return ticket


def test_the_share_corrected_is_counted_by_what_the_desk_said_in_the_last_30_days(client):
    advocate = AdvocateFactory()
    noise = [_judged("noise") for _ in range(4)]
    _judged("needs_response")
    _judged("noise", days_ago=40)  # outside the window
    judgement_correct(noise[0], "needs_response", advocate)
    judgement_correct(noise[1], "worth_knowing", advocate)
    judgement_correct(noise[1], "needs_response", advocate)  # corrected twice: still the desk's "noise" once

    rows = {r["judgement"]: r for r in judgement_corrections(now=timezone.now())}
    assert (rows["noise"]["judged"], rows["noise"]["corrected"], rows["noise"]["corrected_pct"]) == (4, 2, 50.0)
    assert (rows["needs_response"]["judged"], rows["needs_response"]["corrected"]) == (1, 0)
    assert rows["worth_knowing"]["corrected_pct"] is None

    client.force_login(ManagerFactory())
    page = client.get("/kpi/").content.decode()
    assert 'data-testid="judgement-corrections"' in page and "50.0%" in page


def test_an_unsure_judgement_confirmed_as_it_stood_is_not_a_correction():
    advocate = AdvocateFactory()
    confirmed, changed = _judged("needs_response"), _judged("needs_response")
    Ticket.objects.filter(pk__in=[confirmed.pk, changed.pk]).update(judgement_confidence=0.45)  # Unsure, stored so
    for ticket in (confirmed, changed):
        ticket.refresh_from_db()
    judgement_correct(confirmed, "needs_response", advocate)
    judgement_correct(changed, "worth_knowing", advocate)

    rows = {r["judgement"]: r for r in judgement_corrections(now=timezone.now())}
    assert (rows["needs_response"]["judged"], rows["needs_response"]["corrected"]) == (2, 1)
