"""docs/importing.md's example files import as printed (issue 69: its tickets.jsonl example spanned 9 lines, and
failed on its first). Every fenced block whose info string names a file (```jsonl tickets.jsonl, ```csv tickets.csv)
is written to an export directory as it stands in the page and imported: each of its records is imported, none
quarantined. The shapes are the page's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imports.models import ImportRun
from imports.running import run_execute
from imports.starting import run_create
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "importing.md"
BLOCK = re.compile(r"^```(\w+) ([\w.]+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def examples() -> dict[str, str]:
    """{file name: its text} of every example file in the page."""
    return {name: text for _language, name, text in BLOCK.findall(DOCS.read_text())}


def _import(root: Path, names: list[str]) -> ImportRun:
    for name in names:
        (root / name).write_text(examples()[name], encoding="utf-8")
    return run_execute(run_create(kind=ImportRun.Kind.DOCUMENTED, path=str(root)).pk, index=False)


def test_the_page_has_its_example_files():
    assert set(examples()) == {"tickets.jsonl", "tickets.csv", "messages.csv"}


def test_the_jsonl_example_imports_as_printed(tmp_path):
    lines = examples()["tickets.jsonl"].splitlines()
    run = _import(tmp_path, ["tickets.jsonl"])
    assert run.status == ImportRun.Status.DONE, run.error
    assert run.counts["tickets"] == len(lines) == 3 and "quarantined" not in run.counts
    refund = Ticket.objects.get(subject="Refund")
    assert refund.status == "solved" and refund.high_priority and refund.first_reply_seconds == 3600
    assert [m.kind for m in refund.messages.order_by("platform_created_at")] == ["inbound", "note", "our_reply"]
    assert sorted(Ticket.objects.get(subject="Login fails").tags.values_list("name", flat=True)) == ["login", "sso"]


def test_the_csv_examples_import_as_printed(tmp_path):
    run = _import(tmp_path, ["tickets.csv", "messages.csv"])
    assert run.status == ImportRun.Status.DONE, run.error
    assert run.counts["tickets"] == 2 and run.counts["messages"] == 4 and "quarantined" not in run.counts
    login = Ticket.objects.get(subject="Login, again")
    assert login.messages.order_by("platform_created_at")[0].body == "I cannot log in,\nagain."
    assert login.first_reply_seconds == 1200 and Message.objects.filter(kind="our_reply").count() == 2
