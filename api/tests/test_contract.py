"""The schema says what the API does, item by item of schemathesis's findings in the issue (36 mismatches):
null fields marked nullable, every refusal documented with its shape, and requests taken or refused exactly
as the schema describes them: `limit` from 1 to 1000, no blank bodies, no number where a string is due.
api/tests/test_schema.py runs schemathesis itself over all of it."""

import pytest
from django.test import Client

from api.tokens import token_create
from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    secret = token_create(user=ManagerFactory(username="mo"), name="t", scope="write", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def schema(api):
    return api.get("/api/schema/?format=json").json()


def test_fields_that_can_be_null_say_so(schema):
    components = schema["components"]["schemas"]
    assert components["Ticket"]["properties"]["assignee"]["nullable"] is True
    assert components["Message"]["properties"]["author_user"]["nullable"] is True
    assert components["Event"]["properties"]["actor"]["nullable"] is True
    assert components["Change"]["properties"]["actor"]["nullable"] is True


def test_every_operation_documents_its_refusals(schema):
    documented = {
        f"{method.upper()} {path}": set(operation["responses"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert all({"200", "401", "403", "429"} <= codes for codes in documented.values())
    assert documented["GET /api/kpi/"] >= {"400", "404"}
    assert documented["GET /api/changes/"] >= {"400"}
    assert documented["GET /api/tickets/{id}/"] >= {"404"}
    assert documented["POST /api/tickets/{id}/send/"] >= {"400", "404", "409", "415", "502"}
    bad = schema["paths"]["/api/kpi/"]["get"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert bad == {"$ref": "#/components/schemas/FieldErrors"}
    assert schema["components"]["schemas"]["FieldErrors"]["additionalProperties"]["items"] == {"type": "string"}
    limit = next(p for p in schema["paths"]["/api/changes/"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert schema["paths"]["/api/tickets/{id}/notes/"]["post"]["requestBody"]["required"] is True


@pytest.mark.parametrize(
    ("query", "status"),
    [("limit=1", 200), ("limit=1000", 200), ("limit=", 200), ("limit=0", 400), ("limit=1001", 400), ("limit=1.0", 400)],
)
def test_limit_is_taken_from_1_to_1000(api, query, status):
    assert api.get(f"/api/changes/?{query}").status_code == status


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"body": "   \n\u3000"}, {"body": ["This field may not be blank."]}),
        ({"body": 5}, {"body": ["Must be a string."]}),
        ({"body": "a\x00b"}, {"body": ["A NUL character cannot be stored."]}),
        ({"body": "x" * 20_001}, {"body": ["At most 20000 characters."]}),
        ({}, {"body": ["This field is required."]}),
        ([], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_a_note_body_is_refused_as_the_schema_says(api, body, errors):
    answer = api.post(f"/api/tickets/{TicketFactory().pk}/notes/", body, content_type="application/json")
    assert (answer.status_code, answer.json()) == (400, errors)


def test_a_reply_needs_its_text_or_a_link_and_a_link_is_a_web_address(api):
    ticket = TicketFactory()

    def reply(body: dict):
        return api.post(f"/api/tickets/{ticket.pk}/replies/", body, content_type="application/json")

    assert reply({"body": " "}).json() == {"body": ["Give the reply text or a link to the posted reply."]}
    assert reply({"link": "javascript:alert(1)"}).json() == {"link": ["The link must start with http:// or https://."]}
    assert reply({"link": "HTTPS://news.ycombinator.com/item?id=1"}).status_code == 200


def test_a_body_that_is_not_json_is_a_400_in_the_one_shape(api):
    answer = api.post(f"/api/tickets/{TicketFactory().pk}/notes/", "{not json", content_type="application/json")
    assert answer.status_code == 400 and list(answer.json()) == ["detail"]
    assert answer.json()["detail"][0].startswith("JSON parse error")


def test_the_desks_state_refusing_a_valid_request_is_a_409_and_a_name_that_matches_nothing_a_404(api):
    ada = AdvocateFactory(username="ada")
    ticket = TicketFactory(assignee=ada)
    again = api.post(f"/api/tickets/{ticket.pk}/assignee/", {"assignee": "ada"}, content_type="application/json")
    assert again.status_code == 409 and again.json() == {"detail": f"#{ticket.pk} is assigned to ada already."}
    send = api.post(f"/api/tickets/{ticket.pk}/send/", {"body": "Hi"}, content_type="application/json")
    assert send.status_code == 409 and "cannot post replies from the desk" in send.json()["detail"]
    nobody = api.post(f"/api/tickets/{ticket.pk}/assignee/", {"assignee": "zed"}, content_type="application/json")
    assert nobody.status_code == 404 and nobody.json() == {"detail": "No user 'zed'."}
    macro = api.post(f"/api/tickets/{ticket.pk}/macros/", {"macro": "No such"}, content_type="application/json")
    assert macro.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).assignee == ada


def test_any_other_path_under_the_api_is_a_json_404(api):
    for path in ("/api/tickets/abc/", "/api/tickets/a%0Ab/notes/", "/api/nothing/"):
        answer = api.get(path)
        assert (answer.status_code, answer["Content-Type"]) == (404, "application/json"), path
    posted = Client(enforce_csrf_checks=True).post("/api/tickets/abc/notes/", {}, content_type="application/json")
    assert posted.status_code == 404 and posted.json() == {"detail": "No such endpoint or object."}
