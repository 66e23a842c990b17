"""`POST`/`DELETE /api/tickets/{id}/snooze/` and the ticket detail's snooze fields: a time with its offset, until the
requester answers, `until: null` and DELETE to unsnooze, and a 400 naming the field for a time not in the future,
both or neither, a 409 for a time already past (docs/api.md). The desk's own shapes: no platform is asked."""

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
