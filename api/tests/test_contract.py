"""The schema says what the API does, item by item of schemathesis's findings in the issue (36 mismatches):
null fields marked nullable, every refusal documented with its shape, and requests taken or refused exactly
as the schema describes them: `limit` from 1 to 1000, no blank bodies, no number where a string is due.
api/tests/test_schema.py runs schemathesis itself over all of it."""

import jsonschema_rs
import pytest
from django.test import Client
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError
from schemathesis.specs.openapi.utils import sent_text_is_valid

from api.fields import Link, Matching, QueryDate, QueryInt, Text
from api.tokens import token_create
from channels.adapters.registry import PLATFORMS, platforms
from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory
from metrics.forms import EARLIEST_DATE, LATEST_DATE

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


def test_a_channels_kind_is_one_of_the_registered_platforms_named_by_its_label(schema):
    components = schema["components"]["schemas"]
    ref = components["ChannelHealth"]["properties"]["kind"]["$ref"]
    kind = components[ref.rsplit("/", 1)[-1]]

    assert kind["enum"] == list(PLATFORMS)
    assert kind["description"].splitlines() == [f"* `{p.kind}` - {p.label}" for p in platforms()]


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
    assert documented["POST /api/tickets/{id}/send/"] >= {"202", "400", "404", "409", "415", "502"}
    assert documented["POST /api/tickets/{id}/approval/"] >= {"400", "404", "409", "415", "502"}
    bad = schema["paths"]["/api/kpi/"]["get"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert bad == {"$ref": "#/components/schemas/FieldErrors"}
    assert schema["components"]["schemas"]["FieldErrors"]["additionalProperties"]["items"] == {"type": "string"}
    limit = next(p for p in schema["paths"]["/api/changes/"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert schema["paths"]["/api/tickets/{id}/notes/"]["post"]["requestBody"]["required"] is True


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=1", 200),
        ("limit=1000", 200),
        ("limit=", 200),
        ("limit=0", 400),
        ("limit=1001", 400),
        ("limit=1.0", 400),
        ("limit=%201", 400),
    ],
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


# --- The fields and their schemas agree on every value --------------------------------------------------

# White space of Python and of JavaScript (and two characters that are neither, though they look it),
# NUL, digits and signs, the letters of http(s)://, others.
WHITE = "\t\n\x0b\x0c\r\x1c\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u180e\u200b"
ODD = st.text(alphabet=st.sampled_from(WHITE + "\x00aZ0179+-.e:/hHtTpPsS\u00e9\u0663\U0001f600"), max_size=24)


def _field_schema(field) -> dict:
    from drf_spectacular.openapi import AutoSchema

    return AutoSchema()._map_serializer_field(field, "request")


def _accepts(field, value) -> bool:
    try:
        field.run_validation(value)
    except ValidationError:
        return False
    return True


BODY = [Text(max_length=12), Text(max_length=12, blank=True), Link()]
QUERY = [
    QueryInt(min_value=1, max_value=1000),
    QueryDate(earliest=EARLIEST_DATE, latest=LATEST_DATE),
    Matching(r"none|me|[0-9]{1,18}", help_text="x"),
]


@pytest.mark.parametrize(
    "field", [*BODY, *QUERY], ids=["text", "blank text", "link", "query int", "query date", "query pattern"]
)
@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@example(value="+07")
@example(value="-0")
@example(value="7.0")
@example(value=" 7")
@example(value="1e2")
@example(value="٣")
@example(value="2026-1-05")
@example(value="2026-02-30")
@example(value="2101-01-01")
@example(value="\ufeff")
@example(value=" \x1c")
@example(value="\x00a")
@example(value="hTtP://x")
@example(value="http:/x")
@example(value="mailto:a")
@example(value="me ")
@example(value="NONE")
@example(value="0000000000000000000")
@given(value=ODD | st.dates().map(str) | st.integers(-5, 2000).map(str) | st.integers(-3, 3))
def test_a_field_accepts_a_value_exactly_when_its_schema_does(field, value):
    """What the server takes and what a client holding the schema takes are the same: white space of both
    Python and JavaScript, NULs, signs and all. The client is schemathesis's own reading: jsonschema-rs
    (formats checked) on a body's JSON value, and on a query parameter's text as it reads one off the
    wire (an integer is text int() reads, ASCII, no spaces)."""
    schema = _field_schema(field)
    is_valid = jsonschema_rs.validator_for(schema, validate_formats=True).is_valid
    if field in QUERY:
        if not isinstance(value, str):
            return  # a query parameter is always text
        valid = sent_text_is_valid(value, is_valid, [schema["type"]])
    else:
        valid = is_valid(value)
    assert _accepts(field, value) == valid, (value, schema)
