"""A user's file mistake (no such directory, an empty file, an archive, UTF-16, a JSON array, pretty-printed JSON, a
CSV without its columns) is one clear sentence: the run's error (its admin page), the command's one line, and one
WARNING line in the worker's log, never a traceback (issue 69: a wrong file logged 21 lines of traceback).

The files are what a person exports by mistake: a zip of the export, a spreadsheet saved as "Unicode text" (UTF-16
with its mark), a JSON array or an indented document from a tool's "export as JSON", a CSV under a .jsonl name."""

from __future__ import annotations

import gzip
import io
import json
import logging
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from imports import tasks
from imports.models import ImportRun
from imports.starting import run_create
from mentions.models import Ticket
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TICKET = {"id": "HS-1", "subject": "Refund", "created_at": "2024-05-01T09:00:00Z"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tickets.jsonl", json.dumps(TICKET) + "\n")
    return buffer.getvalue()


MISTAKES = {
    "empty": ("tickets.jsonl", b"", "tickets.jsonl is empty: nothing to import."),
    "zip": ("tickets.jsonl", _zip(), "tickets.jsonl is a zip archive, not text: unpack it"),
    "gzip": ("tickets.jsonl", gzip.compress(b'{"id": 1}\n'), "tickets.jsonl is a gzip archive, not text"),
    "utf-16": ("tickets.jsonl", (json.dumps(TICKET) + "\n").encode("utf-16"), "tickets.jsonl is UTF-16 text: save"),
    "binary": ("tickets.jsonl", bytes(range(256)) * 4, "tickets.jsonl is not text (it has NUL bytes"),
    "json array": ("tickets.jsonl", json.dumps([TICKET, TICKET]).encode(), "tickets.jsonl is a JSON array, not one"),
    "pretty-printed": ("tickets.jsonl", json.dumps(TICKET, indent=2).encode(), "tickets.jsonl is pretty-printed JSON"),
    "csv named jsonl": ("tickets.jsonl", b"id,subject\n1,x\n", "tickets.jsonl is not JSON Lines: its first line"),
    "csv without its columns": ("tickets.csv", b"ticket,title\n1,x\n", "tickets.csv has no id or created_at column"),
    "empty csv": ("tickets.csv", b"", "tickets.csv is empty: nothing to import."),
    "zendesk array": ("tickets.json", json.dumps([TICKET]).encode(), "tickets.json is a JSON array, not one"),
}


def _export(root: Path, case: str) -> ImportRun:
    name, content, _said = MISTAKES[case]
    (root / name).write_bytes(content)
    kind = ImportRun.Kind.ZENDESK_FILES if name == "tickets.json" else ImportRun.Kind.DOCUMENTED
    return run_create(kind=kind, path=str(root))


@pytest.mark.parametrize("case", list(MISTAKES))
def test_the_worker_logs_one_line_and_the_run_says_the_same_sentence(tmp_path, caplog, monkeypatch, case):
    run = _export(tmp_path, case)
    monkeypatch.setattr(tasks, "task_enqueue", lambda *args, **kwargs: None, raising=False)
    with caplog.at_level(logging.INFO):
        tasks.run(run.pk)  # as the worker runs an admin's import: an exception here is Celery's traceback
    run.refresh_from_db()
    said = MISTAKES[case][2]
    assert run.status == ImportRun.Status.FAILED and run.error.startswith(said), run.error
    assert "\n" not in run.error and not Ticket.objects.exists()
    records = [r for r in caplog.records if r.name.startswith("imports")]
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)]
    assert records[0].getMessage() == f"import run {run.pk} stopped: {run.error}"


@pytest.mark.parametrize("case", ["empty", "utf-16", "json array"])
def test_the_command_says_it_in_one_line(tmp_path, case):
    _export(tmp_path, case)
    with pytest.raises(CommandError) as stopped:
        call_command("import_zendesk", "--documented", str(tmp_path), stdout=io.StringIO())
    message = str(stopped.value)
    assert message.startswith(f"Stopped: {MISTAKES[case][2]}") and "\n" not in message


def test_a_missing_directory_is_said_so(tmp_path, caplog):
    run = run_create(kind=ImportRun.Kind.DOCUMENTED, path=str(tmp_path / "gone"))
    with caplog.at_level(logging.INFO):
        tasks.run(run.pk)
    run.refresh_from_db()
    assert run.error == f"{tmp_path / 'gone'}: no such directory." and not any(r.exc_info for r in caplog.records)


def test_the_run_page_shows_the_sentence(tmp_path, client):
    run = _export(tmp_path, "utf-16")
    tasks.run(run.pk)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:imports_importrun_change", args=[run.pk])).content.decode()
    assert "tickets.jsonl is UTF-16 text: save it as UTF-8" in page and "Traceback" not in page
