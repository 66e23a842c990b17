"""The demo's sample export (imports/sample/sample-export, the documented JSON): seed_demo copies it under
DESK_IMPORT_DIR, where admin's Start an import reads, and it imports as shipped (issue 69: a newcomer running
`make run` had nothing to import, and the repository's own fixtures are API pages, refused as an export). On
PostgreSQL here; on the embedded SQLite default `make run` uses, tests/test_embedded_default.py imports it too."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from imports import tasks
from imports.management.commands.seed_demo_imports import SAMPLES
from imports.models import ImportRun
from mentions.models import Ticket
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_sample_is_one_ticket_a_line_of_the_documented_shape():
    lines = (SAMPLES / "sample-export" / "tickets.jsonl").read_text().splitlines()
    tickets = [json.loads(line) for line in lines]
    assert len(tickets) == 20 and all(t["id"] and t["created_at"] and t["messages"] for t in tickets)


def test_seeded_then_started_from_admin_it_imports_as_shipped(settings, tmp_path, monkeypatch):
    settings.DESK_IMPORT_DIR = tmp_path / "imports"
    out = io.StringIO()
    call_command("seed_demo_imports", stdout=out)
    assert (tmp_path / "imports" / "sample-export" / "tickets.jsonl").is_file()
    assert "Start an import: sample-export" in out.getvalue()
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = client.get(reverse("admin:imports_importrun_start")).content.decode()
    assert "There now: sample-export." in form
    queued: list[tuple] = []
    monkeypatch.setattr("imports.starting.task_enqueue_on_commit", lambda *args: queued.append(args))
    response = client.post(reverse("admin:imports_importrun_start"), {"kind": "documented", "path": "sample-export"})
    assert response.status_code == 302 and len(queued) == 1
    monkeypatch.setattr(tasks, "task_enqueue", lambda *args, **kwargs: queued.append(args), raising=False)
    tasks.run(queued[0][1])  # what the worker does with it
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE, run.error
    assert run.source == "files:sample-export" and run.counts["tickets"] == Ticket.objects.count() == 20
    assert "quarantined" not in run.counts
    assert Ticket.objects.exclude(status="solved").count() == 4


def test_a_copy_already_there_is_left_as_it_is(settings, tmp_path):
    settings.DESK_IMPORT_DIR = tmp_path
    (tmp_path / "sample-export").mkdir()
    (tmp_path / "sample-export" / "tickets.jsonl").write_text("mine\n")
    call_command("seed_demo_imports", stdout=io.StringIO())
    assert (tmp_path / "sample-export" / "tickets.jsonl").read_text() == "mine\n"
