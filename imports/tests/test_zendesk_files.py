"""Zendesk's JSON export read from a directory (one object a line), for an import offline; and the writes' cost.

Sources of every shape: imports/tests/zendesk_fake.py's docstring and imports/SOURCES.md (the export's lines are
the API's objects, one a line; comments inline in "comments" or in comments.json with their ticket_id)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.models import ImportRun
from imports.running import run_execute
from imports.starting import run_create
from imports.tests.zendesk_fake import fixture
from imports.zendesk_files import ExportError
from mentions.models import Message, Ticket
from people.models import Person

pytestmark = pytest.mark.django_db


def _lines(path: Path, objects: list[dict]) -> None:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects))


def export_write(root: Path) -> Path:
    _lines(root / "organizations.json", fixture("organizations")["organizations"])
    _lines(root / "users.json", fixture("users_page1")["users"] + fixture("users_page2")["users"])
    _lines(root / "macros.json", fixture("macros")["macros"])
    tickets = fixture("tickets_page1")["tickets"] + fixture("tickets_page2")["tickets"]
    inline = {35436: fixture("comments_35436")["comments"], 35437: fixture("comments_35437")["comments"]}
    for ticket in tickets:
        if ticket["id"] in inline:
            ticket["comments"] = inline[ticket["id"]]
    _lines(root / "tickets.json", tickets)
    # The third ticket's comments in comments.json instead, each with its ticket.
    _lines(root / "comments.json", [c | {"ticket_id": 35438} for c in fixture("comments_35438")["comments"]])
    return root


def _run(root: Path) -> ImportRun:
    run = run_create(kind=ImportRun.Kind.ZENDESK_FILES, path=str(root))
    return run_execute(run.pk)


def test_an_export_directory_imports_like_the_api(tmp_path):
    run = _run(export_write(tmp_path))
    assert run.status == ImportRun.Status.DONE, run.error
    assert (run.counts["tickets"], run.counts["messages"], run.counts["people"], run.counts["macros"]) == (3, 7, 2, 2)
    fire = Ticket.objects.get(subject__startswith="Printer")
    # No metric set in the export: a solved ticket's last update is when it was solved.
    assert fire.solved_at == datetime(2024, 3, 2, 12, tzinfo=UTC) and fire.first_reply_seconds == 3600
    assert Ticket.objects.get(subject="Invoice copy").messages.count() == 2  # from comments.json
    again = _run(tmp_path)
    assert again.counts["tickets"] == again.counts["messages"] == again.counts["people"] == 0
    assert Ticket.objects.count() == 3 and Person.objects.count() == 2


def test_a_directory_that_is_no_export_is_said_so(tmp_path):
    run = run_create(kind=ImportRun.Kind.ZENDESK_FILES, path=str(tmp_path))
    with pytest.raises(ExportError, match=r"neither tickets\.json nor users\.json"):
        run_execute(run.pk)
    (tmp_path / "tickets.json").write_text('not json\n{"id": 1}\n')
    with pytest.raises(ExportError, match=r"tickets\.json is not JSON Lines: its first line"):
        run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "first line" in run.error


def _many(root: Path, count: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    users = [
        {"id": 10_000 + i, "name": f"User {i}", "email": f"u{i}@example.com", "role": "end-user"} for i in range(50)
    ]
    users.append({"id": 1, "name": "Agent", "email": "agent@acme.example", "role": "agent"})
    _lines(root / "users.json", users)
    tickets = []
    for i in range(count):
        at = start + timedelta(minutes=i)
        comments = [
            {"id": 3 * i, "author_id": 10_000 + i % 50, "body": f"Question {i}", "public": True,
             "created_at": at.isoformat()},
            {"id": 3 * i + 1, "author_id": 1, "body": "Answer", "public": True,
             "created_at": (at + timedelta(hours=1)).isoformat()},
            {"id": 3 * i + 2, "author_id": 1, "body": "Note", "public": False,
             "created_at": (at + timedelta(hours=2)).isoformat()},
        ]  # fmt: skip
        tickets.append({"id": i + 1, "subject": f"T{i}", "status": "solved", "priority": "normal",
                        "requester_id": 10_000 + i % 50, "created_at": at.isoformat(),
                        "updated_at": at.isoformat(), "tags": [f"tag{i % 7}"], "comments": comments})  # fmt: skip
    _lines(root / "tickets.json", tickets)


def _ticket_queries(root: Path, count: int) -> int:
    _many(root, count)
    run = run_create(kind=ImportRun.Kind.ZENDESK_FILES, path=str(root))
    with CaptureQueriesContext(connection) as queries:
        run_execute(run.pk, index=False)
    return len(queries)


def test_a_page_of_1000_tickets_costs_the_same_statements_as_a_page_of_10(tmp_path):
    small, large = tmp_path / "small", tmp_path / "large"
    small.mkdir(), large.mkdir()
    few = _ticket_queries(small, 10)
    many = _ticket_queries(large, 1000)
    assert Ticket.objects.count() == 1010 and Message.objects.count() == 3030
    # Set-based: no statement per ticket, message, tag or person; the 1,000 tickets' page is written in
    # about as many statements as the 10 tickets' (the run's own bookkeeping and one channel lookup the same).
    assert many <= few + 2, (few, many)
    assert many <= 40, many


def test_a_macro_s_html_comment_becomes_the_text_a_customer_reads():
    from imports.zendesk import macro_of

    # The shape of fixtures/zendesk/macros.json (Zendesk's Actions reference: comment_value_html is HTML).
    html = "<p>Hi {{ticket.requester.first_name}},</p><p>Tom &amp; Jerry&#39;s fix is out.<br>Thanks!</p>"
    macro = macro_of({"id": 1, "title": "Fixed", "actions": [{"field": "comment_value_html", "value": html}]})
    assert macro.actions == [("prefill_reply", "Hi {requester},\n\nTom & Jerry's fix is out.\nThanks!")]
