"""Every request body the API takes refuses a field it does not declare with a 400 naming it (issue 55: a ticket
PATCH with a typo answered 200 and changed nothing), and the schema says so (`additionalProperties: false`).

The operations are read from the schema /api/schema/ serves, so a new one is covered the day it is added. Bodies:
each operation's own documented example (the schema's `examples`), plus an unknown field; the desk's own shapes,
no platform is asked (a refused body never reaches one)."""

import json

import pytest
from django.test import Client

from api.fields import UNKNOWN_NAMES_SAID
from api.tests.schema_data import fuzz_desk_create
from mentions.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    found = fuzz_desk_create()
    client = Client(headers={"Authorization": f"Bearer {found.secret}"})
    schema = client.get("/api/schema/?format=json").json()
    return found, client, schema


def _with_bodies(schema):
    """(method, path, media type, its schema, an example body) of every operation that takes a body."""
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                examples: list[dict] = list(content.get("examples", {}).values())
                example = examples[0].get("value", {}) if examples else {}
                for body_schema in _objects(content["schema"], components):
                    yield method, path, media, body_schema, example


def _objects(schema, components):
    """The object schemas a body's schema stands for: its component, or each of a oneOf's (the issues' link or
    file)."""
    ref = schema.get("$ref", "")
    found = components[ref.rsplit("/", 1)[-1]] if ref else schema
    if "oneOf" in found:
        return [o for each in found["oneOf"] for o in _objects(each, components)]
    return [found]


def _send(client, method, path, media, body):
    if media == "multipart/form-data":
        return client.generic(method.upper(), path, _multipart(body), "multipart/form-data; boundary=B")
    return client.generic(method.upper(), path, json.dumps(body), media)


def _multipart(fields):
    parts = [f'--B\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    return ("".join(parts) + "--B--\r\n").encode()


def test_every_body_refuses_an_unknown_field_naming_it_and_the_schema_says_so(desk):
    found, client, schema = desk
    tried = []
    for method, path, media, body_schema, example in _with_bodies(schema):
        assert body_schema.get("additionalProperties") is False, (method, path, media)
        url = path.replace("{id}", str(found.ticket_ids[1]))
        body = {**example, "colour": "red"} if media != "multipart/form-data" else {"body": "Hi", "colour": "red"}
        answer = _send(client, method, url, media, body)
        assert answer.status_code == 400, (method, path, media, answer.content)
        assert answer.json() == {"colour": [answer.json()["colour"][0]]}, (method, path, answer.json())
        assert answer.json()["colour"][0].startswith("Not a field of this request, which takes "), answer.json()
        tried.append((method, path))
    # Every ticket action, the judgement PATCH and the people merge; the issues twice (a link or a file), the send
    # twice (JSON and multipart).
    assert sorted(set(tried)) == [
        ("patch", "/api/tickets/{id}/"),
        ("post", "/api/people/{id}/merge/"),
        *[
            ("post", f"/api/tickets/{{id}}/{action}/")
            for action in [
                "approval",
                "assignee",
                "delete-post",
                "direct-message",
                "issues",
                "like",
                "macros",
                "notes",
                "replies",
                "repost",
                "send",
                "snooze",
                "status",
            ]
        ],
    ]
    assert len(tried) == 17


def test_a_typo_in_the_judgement_patch_is_a_400_and_changes_nothing(desk):
    found, client, _ = desk
    ticket_id = found.ticket_ids[0]
    before = Ticket.objects.values("judgement", "intent").get(pk=ticket_id)

    answer = client.patch(f"/api/tickets/{ticket_id}/", {"judgment": "noise"}, "application/json")

    assert answer.status_code == 400
    assert answer.json() == {"judgment": ["Not a field of this request, which takes judgement, intent."]}
    assert Ticket.objects.values("judgement", "intent").get(pk=ticket_id) == before
    assert not TicketEvent.objects.filter(ticket_id=ticket_id, kind=TicketEvent.Kind.JUDGEMENT).exists()


def test_a_body_of_many_odd_keys_is_answered_with_a_bounded_list(desk):
    found, client, _ = desk
    body = {"status": "solved", **{f"k{n:05d}" + "x" * 500: n for n in range(5000)}}

    answer = client.post(f"/api/tickets/{found.ticket_ids[0]}/status/", body, "application/json")

    assert answer.status_code == 400 and len(answer.json()) == UNKNOWN_NAMES_SAID
    assert all(len(name) == 100 for name in answer.json())
    assert Ticket.objects.get(pk=found.ticket_ids[0]).status != Ticket.Status.SOLVED
