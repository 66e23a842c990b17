"""An export's JSON lines read with bounded memory (docs/importing.md, "Bad lines and bad files"): one line at a time,
never more than MAX_LINE_BYTES of it held. A line that cannot be imported (longer than that: skipped to its end
unread; not JSON, not UTF-8, a lone surrogate, truncated; not an object; nested deeper than MAX_DEPTH) is returned
with its number and the reason, for the run to quarantine and read on. A file that is not one JSON object a line at
all (empty, binary, an archive, UTF-16, a JSON array, pretty-printed JSON) is one sentence: an ExportError, the
user's mistake, said without a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

# A ticket with its whole conversation is a few kilobytes; a pasted log makes it a few hundred. Four MiB is far
# past any real one and small beside the worker's memory: a longer line is a broken export or a hostile one.
MAX_LINE_BYTES = 4 * 1024 * 1024
# A Zendesk ticket is 5 levels deep (ticket, comments, comment, via, source), a documented one 4: 64 is room for
# any custom field while no reader downstream (the writer, a JSON column) meets a structure built to exhaust it.
MAX_DEPTH = 64
# A page: a thousand lines, or fewer when they are long, so a page's parsed objects stay a few tens of MB.
PAGE_LINES = 1000
PAGE_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024  # the bites an overlong line is skipped in
_SNIFF = 8192  # what is read of a file's start to tell a file that is no JSON lines at all
_ARCHIVES = {b"\x1f\x8b": "a gzip archive", b"PK\x03\x04": "a zip archive", b"\xfd7zXZ\x00": "an xz archive",
             b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive", b"BZh": "a bzip2 archive"}  # fmt: skip
_WIDE = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
_BOM = b"\xef\xbb\xbf"  # UTF-8's mark, which some Windows tools write: read past
_WHERE, _COLUMN = re.compile(r": line \d+ column (\d+) \(char \d+\)$"), r", column \1"
_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "true or false", type(None): "null"}


class ExportError(ValueError):
    """The user's file or directory is not an export the importer reads: said to the admin in one sentence, on the
    run and in the log, without a traceback (the mistake is theirs to fix, not a fault of the desk's)."""


@dataclass(frozen=True)
class Position:
    """How far a file is read: lines and bytes, stored as a stream's cursor so a run reads on by seeking."""

    line: int = 0
    offset: int = 0

    def cursor(self) -> dict[str, int]:
        return {"line": self.line, "offset": self.offset}


def position_of(cursor: Any) -> Position | None:
    """The stream's cursor as stored; None for a run stored before offsets were (its cursor a count of lines), which
    `json_pages` reads on from by counting lines again."""
    if isinstance(cursor, dict):
        return Position(int(cursor.get("line") or 0), int(cursor.get("offset") or 0))
    return None if cursor else Position()


@dataclass
class Line:
    number: int
    value: dict[str, Any] | None  # None: not imported, for `problem`
    problem: str = ""


def file_check(path: Path, *, wanted: str = "one JSON object a line") -> bytes:
    """The file's first bytes, once it is known to be text that may hold `wanted`; raises ExportError for a file
    that cannot be read, is an archive, binary or UTF-16/32. An empty file gives b""."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF)
    except OSError as exc:
        raise ExportError(f"{path.name} cannot be read ({exc.strerror or exc}).") from None
    for magic, what in _ARCHIVES.items():
        if head.startswith(magic) and (magic != b"BZh" or head[3:4].isdigit()):
            raise ExportError(f"{path.name} is {what}, not text: unpack it, then import the files it holds.")
    for mark, encoding in _WIDE.items():
        if head.startswith(mark):
            raise ExportError(f"{path.name} is {encoding} text: save it as UTF-8 ({wanted}).")
    if b"\x00" in head:
        raise ExportError(
            f"{path.name} is not text (it has NUL bytes: a binary file, or UTF-16 without its mark): it should be "
            f"UTF-8, {wanted}."
        )
    return head


def jsonl_check(path: Path) -> bool:
    """Whether the file holds anything; raises ExportError when it is not JSON lines at all (file_check's cases, a
    JSON array, pretty-printed JSON, or a first line that is no object: a CSV or HTML file under a .jsonl name)."""
    head = file_check(path).removeprefix(_BOM)
    first = next((line.strip() for line in head.splitlines() if line.strip()), b"")
    if not first:
        return False
    if first.startswith(b"["):
        raise ExportError(
            f"{path.name} is a JSON array, not one JSON object a line (JSON Lines): write each object on a line of "
            "its own, without the brackets."
        )
    if first == b"{":
        raise ExportError(
            f'{path.name} is pretty-printed JSON (its first line is "{{" alone): write each object on one line.'
        )
    if not first.startswith(b"{"):
        raise ExportError(f'{path.name} is not JSON Lines: its first line does not begin with "{{" (an object).')
    return True


def _depth(value: Any) -> int:
    """How deep `value` nests, counted without recursion (the structure is the hostile part); stops past MAX_DEPTH."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _without_nul(value: Any) -> Any:
    # PostgreSQL's text holds no NUL character: one in a string ("\u0000") is dropped, the rest of the text kept.
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def not_utf8(data: bytes) -> str:
    try:
        data.decode()
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte 0x{data[exc.start]:02x}, column {exc.start + 1}): save the file as UTF-8"
    return "not UTF-8 text"


