"""`POST`/`DELETE /api/tickets/{id}/snooze/` and the ticket detail's snooze fields: a time with its offset, until the
requester answers, `until: null` and DELETE to unsnooze, and a 400 naming the field for both or neither, a time
without its offset or more than a year ahead, a 409 for a time already past (docs/api.md). The desk's own shapes:
no platform is asked."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from api.tokens import token_create
from mentions.models import AdvocateProfile, Ticket
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db

MONDAY_8 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def ada():
    ada = AdvocateFactory(username="ada")
    AdvocateProfile.objects.create(user=ada, slack_user_id="U0ADA1234")
    return ada


def test_the_api_snoozes_unsnoozes_and_answers_field_errors(ada):
    ticket = TicketFactory(assignee=ada, status=Ticket.Status.OPEN)
    client = Client(headers={"Authorization": f"Bearer {token_create(user=ada, name='t', scope='write', days=30)[1]}"})
    url = f"/api/tickets/{ticket.pk}/snooze/"
    with time_machine.travel(MONDAY_8, tick=False):
        past = client.post(url, {"until": "2026-11-30T07:00:00Z"}, "application/json")
        assert past.status_code == 409 and past.json()["detail"] == "until: Give a time in the future."
        both = client.post(url, {"until": "2026-11-30T10:00:00Z", "until_reply": True}, "application/json")
        assert both.status_code == 400 and "until_reply" in both.json()
        assert client.post(url, {}, "application/json").status_code == 400
        ok = client.post(url, {"until": "2026-11-30T10:00:00+01:00"}, "application/json")
        assert ok.status_code == 200
        detail = client.get(f"/api/tickets/{ticket.pk}/").json()
        assert detail["snoozed_until"] == "2026-11-30T09:00:00Z" and detail["snoozed_until_reply"] is False
        assert detail["next_reply_due_at"] is None
        assert client.post(url, {"until_reply": True}, "application/json").status_code == 200
        assert client.get(f"/api/tickets/{ticket.pk}/").json()["snoozed_until_reply"] is True
        assert client.post(url, {"until": None}, "application/json").status_code == 200
        assert client.get(f"/api/tickets/{ticket.pk}/").json()["snoozed_until_reply"] is False
        client.post(url, {"until_reply": True}, "application/json")
        assert client.delete(url).status_code == 200
    ticket.refresh_from_db()
    assert not ticket.is_snoozed


@pytest.mark.parametrize(
    ("until", "said"),
    [
        ("2026-12-01T09:00:00", "Give the time with its UTC offset (Z or +01:00): without it the time is ambiguous."),
        ("9999-12-30T09:00:00Z", "Give a time within a year (by 2027-11-30): a ticket put aside for longer"),
        ("2027-12-01T08:00:01Z", "Give a time within a year (by 2027-11-30)"),  # a year and a second
        ("9999-12-31T23:59:59-05:00", "Datetime value out of range."),  # past year 9999 in UTC: DRF's own words
    ],
    ids=["no-offset", "year-9999", "a-year-and-a-second", "past-year-9999-in-utc"],
)
def test_a_time_without_an_offset_or_beyond_a_year_is_a_400_on_until(ada, until, said):
    ticket = TicketFactory(assignee=ada, status=Ticket.Status.OPEN)
    client = Client(headers={"Authorization": f"Bearer {token_create(user=ada, name='t', scope='write', days=30)[1]}"})
    with time_machine.travel(MONDAY_8, tick=False):
        answer = client.post(f"/api/tickets/{ticket.pk}/snooze/", {"until": until}, "application/json")
        assert answer.status_code == 400, answer.content
        assert list(answer.json()) == ["until"] and answer.json()["until"][0].startswith(said)
        in_a_year = client.post(
            f"/api/tickets/{ticket.pk}/snooze/", {"until": "2027-11-30T08:00:00Z"}, "application/json"
        )
        assert in_a_year.status_code == 200, in_a_year.content  # a year to the second: taken
    ticket.refresh_from_db()
    assert ticket.snoozed_until == datetime(2027, 11, 30, 8, 0, tzinfo=UTC)
