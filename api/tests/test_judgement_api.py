"""The desk's judgement in the API (docs/api.md): on every ticket, as list filters, and PATCH as an advocate's
correction. Requests as a client sends them, with a read-write token (api/tests/test_contract.py's shape)."""

import pytest
from django.test import Client
from django.utils import timezone

from api.tokens import token_create
from mentions.models import JudgedBy, Ticket, TicketEvent
from mentions.tests.factories import ManagerFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    secret = token_create(user=ManagerFactory(username="mo"), name="t", scope="write", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _judged(judgement: str, **more: str) -> Ticket:
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(
        judgement=judgement, judged_by=JudgedBy.DESK, judged_at=timezone.now(), **more
    )
    return ticket


def test_a_ticket_and_the_list_carry_the_judgement_and_the_list_filters_by_it(api):
    asks = _judged("needs_response", intent="question", sentiment="negative", language="de", judgement_reason="Asks")
    noise = _judged("noise", intent="praise", sentiment="positive")
    fresh = TicketFactory()

    body = api.get(f"/api/tickets/{asks.pk}/").json()
    assert {k: body[k] for k in ("judgement", "intent", "sentiment", "language", "judgement_reason", "judged_by")} == {
        "judgement": "needs_response",
        "intent": "question",
        "sentiment": "negative",
        "language": "de",
        "judgement_reason": "Asks",
        "judged_by": "desk",
    }

    def ids(query: str) -> set[int]:
        response = api.get(f"/api/tickets/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("judgement=noise") == {noise.pk}
    assert ids("judgement=none") == {fresh.pk}
    assert ids("intent=question") == {asks.pk}
    assert ids("sentiment=positive&judgement=noise") == {noise.pk}


@pytest.mark.parametrize(
    ("query", "field"), [("judgement=spam", "judgement"), ("intent=rant", "intent"), ("sentiment=meh", "sentiment")]
)
def test_an_unknown_filter_value_is_a_400_naming_the_values(api, query, field):
    response = api.get(f"/api/tickets/?{query}")
    assert response.status_code == 400
    said = str(response.json())
    assert field in said and "the desk knows: one of" in said


def test_patch_corrects_the_judgement_as_an_advocate(api):
    ticket = _judged("noise")
    response = api.patch(
        f"/api/tickets/{ticket.pk}/", {"judgement": "needs_response", "intent": "bug"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["judgement"], response.json()["judged_by"]) == ("needs_response", "advocate")
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.JUDGEMENT)
    assert event.data == {"from": "noise", "to": "needs_response", "by": "mo", "intent_from": "", "intent_to": "bug"}

    empty = api.patch(f"/api/tickets/{ticket.pk}/", {}, content_type="application/json")
    assert empty.status_code == 200 and empty.json()["judgement"] == "needs_response"  # a PATCH of nothing
    unjudged = TicketFactory()
    said = api.patch(f"/api/tickets/{unjudged.pk}/", {"intent": "bug"}, content_type="application/json")
    assert said.status_code == 409 and "not judged this ticket yet" in said.content.decode()
    assert api.patch(f"/api/tickets/{ticket.pk}/", content_type="application/json").status_code == 400  # no body
    bad = api.patch(f"/api/tickets/{ticket.pk}/", {"judgement": "spam"}, content_type="application/json")
    assert bad.status_code == 400
    assert api.patch("/api/tickets/999999/", {"judgement": "noise"}, content_type="application/json").status_code == 404


def test_the_schema_states_the_judgement(api):
    schema = api.get("/api/schema/?format=json").json()
    ticket = schema["components"]["schemas"]["Ticket"]["properties"]
    assert {"judgement", "intent", "sentiment", "language", "judgement_reason"} <= set(ticket)
    operation = schema["paths"]["/api/tickets/{id}/"]["patch"]
    assert "400" in operation["responses"] and "409" in operation["responses"]
    names = {p["name"] for p in schema["paths"]["/api/tickets/"]["get"]["parameters"]}
    assert {"judgement", "intent", "sentiment"} <= names
