"""The documented import (docs/importing.md, "From any tool: JSON or CSV"): tickets.jsonl, one ticket a line with
its requester and messages, or tickets.csv (a row a ticket, its first message in "body") with messages.csv for
the rest of each conversation. Read into the same records as Zendesk's export and written by the same writer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from imports.documented_csv import csv_pages
from imports.lines import PAGE_LINES as PAGE
from imports.lines import ExportError, Line, json_pages, jsonl_check
from imports.models import ImportRun
from imports.records import (
    INBOUND,
    NOTE,
    OUR_REPLY,
    PRIORITIES,
    STATUSES,
    MessageRecord,
    PersonRecord,
    Quarantined,
    TicketRecord,
)
from imports.services import TICKETS, USERS, Page, done
from imports.zendesk import when
from imports.zendesk_files import records_read

FROM = {"requester": INBOUND, "customer": INBOUND, "agent": OUR_REPLY, "note": NOTE}


def _person(author: Any, *, agent: bool = False, company: str = "") -> PersonRecord | None:
    if isinstance(author, str):
        author = {"name": author}
    if not isinstance(author, Mapping):
        return None
    email = str(author.get("email") or "").strip().lower()
    name = str(author.get("name") or "").strip()
    key = email or name
    if not key:
        return None
    company = str(author.get("company") or company)
    return PersonRecord(key=key, name=name[:200], email=email, company=company, agent=agent)


def ticket_read(line: Mapping[str, Any]) -> tuple[TicketRecord | None, list[PersonRecord]]:
    """One ticket of the documented shape and the people it names."""
    created = when(line.get("created_at"))
    key = "" if line.get("id") is None else str(line["id"])
    if not key or created is None:
        return None, []
    requester = _person(line.get("requester"))
    people = [requester] if requester else []
    messages = []
    for position, message in enumerate(line.get("messages") or []):
        if not isinstance(message, Mapping) or (at := when(message.get("created_at"))) is None:
            continue
        kind = FROM.get(str(message.get("from") or "requester"), INBOUND)
        author = _person(message.get("author"), agent=kind == OUR_REPLY) or (requester if kind == INBOUND else None)
        if author is not None and author is not requester:
            people.append(author)
        key_of = str(message.get("id") or position + 1)
        messages.append(MessageRecord(key_of, author.key if author else "", kind, str(message.get("body") or ""), at))
    messages.sort(key=lambda m: (m.at, m.key))
    status = STATUSES.get(str(line.get("status") or ""), "open")
    tags = line.get("tags") or []
    record = TicketRecord(
        key=key,
        subject=str(line.get("subject") or "")[:300],
        status=status,
        priority=PRIORITIES.get(str(line.get("priority") or ""), "normal"),
        created_at=created,
        requester_key=requester.key if requester else "",
        solved_at=when(line.get("solved_at")) or (when(line.get("updated_at")) if status == "solved" else None),
        tags=tags.split() if isinstance(tags, str) else [str(t) for t in tags],
        messages=messages,
        stamp=str(line.get("updated_at") or ""),
    )
    return record, people


def _json_pages(path: Path, cursor: Any) -> Iterator[tuple[list[Line], Any, list[Quarantined]]]:
    if not jsonl_check(path):
        raise ExportError(f"{path.name} is empty: nothing to import.")
    for lines, end in json_pages(path, cursor):
        yield lines, end.cursor(), []


def documented_pages(run: ImportRun) -> Iterator[Page]:
    root = Path(run.path)
    if not root.is_dir():
        raise ExportError(f"{run.path}: no such directory.")
    path = root / "tickets.jsonl"
    if path.is_file():
        pages = _json_pages(path, run.cursor.get(TICKETS))
    elif (path := root / "tickets.csv").is_file():
        pages = csv_pages(root, int(run.cursor.get(TICKETS) or 0), PAGE)
    else:
        raise ExportError(f"{run.path}: neither tickets.jsonl nor tickets.csv is there.")
    if done(run, TICKETS):
        return
    end = run.cursor.get(TICKETS)
    for lines, end, elsewhere in pages:
        records, bad = records_read(path, lines, _ticket_people)
        people = {p.key: p for _record, found in records for p in found}
        yield Page(USERS, list(people.values()), file=path.name)  # the page's people first: its tickets name them
        tickets = [record for record, _people in records]
        yield Page(TICKETS, tickets, cursor=end, quarantined=elsewhere + bad, file=path.name)
    yield Page(TICKETS, [], cursor=end, done=True)


def _ticket_people(line: Mapping[str, Any]) -> tuple[TicketRecord, list[PersonRecord]] | None:
    record, people = ticket_read(line)
    return None if record is None else (record, people)
