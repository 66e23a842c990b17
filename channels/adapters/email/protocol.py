"""IMAP wire details the poll needs and imaplib leaves to us: UID FETCH responses, INTERNALDATE, UID sets,
mailbox names in modified UTF-7, quoted arguments."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

_UID_RE = re.compile(rb"\bUID (\d+)")
_INTERNALDATE_RE = re.compile(
    rb'\bINTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"'
)
_FETCH_START_RE = re.compile(rb"\d+ \(")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_fetch_response(data: list[Any]) -> Iterator[tuple[int, datetime | None, bytes]]:
    """(uid, INTERNALDATE, body) from imaplib's UID FETCH data.

    A message comes as a tuple ``(b'12 (UID 40 INTERNALDATE "..." BODY[] {n}', literal)`` followed by the
    rest of its line (``b')'``, or ``b' UID 40)'`` when the server puts UID after the body). Plain bytes that
    start a new response are unsolicited (a FLAGS update) and ignored.
    """
    records: list[list[bytes]] = []
    for element in data:
        if isinstance(element, tuple) and len(element) == 2 and isinstance(element[1], bytes):
            records.append([bytes(element[0]), element[1]])
        elif isinstance(element, bytes) and records and not _FETCH_START_RE.match(element):
            records[-1][0] += element
    for meta, body in records:
        uid = _UID_RE.search(meta)
        if uid is None or b"BODY[]" not in meta.upper():
            continue
        yield int(uid.group(1)), _internaldate(meta), body


def _internaldate(meta: bytes) -> datetime | None:
    match = _INTERNALDATE_RE.search(meta)
    if not match:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = (g.decode() for g in match.groups())
    try:
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
        local = datetime(int(year), MONTHS.index(month.title()) + 1, int(day), int(hour), int(minute), int(second))
        return (local - offset).replace(tzinfo=UTC)
    except ValueError:
        return None


def uid_set(uids: list[int]) -> str:
    """``1:3,7,9:10`` for [1, 2, 3, 7, 9, 10]."""
    ranges: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0]
    for uid in [*ordered[1:], None]:
        if uid is not None and uid == prev + 1:
            prev = uid
            continue
        ranges.append(str(start) if start == prev else f"{start}:{prev}")
        if uid is not None:
            start = prev = uid
    return ",".join(ranges)


def imap_utf7(name: str) -> str:
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 5.1.3): "Entwürfe" -> "Entw&APw-rfe"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if " " <= ch <= "~":
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def imap_quote(value: str) -> str:
    """A quoted string: imaplib sends command arguments as they are."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
