"""Zendesk's JSON export read from a directory, for a team importing offline: one file per kind, one JSON object
a line (the export's format), named organizations.json, users.json, macros.json and tickets.json (".jsonl" is read
too). A ticket's comments are its "comments" list where the export has them inline; or comments.json, one comment
a line with its "ticket_id"; else its description is its one message. Each file is read in pages of PAGE lines;
the run's cursor holds the lines written, so an interrupted import reads on from there."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from imports.models import ImportRun
from imports.services import MACROS, ORGANIZATIONS, TICKETS, USERS, Page, done
from imports.zendesk import macro_of, organization_of, person_of, ticket_of

PAGE = 1000


class ExportError(ValueError):
    """The directory is not a Zendesk export the importer reads (said to the admin as it is)."""


def export_file(root: Path, name: str) -> Path | None:
    for suffix in (".json", ".jsonl"):
        path = root / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def _lines(path: Path, start: int) -> Iterator[list[dict[str, Any]]]:
    with path.open("rb") as handle:
        lines = islice(handle, start, None)
        number = start
        while chunk := list(islice(lines, PAGE)):
            objects = []
            for line in chunk:
                number += 1
                if not line.strip():
                    continue
                try:
                    value = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise ExportError(f"{path.name}, line {number}: not JSON ({exc})") from None
                if isinstance(value, dict):
                    objects.append(value)
            yield objects


def _comments(root: Path) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    path = export_file(root, "comments")
    if path is not None:
        for page in _lines(path, 0):
            for comment in page:
                found[str(comment.get("ticket_id"))].append(comment)
    return found


def files_pages(run: ImportRun) -> Iterator[Page]:
    root = Path(run.path)
    if not root.is_dir():
        raise ExportError(f"{run.path}: no such directory")
    if export_file(root, TICKETS) is None and export_file(root, USERS) is None:
        raise ExportError(f"{run.path}: neither tickets.json nor users.json is there")
    readers: dict[str, Callable[[list[dict[str, Any]]], list[Any]]] = {
        ORGANIZATIONS: lambda objects: [organization_of(o) for o in objects],
        USERS: lambda objects: [person_of(u) for u in objects],
        MACROS: lambda objects: [macro_of(m) for m in objects],
    }
    for stream, read in readers.items():
        path = export_file(root, stream)
        if path is None or done(run, stream):
            continue
        position = int(run.cursor.get(stream) or 0)
        for objects in _lines(path, position):
            position += PAGE
            yield Page(stream, read(objects), cursor=position)
        yield Page(stream, [], cursor=position, done=True)
    path = export_file(root, TICKETS)
    if path is None or done(run, TICKETS):
        return
    comments = _comments(root)
    position = int(run.cursor.get(TICKETS) or 0)
    for objects in _lines(path, position):
        position += PAGE
        live = [t for t in objects if t.get("status") != "deleted"]  # a deleted ticket is left out, not rejected
        records = [r for t in live if (r := ticket_of(t, comments.get(str(t.get("id"))) or None)) is not None]
        yield Page(TICKETS, records, cursor=position, rejected=len(live) - len(records))
    yield Page(TICKETS, [], cursor=position, done=True)
