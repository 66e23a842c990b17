"""The Zendesk import through the API, answered at the HTTP boundary with Zendesk's documented shapes.

Sources of every shape: imports/tests/zendesk_fake.py's docstring and imports/SOURCES.md."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import requests
import responses

from answers.models import Answer
from channels.adapters.registry import platform_or_default, reply_sender
from imports.models import ExternalRef, ImportRun
from imports.running import run_execute
from imports.starting import run_create
from imports.tests.zendesk_fake import BASE, TICKETS_CURSOR, TOKEN, zendesk_register
from mentions.models import Macro, MacroAction, Message, Tag, Ticket
from mentions.tests.factories import UserFactory
from people.models import Authorship, Identity, Person, Requester

pytestmark = pytest.mark.django_db
# The requests of the last `_import`, as `responses` recorded them.
CALLS: list[requests.PreparedRequest] = []


def _import(run: ImportRun | None = None, **fake: bool) -> ImportRun:
    run = run or run_create(kind=ImportRun.Kind.ZENDESK_API, subdomain="acme", email="admin@acme.example")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        zendesk_register(mock, **fake)
        try:
            return run_execute(run.pk, token=TOKEN)
        finally:
            CALLS[:] = [c.request for c in mock.calls]


def _rows() -> dict[str, int]:
    models = (Ticket, Message, Person, Identity, Authorship, Requester, Macro, MacroAction, Tag, ExternalRef)
    return {m.__name__: m.objects.count() for m in models}


def _stamps() -> dict[str, list]:
    return {m.__name__: sorted(m.objects.values_list("pk", "updated_at")) for m in (Ticket, Message, Person, Macro)}


def test_a_zendesk_account_becomes_tickets_replies_notes_people_and_macros():
    smith = UserFactory(email="smith@acme.example")
    run = _import()
    assert run.status == ImportRun.Status.DONE, run.error
    assert run.counts == {
        "organizations": 1, "people": 2, "identities": 4, "agents": 2, "skipped": 0, "macros": 2,
        "macro_actions": 7, "updated": 0, "tickets": 3, "messages": 7, "answers_indexed": 2,
    }  # fmt: skip
    assert run.cursor["tickets"] == TICKETS_CURSOR and run.cursor["tickets_done"] is True
    # Every request carried the admin's e-mail and token as Zendesk's API token authentication says.
    expected = "Basic " + base64.b64encode(f"admin@acme.example/token:{TOKEN}".encode()).decode()
    assert {c.headers["Authorization"] for c in CALLS} == {expected}

    fire = Ticket.objects.get(subject__startswith="Printer")
    assert fire.status == "solved" and fire.priority == "high" and fire.high_priority
    assert fire.requested_at == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert fire.solved_at == datetime(2024, 3, 2, 11, tzinfo=UTC)  # the metric set's, not the last update
    # The first public reply of an agent, an hour after: the private note at 10:30 is no reply.
    assert fire.first_reply_at == datetime(2024, 3, 1, 11, tzinfo=UTC) and fire.first_reply_seconds == 3600
    assert [m.kind for m in fire.messages.order_by("platform_created_at")] == [
        "inbound",
        "note",
        "our_reply",
        "inbound",
    ]
    reply = fire.messages.get(kind="our_reply")
    assert reply.author_user == smith and reply.body == "Unplug it and call the fire brigade."
    assert sorted(fire.tags.values_list("name", flat=True)) == ["enterprise", "printer_fire"]
    # The replied history joins the answers' index, so its replies are suggested for new tickets.
    assert set(Answer.objects.values_list("pk", flat=True)) == {fire.pk, Ticket.objects.get(subject="Invoice copy").pk}

    monica = Person.objects.get(identities__platform="email", identities__key="monica@example.com")
    assert monica.notes == "Company: Wayne Enterprises"
    assert Requester.objects.get(ticket=fire).identity.person == monica
    inbound = fire.messages.filter(kind="inbound")
    assert Authorship.objects.filter(message__in=inbound, identity__person=monica).count() == 2
    invoice = Ticket.objects.get(subject="Invoice copy")
    assert invoice.status == "solved" and invoice.solved_at == datetime(2024, 3, 5, 9, tzinfo=UTC)  # closed
    assert invoice.first_reply_seconds == 4 * 3600  # an admin's comment is the team's too
    open_one = Ticket.objects.get(subject="How do I export?")
    assert open_one.status == "open" and open_one.first_reply_at is None and open_one.priority == "normal"
    assert not Ticket.objects.filter(subject="spam").exists()  # deleted in Zendesk

    closing = Macro.objects.get(name="Close and redirect to topics")
    assert [(a.kind, a.value) for a in closing.actions.all()] == [
        ("set_status", "solved"),
        ("add_tags", "topic_redirect faq"),
        ("prefill_reply", "Hi {requester}, this is answered in our topics. Ticket {ticket_id}."),
    ]
    assert "Not imported (the desk has no such action): priority = normal; group_id = 98738." in closing.description
    escalate = Macro.objects.get(name="Escalate privately")
    assert not escalate.is_active
    assert [(a.kind, a.value) for a in escalate.actions.all()] == [
        ("add_note", "Escalated to tier 2"),
        ("assign_to_me", ""),
        ("remove_tags", "tier1"),
        ("set_status", "pending"),
    ]


def test_the_imported_history_sits_on_a_channel_nothing_polls_pushes_to_or_replies_on():
    _import()
    channel = Ticket.objects.get(subject="Invoice copy").channel
    assert channel.kind == "webhook" and not channel.enabled and not channel.credentials
    assert platform_or_default(channel.kind).pushed and reply_sender(channel.kind) is None


def test_a_second_run_changes_nothing():
    _import()
    rows, stamps = _rows(), _stamps()
    again = _import()
    assert again.status == ImportRun.Status.DONE
    assert again.counts["tickets"] == again.counts["messages"] == again.counts["people"] == 0
    assert again.counts["macros"] == again.counts["updated"] == 0
    assert again.counts["skipped"] == 4 + 2 + 3  # users, macros, tickets
    assert _rows() == rows and _stamps() == stamps
    # A ticket unchanged since (its updated_at) has its comments asked for no more: one request each, against the
    # account's rate limit, for nothing to write.
    assert not [c.url for c in CALLS if "/comments.json" in (c.url or "")]


def test_a_ticket_changed_in_zendesk_since_is_written_again_with_what_it_gained(monkeypatch):
    _import()
    from imports.tests import zendesk_fake

    page = zendesk_fake.fixture("tickets_page1")
    page["tickets"][1] |= {"status": "solved", "updated_at": "2024-03-09T08:30:00Z"}
    comments = zendesk_fake.fixture("comments_35437")
    comments["comments"].append(
        {
            "id": 1302,
            "author_id": 1900,
            "body": "Settings, Export.",
            "public": True,
            "created_at": "2024-03-03T09:00:00Z",
        }
    )
    originals = zendesk_fake.fixture
    monkeypatch.setattr(
        zendesk_fake,
        "fixture",
        lambda name: {"tickets_page1": page, "comments_35437": comments}.get(name) or originals(name),
    )
    run = _import()
    assert run.counts["updated"] == 1 and run.counts["messages"] == 1 and run.counts["tickets"] == 0
    export = Ticket.objects.get(subject="How do I export?")
    assert export.status == "solved" and export.first_reply_seconds == 3600
    assert export.messages.count() == 2


def test_an_interrupted_run_resumes_after_the_last_page_it_wrote():
    run = run_create(kind=ImportRun.Kind.ZENDESK_API, subdomain="acme", email="admin@acme.example")
    with pytest.raises(Exception, match="incremental/tickets"):
        _import(run, broken_second_tickets_page=True)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and TOKEN not in run.error
    assert run.cursor["tickets"] == TICKETS_CURSOR and "tickets_done" not in run.cursor
    assert Ticket.objects.count() == 2  # the first page's, kept
    run = _import(run)
    assert run.status == ImportRun.Status.DONE and Ticket.objects.count() == 3
    asked = [c.url or "" for c in CALLS]
    assert not any("start_time" in url for url in asked)  # every stream carried on from its cursor
    assert f"{BASE}/tickets/35436/comments.json" not in {u.split("?")[0] for u in asked}


def test_a_zendesk_user_with_the_address_of_a_known_person_is_that_person():
    known = Person.objects.create(name="Monica Known")
    Identity.objects.create(person=known, platform="email", key="monica@example.com", handle="monica@example.com")
    run = _import()
    assert run.counts["people"] == 1  # Dana only
    assert Person.objects.count() == 2
    assert set(known.identities.values_list("platform", flat=True)) == {"email", "webhook:imported-zendesk-acme"}


def test_a_subdomain_that_is_not_one_is_refused_before_anything_is_asked():
    with pytest.raises(ValueError, match="subdomain"):
        run_create(kind=ImportRun.Kind.ZENDESK_API, subdomain="evil.example/x?", email="a@b.c")


def test_an_erased_person_is_not_brought_back_by_the_next_run():
    from people.privacy import person_erase

    _import()
    dana = Person.objects.get(identities__platform="email", identities__key="dana@example.org")
    person_erase(person=dana, actor=None, via="admin")
    ref = ExternalRef.objects.get(kind="user", external_id="376254")
    assert ref.local_id is None and ref.label == "erased"
    people = Person.objects.count()
    _import()
    assert Person.objects.count() == people
    assert not Identity.objects.filter(key="dana@example.org").exists()