def line_parse(data: bytes) -> tuple[dict[str, Any] | None, str]:
    """(the object, "") or (None, why it is not imported)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc):  # orjson's own limit (1,024), met before MAX_DEPTH's check can run
            return None, f"nested deeper than {MAX_DEPTH} levels"
        if "not valid UTF-8" in str(exc):  # orjson says "surrogates not allowed" of any bad byte: say which
            return None, not_utf8(data)
        # orjson says "line 1 column 7 (char 6)" of the text it was given: the file's line is said already.
        return None, f"not JSON ({_WHERE.sub(_COLUMN, str(exc))})"
    if not isinstance(value, dict):
        return None, f"a JSON {_KINDS.get(type(value), 'value')}, not an object"
    # Counting brackets is C-fast and bounds the depth from above: most lines never need the walk.
    if data.count(b"{") + data.count(b"[") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        return None, f"nested deeper than {MAX_DEPTH} levels"
    if b"\\u0000" in data:
        value = _without_nul(value)
    return value, ""


def raw_lines(handle: IO[bytes], start: Position | None, after: int) -> Iterator[tuple[Position, bytes | int]]:
    """(the position after each line, its bytes; or, for a line longer than MAX_LINE_BYTES, its length without its
    line break, the line itself never held), from `start` (by seeking) or, without one, after the first `after`
    lines (counted again: a run stored before offsets)."""
    at = start or Position()
    handle.seek(at.offset)
    while True:
        data = handle.readline(MAX_LINE_BYTES + 1)  # never more than the cap held, whatever the line's length
        if not data:
            return
        size = len(data)
        line: bytes | int = data
        if size > MAX_LINE_BYTES and not data.endswith(b"\n"):
            del data, line
            rest = b""
            while (rest := handle.readline(_CHUNK)) and not rest.endswith(b"\n"):
                size += len(rest)
            size += len(rest)
            line = size - len(rest) + len(rest.rstrip(b"\r\n"))
        at = Position(at.line + 1, at.offset + size)
        if at.line > after:
            yield at, line


def too_long(length: int) -> str:
    return f"longer than {MAX_LINE_BYTES // 1024 // 1024} MiB ({length:,} bytes): not read"


def json_pages(path: Path, cursor: Any) -> Iterator[tuple[list[Line], Position]]:
    """The file's lines from the stream's cursor, a page at a time (PAGE_LINES lines, or PAGE_BYTES), each with the
    position after it: the cursor the page is written with."""
    start = position_of(cursor)
    after = 0 if start is not None else int(cursor)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ExportError(f"{path.name} cannot be read ({exc.strerror or exc}).") from None
    with handle:
        page: list[Line] = []
        read = held = 0
        at = start or Position()
        for end, data in raw_lines(handle, start, after):
            if isinstance(data, int):
                page.append(Line(end.line, None, too_long(data)))
            elif data.strip():
                # Without its line break: a line cut short reads "unexpected end of data", not a control character.
                value, problem = line_parse((data.removeprefix(_BOM) if at.offset == 0 else data).rstrip(b"\r\n"))
                page.append(Line(end.line, value, problem))
                held += len(data)
            at, read = end, read + 1
            if read >= PAGE_LINES or held >= PAGE_BYTES:
                yield page, at
                page, read, held = [], 0, 0
        if read:
            yield page, at
