"""The documented import (docs/importing.md, "From any tool: JSON or CSV"): tickets.jsonl, one ticket a line with
its requester and messages, or tickets.csv (a row a ticket, its first message in "body") with messages.csv for
the rest of each conversation. Read into the same records as Zendesk's export and written by the same writer."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from imports.models import ImportRun
from imports.records import INBOUND, NOTE, OUR_REPLY, PRIORITIES, STATUSES, MessageRecord, PersonRecord, TicketRecord
from imports.services import TICKETS, USERS, Page, done
from imports.zendesk import when
from imports.zendesk_files import ExportError

PAGE = 1000
FROM = {"requester": INBOUND, "customer": INBOUND, "agent": OUR_REPLY, "note": NOTE}
CSV_TICKET = ("id", "subject", "status", "priority", "created_at", "solved_at", "tags", "requester_email",
              "requester_name", "requester_company", "body")  # fmt: skip
CSV_MESSAGE = ("ticket_id", "id", "from", "author_email", "author_name", "body", "created_at")


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
    key = str(line.get("id") or "")
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


def _csv_lines(root: Path) -> Iterator[dict[str, Any]]:
    """tickets.csv's rows in the JSON shape, with their messages.csv messages."""
    conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    messages = root / "messages.csv"
    if messages.is_file():
        with messages.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                author = {"email": row.get("author_email") or "", "name": row.get("author_name") or ""}
                conversation[row.get("ticket_id") or ""].append({**row, "author": author})
    with (root / "tickets.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            requester = {"email": row.get("requester_email") or "", "name": row.get("requester_name") or "",
                         "company": row.get("requester_company") or ""}  # fmt: skip
            first = {"id": "0", "from": "requester", "author": requester, "body": row.get("body") or "",
                     "created_at": row.get("created_at")}  # fmt: skip
            rest = conversation.get(row.get("id") or "", [])
            yield {**row, "requester": requester, "messages": [first, *rest] if row.get("body") else rest}


def _json_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    value = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise ExportError(f"{path.name}, line {number}: not JSON ({exc})") from None
                yield value if isinstance(value, dict) else {}


def documented_pages(run: ImportRun) -> Iterator[Page]:
    root = Path(run.path)
    jsonl = root / "tickets.jsonl"
    if jsonl.is_file():
        lines = _json_lines(jsonl)
    elif (root / "tickets.csv").is_file():
        lines = _csv_lines(root)
    else:
        raise ExportError(f"{run.path}: neither tickets.jsonl nor tickets.csv is there")
    if done(run, TICKETS):
        return
    position = int(run.cursor.get(TICKETS) or 0)
    lines = islice(lines, position, None)
    while chunk := list(islice(lines, PAGE)):
        position += len(chunk)
        read = [ticket_read(line) for line in chunk]
        people = {p.key: p for _record, found in read for p in found}
        yield Page(USERS, list(people.values()))  # the page's people first: its tickets name them
        records = [record for record, _people in read if record is not None]
        yield Page(TICKETS, records, cursor=position, rejected=len(read) - len(records))
    yield Page(TICKETS, [], cursor=position, done=True)
