"""Zendesk's JSON export read from a directory, for a team importing offline: one file per kind, one JSON object
a line (the export's format), named organizations.json, users.json, macros.json and tickets.json (".jsonl" is read
too). A ticket's comments are its "comments" list where the export has them inline; or comments.json, one comment
a line with its "ticket_id"; else its description is its one message. Each file is read in pages (imports.lines:
bounded memory, a bad line quarantined and the file read on); the run's cursor holds the line and byte the next
page starts at, so an interrupted import reads on from there."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from imports.lines import ExportError, Line, json_pages, jsonl_check
from imports.models import ImportRun
from imports.records import MacroRecord, PersonRecord, Quarantined, TicketRecord
from imports.services import MACROS, ORGANIZATIONS, TICKETS, USERS, Page, done
from imports.zendesk import macro_of, organization_of, person_of, ticket_of

__all__ = ["ExportError", "export_file", "files_pages", "records_read"]


def export_file(root: Path, name: str) -> Path | None:
    """The kind's file, if the export has one with anything in it (checked: a file that is no JSON lines at all is
    an ExportError, said as such)."""
    for suffix in (".json", ".jsonl"):
        path = root / f"{name}{suffix}"
        if path.is_file():
            return path if jsonl_check(path) else None
    return None


def records_read(
    path: Path, lines: list[Line], read: Callable[[Mapping[str, Any]], Any]
) -> tuple[list[Any], list[Quarantined]]:
    """Each good line's record (`read` gives None, or raises on a field of a type it cannot read: not imported) and
    each bad line quarantined with its number and why."""
    records, quarantined = [], []
    for line in lines:
        if line.value is None:
            quarantined.append(Quarantined(path.name, line.number, line.problem))
            continue
        key = line.value.get("id")
        key = "" if key is None or isinstance(key, dict | list) else str(key)
        if not key or len(key) > 200:
            reason = "no id" if not key else "an id longer than 200 characters"
            quarantined.append(Quarantined(path.name, line.number, reason, key[:40]))
            continue
        try:
            record = read(line.value)
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            quarantined.append(Quarantined(path.name, line.number, f"a field cannot be read ({exc})"[:500], key))
            continue
        if record is None:
            reason = "no created_at, or not a time with its zone (ISO 8601)"
            quarantined.append(Quarantined(path.name, line.number, reason, key))
        else:
            records.append(_placed(record, line.number))
    return records, quarantined


def _placed(record: Any, number: int) -> Any:
    """The record with its line (a documented ticket comes with its people: theirs too). An organization is a tuple
    (id, name, stamp): no line to carry, and nothing of it the database refuses that its id would not say."""
    if isinstance(record, TicketRecord | PersonRecord | MacroRecord):
        record.line = number
    elif isinstance(record, tuple) and record and isinstance(record[0], TicketRecord):
        for each in (record[0], *record[1]):
            each.line = number
    return record


def _comments(root: Path) -> tuple[dict[str, list[dict[str, Any]]], list[Quarantined]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    bad: list[Quarantined] = []
    path = export_file(root, "comments")
    if path is not None:
        for lines, _end in json_pages(path, None):
            for line in lines:
                if line.value is None:
                    bad.append(Quarantined(path.name, line.number, line.problem))
                else:
                    found[str(line.value.get("ticket_id"))].append(line.value)
    return found, bad


def _ticket(comments: dict[str, list[dict[str, Any]]]) -> Callable[[Mapping[str, Any]], Any]:
    return lambda t: ticket_of(t, comments.get(str(t.get("id"))) or None)


def files_pages(run: ImportRun) -> Iterator[Page]:
    root = Path(run.path)
    if not root.is_dir():
        raise ExportError(f"{run.path}: no such directory.")
    if export_file(root, TICKETS) is None and export_file(root, USERS) is None:
        raise ExportError(f"{run.path}: neither tickets.json nor users.json is there, or they are empty.")
    readers: dict[str, Callable[[Mapping[str, Any]], Any]] = {
        ORGANIZATIONS: organization_of,
        USERS: person_of,
        MACROS: macro_of,
    }
    for stream, read in readers.items():
        path = export_file(root, stream)
        if path is None or done(run, stream):
            continue
        end = run.cursor.get(stream)
        for lines, position in json_pages(path, end):
            records, quarantined = records_read(path, lines, read)
            end = position.cursor()
            yield Page(stream, records, cursor=end, quarantined=quarantined, file=path.name)
        yield Page(stream, [], cursor=end, done=True)
    path = export_file(root, TICKETS)
    if path is None or done(run, TICKETS):
        return
    comments, bad = _comments(root)
    end = run.cursor.get(TICKETS)
    for lines, position in json_pages(path, end):
        # A deleted ticket is left out, not quarantined: the old tool deleted it.
        live = [line for line in lines if line.value is None or line.value.get("status") != "deleted"]
        records, quarantined = records_read(path, live, _ticket(comments))
        end = position.cursor()
        yield Page(TICKETS, records, cursor=end, quarantined=bad + quarantined, file=path.name)
        bad = []
    yield Page(TICKETS, [], cursor=end, done=True, quarantined=bad)
