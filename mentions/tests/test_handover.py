"""Hand-over "watch overnight" (issue 44), with a frozen clock: the form on the ticket assigns it, the header says
it to both, the receiver's My tickets marks it, and past the deadline it goes back to the giver unless the receiver
acted. No platform is involved (no HTTP shapes)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from mentions.models import AdvocateProfile, HandOver, TicketEvent
from mentions.services.handover import handovers_return
from mentions.services.notes import note_add
from mentions.tests.factories import AdvocateFactory, TicketFactory, seen

pytestmark = pytest.mark.django_db

EVENING = datetime(2026, 11, 30, 21, 30, tzinfo=UTC)  # Ana's 22:30 in Berlin
DEADLINE = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
SAID = "Handed over by Ana Advocate to Kim Watcher, to watch until Tue 07:00 UTC"


@pytest.fixture
def people():
    ana = AdvocateFactory(first_name="Ana", last_name="Advocate")
    kim = AdvocateFactory(first_name="Kim", last_name="Watcher")
    AdvocateProfile.objects.create(user=ana, time_zone="Europe/Berlin")
    return ana, kim


def _hand_over(client, ticket, ana, kim):
    url = reverse("mentions:ticket-hand-over", args=[ticket.pk])
    with time_machine.travel(EVENING, tick=False):
        client.force_login(ana)
        # The deadline as Ana's wall clock shows it (Berlin): 08:00 is 07:00 UTC.
        return client.post(url, {"receiver": kim.pk, "until": "2026-12-01T08:00", "seen": seen(ticket)}, follow=True)


def test_the_hand_over_assigns_records_and_shows_to_both(client, people):
    ana, kim = people
    ticket = TicketFactory(assignee=ana)

    response = _hand_over(client, ticket, ana, kim)

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == kim
    event = ticket.events.get(kind=TicketEvent.Kind.HANDED_OVER)
    assert event.data["giver"] == "Ana Advocate" and event.data["to"] == "Kim Watcher"
    assert event.data["until"] == DEADLINE.isoformat()
    for user in (ana, kim):
        with time_machine.travel(EVENING + timedelta(minutes=5), tick=False):
            client.force_login(user)
            assert SAID in client.get(ticket.get_absolute_url()).content.decode()
    with time_machine.travel(EVENING + timedelta(minutes=5), tick=False):
        client.force_login(kim)
        mine = client.get(reverse("mentions:queue")).content.decode()
    assert "watch until Tue 07:00 UTC (from Ana Advocate)" in mine


def test_a_deadline_in_the_past_is_refused_beside_the_form(client, people):
    ana, kim = people
    ticket = TicketFactory(assignee=ana)
    url = reverse("mentions:ticket-hand-over", args=[ticket.pk])
    with time_machine.travel(EVENING, tick=False):
        client.force_login(ana)
        response = client.post(url, {"receiver": kim.pk, "until": "2026-11-30T08:00", "seen": seen(ticket)})
    assert response.status_code in (302, 303, 400)
    ticket.refresh_from_db()
    assert ticket.assignee == ana and not HandOver.objects.exists()


def test_past_the_deadline_without_action_it_returns_to_the_giver(client, people):
    ana, kim = people
    ticket = TicketFactory(assignee=ana)
    _hand_over(client, ticket, ana, kim)

    with time_machine.travel(DEADLINE - timedelta(minutes=1), tick=False):
        assert handovers_return() == {"returned": 0, "acted": 0, "ended": 0}
    with time_machine.travel(DEADLINE, tick=False):
        assert handovers_return()["returned"] == 1
        assert handovers_return()["returned"] == 0  # the beat, doubled

    ticket.refresh_from_db()
    assert ticket.assignee == ana and ticket.followup_at == DEADLINE  # heads Ana's My tickets, "updated"
    back = ticket.events.get(kind=TicketEvent.Kind.HANDED_BACK)
    assert "back to Ana Advocate" in back.data["said"]
    assert HandOver.objects.get().outcome == HandOver.Outcome.RETURNED


def test_a_receiver_who_acted_keeps_the_ticket(client, people):
    ana, kim = people
    ticket = TicketFactory(assignee=ana)
    _hand_over(client, ticket, ana, kim)
    with time_machine.travel(EVENING + timedelta(hours=3), tick=False):
        note_add(ticket=ticket, body="Asked for their runner version", author=kim)

    with time_machine.travel(DEADLINE, tick=False):
        assert handovers_return()["acted"] == 1

    ticket.refresh_from_db()
    assert ticket.assignee == kim
    assert not ticket.events.filter(kind=TicketEvent.Kind.HANDED_BACK).exists()
