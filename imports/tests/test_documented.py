"""The documented import (docs/importing.md, "From any tool"): tickets.jsonl, or tickets.csv with messages.csv,
through the same writer as Zendesk's. The shapes are the desk's own, documented in docs/importing.md."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from imports.models import ImportRun
from imports.running import run_execute
from imports.starting import run_create
from mentions.models import Ticket
from people.models import Identity, Person

pytestmark = pytest.mark.django_db

TICKET = {
    "id": "HS-1",
    "subject": "Refund <img src=x onerror=alert(1)>",
    "status": "solved",
    "priority": "urgent",
    "created_at": "2024-05-01T09:00:00Z",
    "updated_at": "2024-05-01T12:00:00Z",
    "solved_at": "2024-05-01T11:30:00Z",
    "tags": ["billing", "Refund Request"],
    "requester": {"email": "Pat@Example.com", "name": "Pat", "company": "Initech"},
    "messages": [
        {"id": "m1", "from": "requester", "body": "I want a refund.", "created_at": "2024-05-01T09:00:00Z"},
        {"id": "m2", "from": "note", "author": {"email": "sam@desk.example", "name": "Sam"},
         "body": "Check the order.", "created_at": "2024-05-01T09:10:00Z"},
        {"id": "m3", "from": "agent", "author": {"email": "sam@desk.example", "name": "Sam"},
         "body": "Refunded.", "created_at": "2024-05-01T10:00:00Z"},
    ],
}  # fmt: skip


def _run(root: Path) -> ImportRun:
    return run_execute(run_create(kind=ImportRun.Kind.DOCUMENTED, path=str(root)).pk)


def test_tickets_jsonl(tmp_path):
    (tmp_path / "tickets.jsonl").write_text(json.dumps(TICKET) + "\n")
    run = _run(tmp_path)
    assert run.status == ImportRun.Status.DONE, run.error
    ticket = Ticket.objects.get()
    assert ticket.subject == TICKET["subject"] and ticket.status == "solved" and ticket.high_priority
    assert ticket.solved_at == datetime(2024, 5, 1, 11, 30, tzinfo=UTC) and ticket.first_reply_seconds == 3600
    assert [m.kind for m in ticket.messages.all()] == ["inbound", "note", "our_reply"]
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "refund-request"]
    pat = Person.objects.get()  # the agent is no person
    assert pat.notes == "Company: Initech" and ticket.requester.identity.person == pat
    assert Identity.objects.filter(platform="email", key="pat@example.com", person=pat).exists()
    again = _run(tmp_path)
    assert again.counts["tickets"] == again.counts["people"] == 0 and Ticket.objects.count() == 1


def test_tickets_csv_with_messages_csv(tmp_path):
    with (tmp_path / "tickets.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "subject", "status", "priority", "created_at", "solved_at", "tags", "requester_email",
                         "requester_name", "requester_company", "body"])  # fmt: skip
        writer.writerow(["7", "Login, again", "open", "", "2024-05-02T08:00:00Z", "", "login sso", "lee@example.com",
                         "Lee", "", "I cannot log in,\nagain."])  # fmt: skip
    with (tmp_path / "messages.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "id", "from", "author_email", "author_name", "body", "created_at"])
        writer.writerow(["7", "2", "agent", "sam@desk.example", "Sam", "Try a reset.", "2024-05-02T08:20:00Z"])
    run = _run(tmp_path)
    assert run.counts["tickets"] == 1 and run.counts["messages"] == 2
    ticket = Ticket.objects.get()
    assert ticket.subject == "Login, again" and ticket.status == "open" and ticket.first_reply_seconds == 1200
    assert ticket.messages.order_by("platform_created_at")[0].body == "I cannot log in,\nagain."
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["login", "sso"]


def test_a_directory_without_tickets_is_said_so(tmp_path):
    with pytest.raises(ValueError, match="neither tickets"):
        _run(tmp_path)


def test_a_ticket_line_that_cannot_be_read_is_quarantined_with_its_line_not_silently_dropped(tmp_path):
    undated = {**TICKET, "id": "HS-2", "created_at": "last Tuesday"}
    lines = [json.dumps(TICKET), json.dumps(undated), json.dumps(["not", "a", "ticket"]), json.dumps({"subject": "x"})]
    (tmp_path / "tickets.jsonl").write_text("\n".join(lines) + "\n")
    run = _run(tmp_path)
    assert run.status == ImportRun.Status.DONE and Ticket.objects.count() == 1
    assert run.counts["quarantined"] == 3  # the run's page says that three of its lines were not imported, and which
    assert [(q.line, q.key, q.reason) for q in run.quarantined.all()] == [
        (2, "HS-2", "no created_at, or not a time with its zone (ISO 8601)"),
        (3, "", "a JSON array, not an object"),
        (4, "", "no id"),
    ]
