"""A bad line of an export is quarantined with its file, line and reason, counted and shown on the run, and the run
goes on: its page's other lines are imported, and a second run or a --resume does not stop at it (issue 69: one bad
line of a 1,000-line page lost the page, and --resume stopped on it again). Lines are read with bounded memory: one
longer than imports.lines.MAX_LINE_BYTES is skipped unread.

Shapes: the documented JSON (docs/importing.md, "From any tool") and Zendesk's export (imports/SOURCES.md, as in
test_zendesk_files.py); the hostile lines are what the probe of issue 69 wrote (a lone surrogate as JSON.stringify
escapes one, a line nested 5,000 deep, a truncated line, a line past the cap)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imports.lines import MAX_DEPTH, MAX_LINE_BYTES
from imports.models import ImportRun, QuarantinedRecord
from imports.running import run_execute
from imports.starting import run_create
from imports.tests.test_zendesk_files import export_write
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db
LINES = 1000
BAD_AT = 500


def ticket(number: int, **extra) -> dict:
    return {
        "id": f"T-{number}",
        "subject": f"Question {number}",
        "created_at": "2024-05-01T09:00:00Z",
        "requester": {"email": f"u{number % 7}@example.com", "name": f"User {number % 7}"},
        "messages": [{"id": "m1", "from": "requester", "body": f"Hi {number}", "created_at": "2024-05-01T09:00:00Z"}],
        **extra,
    }


def export(root: Path, bad: bytes, *, at: int = BAD_AT, lines: int = LINES) -> Path:
    with (root / "tickets.jsonl").open("wb") as handle:
        for number in range(1, lines + 1):
            handle.write((bad if number == at else json.dumps(ticket(number)).encode()) + b"\n")
    return root


def _run(root: Path, **kwargs) -> ImportRun:
    return run_execute(run_create(kind=ImportRun.Kind.DOCUMENTED, path=str(root)).pk, index=False, **kwargs)


def _deep(levels: int) -> bytes:
    return json.dumps(ticket(BAD_AT))[:-1].encode() + b', "custom": ' + b"[" * levels + b"]" * levels + b"}"


SURROGATE = json.dumps(ticket(BAD_AT, subject="Broken \ud83d")).encode()
HOSTILE = {
    # JSON.stringify of a string cut inside an emoji: the high surrogate escaped, with no low one after it.
    "lone surrogate escaped": (SURROGATE, "not JSON (no low surrogate"),
    # The same surrogate written as bytes (CESU-8 / a Java exporter's "modified UTF-8"): not UTF-8.
    "lone surrogate as bytes": (b'{"id": "T-500", "subject": "\xed\xa0\xbd"}', "not UTF-8 text (byte 0xed, column 29)"),
    "5,000 deep": (_deep(5000), f"nested deeper than {MAX_DEPTH} levels"),
    "just past the depth cap": (_deep(MAX_DEPTH), f"nested deeper than {MAX_DEPTH} levels"),
    "truncated": (json.dumps(ticket(BAD_AT)).encode()[:60], "not JSON (unexpected end of data"),
    "an array": (b"[1, 2, 3]", "a JSON array, not an object"),
    "no id": (json.dumps({**ticket(BAD_AT), "id": None}).encode(), "no id"),
    "no time": (json.dumps({**ticket(BAD_AT), "created_at": "last Tuesday"}).encode(), "no created_at"),
    "a field of the wrong type": (json.dumps({**ticket(BAD_AT), "tags": 5}).encode(), "a field cannot be read"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_bad_line_is_quarantined_and_the_rest_of_its_page_imported(tmp_path, case):
    line, reason = HOSTILE[case]
    run = _run(export(tmp_path, line))
    assert run.status == ImportRun.Status.DONE, run.error
    assert Ticket.objects.count() == LINES - 1 and run.counts["tickets"] == LINES - 1
    assert run.counts["quarantined"] == 1
    bad = QuarantinedRecord.objects.get()
    assert (bad.run_id, bad.file, bad.line) == (run.pk, "tickets.jsonl", BAD_AT)
    assert bad.reason.startswith(reason), bad.reason


def test_a_line_longer_than_the_cap_is_quarantined_unread_and_the_next_line_imported(tmp_path):
    head = json.dumps(ticket(BAD_AT))[:-1].encode() + b', "padding": "'
    line = head + b"x" * (MAX_LINE_BYTES - len(head)) + b'"}'  # 2 bytes past the cap
    run = _run(export(tmp_path, line, lines=3, at=2))
    assert run.status == ImportRun.Status.DONE, run.error
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Question 1", "Question 3"]
    bad = QuarantinedRecord.objects.get()
    assert bad.line == 2 and bad.reason == f"longer than 4 MiB ({MAX_LINE_BYTES + 2:,} bytes): not read"
    assert Ticket.objects.count() == 2  # the lines either side imported
    # At the cap exactly, a line is read.
    exact = tmp_path / "exact"
    exact.mkdir()
    export(exact, head + b"x" * (MAX_LINE_BYTES - len(head) - 2) + b'"}', lines=3, at=2)
    assert _run(exact).counts["tickets"] == 3


def test_a_nul_character_in_a_string_is_dropped_and_the_ticket_imported(tmp_path):
    run = _run(export(tmp_path, json.dumps(ticket(BAD_AT, subject="Null\u0000 byte")).encode()))
    assert run.counts["tickets"] == LINES and "quarantined" not in run.counts
    assert Ticket.objects.get(subject="Null byte")


def test_a_value_the_database_refuses_quarantines_that_ticket_alone(tmp_path):
    """A value past a column's length (a message id of 300 characters: Message.external_id) fails the page's COPY:
    the page is written again in halves until the ticket is alone, which is quarantined with its line."""
    long_id = {"id": "m" * 300, "from": "requester", "body": "Hi", "created_at": "2024-05-01T09:00:00Z"}
    run = _run(export(tmp_path, json.dumps(ticket(BAD_AT, messages=[long_id])).encode()))
    assert run.status == ImportRun.Status.DONE, run.error
    assert Ticket.objects.count() == LINES - 1 and Message.objects.count() == LINES - 1
    bad = QuarantinedRecord.objects.get()
    assert (bad.line, bad.key) == (BAD_AT, f"T-{BAD_AT}") and bad.reason.startswith("the database refused it (")
    assert run.counts["tickets"] == LINES - 1 and run.counts["quarantined"] == 1


def test_a_second_run_and_a_resume_go_past_the_bad_line(tmp_path):
    export(tmp_path, b'{"id": "T-1500", "subject": "trunc', at=1500, lines=2500)
    # A run interrupted after its first page (a worker's slice ends): the bad line is on its second page.
    run = _run(tmp_path, until=0)
    assert run.status == ImportRun.Status.QUEUED and Ticket.objects.count() == 1000
    assert run.cursor["tickets"]["line"] == 1000 and not run.quarantined.exists()
    run = run_execute(run.pk, index=False)  # what --resume and the worker's next slice do
    assert run.status == ImportRun.Status.DONE, run.error
    assert Ticket.objects.count() == 2499 and run.counts["quarantined"] == 1
    assert list(run.quarantined.values_list("line", flat=True)) == [1500]
    again = _run(tmp_path)  # the same export again: nothing new, and it does not stop either
    assert again.status == ImportRun.Status.DONE and again.counts["tickets"] == 0
    assert Ticket.objects.count() == 2499 and again.counts["quarantined"] == 1


def test_a_run_stored_before_offsets_resumes_from_its_count_of_lines(tmp_path):
    export(tmp_path, json.dumps(ticket(3)).encode(), lines=5)
    run = run_create(kind=ImportRun.Kind.DOCUMENTED, path=str(tmp_path))
    run.cursor = {"tickets": 3}  # how a run stored before this change kept its place: lines read
    run.save()
    run = run_execute(run.pk, index=False)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Question 4", "Question 5"]
    assert run.cursor["tickets"] == {"line": 5, "offset": (tmp_path / "tickets.jsonl").stat().st_size}


def test_a_zendesk_export_quarantines_its_bad_lines_in_every_file(tmp_path):
    export_write(tmp_path)
    deep = b'{"id": 1, "x": ' + b"[" * 2000
    bad = {"users.json": b'{"id": 99, "name": "cut', "comments.json": b"[]", "tickets.json": deep}
    at = {}
    for name, line in bad.items():
        at[name] = len((tmp_path / name).read_bytes().splitlines()) + 1
        with (tmp_path / name).open("ab") as handle:
            handle.write(line + b"\n")
    run = run_execute(run_create(kind=ImportRun.Kind.ZENDESK_FILES, path=str(tmp_path)).pk, index=False)
    assert run.status == ImportRun.Status.DONE, run.error
    assert run.counts["tickets"] == 3 and run.counts["quarantined"] == 3
    assert {q.file: q.line for q in run.quarantined.all()} == at
    again = run_execute(run_create(kind=ImportRun.Kind.ZENDESK_FILES, path=str(tmp_path)).pk, index=False)
    assert again.status == ImportRun.Status.DONE and again.counts["quarantined"] == 3


def test_a_csv_row_that_is_not_utf8_is_quarantined_and_the_other_rows_imported(tmp_path):
    rows = [
        b"id,subject,created_at,body",
        b"1,Caf\xc3\xa9,2024-05-01T09:00:00Z,UTF-8",
        b"2,Caf\xe9,2024-05-01T09:00:00Z,Latin-1",
        b"3,Tea,2024-05-01T09:00:00Z,fine",
    ]
    (tmp_path / "tickets.csv").write_bytes(b"\n".join(rows) + b"\n")
    run = _run(tmp_path)
    assert run.status == ImportRun.Status.DONE, run.error
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Café", "Tea"]
    bad = QuarantinedRecord.objects.get()
    assert (bad.file, bad.line) == ("tickets.csv", 3) and bad.reason.startswith("not UTF-8 text (byte 0xe9, column 6)")
