"""The documented CSV (docs/importing.md, "From any tool"): tickets.csv, a row a ticket with its first message in
"body", and messages.csv for the rest of each conversation, read into the documented JSON's shape. Read as the JSON
lines are (imports.lines): a physical line at a time, never more than MAX_LINE_BYTES of one held; a row that
cannot be read (a line too long or not UTF-8, a quoted field past Python's csv limit) is returned with its line and
why, for the run to quarantine, and the file read on."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from imports.lines import ExportError, Line, file_check, not_utf8, raw_lines, too_long
from imports.records import Quarantined

# The columns a row cannot be imported without (the others: docs/importing.md's table).
_NEEDED = {"tickets.csv": ("id", "created_at"), "messages.csv": ("ticket_id", "created_at")}
_BOM = "\ufeff"


def _text(path: Path, bad: dict[int, str]) -> Iterator[str]:
    """The file's lines as text for csv.reader; a line that is too long or not UTF-8 noted in `bad` by its number
    (given as an empty line, or with its bad bytes replaced: the row holding it is not imported)."""
    with path.open("rb") as handle:
        for end, data in raw_lines(handle, None, 0):
            if isinstance(data, int):
                bad[end.line] = too_long(data)
                text = "\n"
            else:
                try:
                    text = data.decode()
                except UnicodeDecodeError:
                    bad[end.line] = not_utf8(data)
                    text = data.decode(errors="replace")
            yield text.removeprefix(_BOM) if end.line == 1 else text


def csv_rows(path: Path) -> Iterator[Line]:
    """Each row of the file as {column: value} (Line.value), or its first line's number and why it is not read."""
    if not file_check(path, wanted="CSV with a header row").strip():
        raise ExportError(f"{path.name} is empty: nothing to import.")
    bad: dict[int, str] = {}
    reader = csv.reader(_text(path, bad))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise ExportError(f"{path.name}: its header row cannot be read as CSV ({exc}).") from None
    missing = [name for name in _NEEDED.get(path.name, ()) if name not in header]
    if missing:
        raise ExportError(
            f"{path.name} has no {' or '.join(missing)} column: its first row must name the columns "
            f'(docs/importing.md, "From any tool").'
        )
    while True:
        first = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Line(first, None, f"not CSV ({exc})")
            continue
        problem = next((bad[n] for n in range(first, reader.line_num + 1) if n in bad), "")
        if problem:
            yield Line(first, None, problem)
        elif any(cell.strip() for cell in row):
            yield Line(first, dict(zip(header, row, strict=False)))


def _conversations(root: Path, bad: list[Quarantined]) -> dict[str, list[dict[str, Any]]]:
    """messages.csv's messages by their ticket; its rows that cannot be read added to `bad`."""
    conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    path = root / "messages.csv"
    if path.is_file():
        for line in csv_rows(path):
            if line.value is None:
                bad.append(Quarantined(path.name, line.number, line.problem))
                continue
            row = line.value
            author = {"email": row.get("author_email") or "", "name": row.get("author_name") or ""}
            conversation[row.get("ticket_id") or ""].append({**row, "author": author})
    return conversation


def csv_pages(root: Path, start: int, page: int) -> Iterator[tuple[list[Line], int, list[Quarantined]]]:
    """tickets.csv's rows in the JSON shape, with their messages.csv messages, `page` rows at a time after the
    first `start`, each page with the rows read after it (the cursor) and messages.csv's rows that cannot be read
    (with the first page only: a run that reads the file again keeps each once)."""
    bad: list[Quarantined] = []
    conversation = _conversations(root, bad)
    lines: list[Line] = []
    position = start
    for number, line in enumerate(csv_rows(root / "tickets.csv"), 1):
        if number <= start:
            continue
        position = number
        if line.value is not None:
            row = line.value
            requester = {"email": row.get("requester_email") or "", "name": row.get("requester_name") or "",
                         "company": row.get("requester_company") or ""}  # fmt: skip
            first = {"id": "0", "from": "requester", "author": requester, "body": row.get("body") or "",
                     "created_at": row.get("created_at")}  # fmt: skip
            rest = conversation.get(row.get("id") or "", [])
            line = Line(line.number, {**row, "requester": requester,
                                      "messages": [first, *rest] if row.get("body") else rest})  # fmt: skip
        lines.append(line)
        if len(lines) >= page:
            yield lines, position, bad
            lines, bad = [], []
    if lines or bad:
        yield lines, position, bad
