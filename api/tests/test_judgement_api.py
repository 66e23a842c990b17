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


def _judged(judgement: str, **more: object) -> Ticket:
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


def test_the_confidence_is_read_only_and_the_list_filters_the_unsure(api):
    from mentions.tests.test_judgement_unsure import LEANS_WORTH

    doubt = _judged("needs_response", judgement_confidence=0.46, judgement_reason=LEANS_WORTH)
    sure = _judged("needs_response", judgement_confidence=0.93)
    older = _judged("noise")  # judged before the desk measured how sure: null

    body = api.get(f"/api/tickets/{doubt.pk}/").json()
    assert (body["judgement"], body["judgement_confidence"], body["judgement_reason"]) == (
        "needs_response",
        0.46,
        LEANS_WORTH,
    )
    assert api.get(f"/api/tickets/{older.pk}/").json()["judgement_confidence"] is None
    listed = api.get("/api/tickets/?judgement=unsure")
    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()["results"]] == [doubt.pk]
    assert {row["id"] for row in api.get("/api/tickets/?judgement=needs_response").json()["results"]} == {
        doubt.pk,
        sure.pk,
    }
    # Read-only: a PATCH of the confidence is refused as a field the request does not take.
    refused = api.patch(f"/api/tickets/{doubt.pk}/", {"judgement_confidence": 1}, content_type="application/json")
    assert refused.status_code == 400 and "judgement_confidence" in refused.json()
    # Corrected (here confirmed as it stood): the advocate's word, sure.
    confirmed = api.patch(f"/api/tickets/{doubt.pk}/", {"judgement": "needs_response"}, content_type="application/json")
    assert confirmed.status_code == 200
    assert (confirmed.json()["judged_by"], confirmed.json()["judgement_confidence"]) == ("advocate", 1.0)
    assert api.get("/api/tickets/?judgement=unsure").json()["results"] == []


def test_the_schema_states_the_confidence_and_the_unsure_filter(api):
    schema = api.get("/api/schema/?format=json").json()
    field = schema["components"]["schemas"]["Ticket"]["properties"]["judgement_confidence"]
    assert field["readOnly"] is True and field["nullable"] is True
    assert (field["minimum"], field["maximum"]) == (0, 1)
    [param] = [p for p in schema["paths"]["/api/tickets/"]["get"]["parameters"] if p["name"] == "judgement"]
    assert "unsure" in param["schema"]["enum"] and "unsure" in param["description"]
