"""A PostgreSQL function the embedded default's SQLite lacks, registered on each SQLite connection so the same SQL
runs on both: `regexp_replace(text, pattern, replacement, flags)`, which erasure uses to replace a person's
strings where they stand (people.erasing). Django registers SQLite's REGEXP itself, with Python's `re`; this
uses `re` too, so a pattern matches the same text in a WHERE and in the replacement."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.backends.signals import connection_created


@lru_cache(maxsize=64)
def _compiled(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


def _pg_replacement(replacement: str) -> Callable[[re.Match[str]], str]:
    """The replacement as PostgreSQL reads it: \\1 to \\9 a group, \\& the whole match, \\\\ one backslash, any other
    backslash kept as written (Python's `re.sub` would refuse "\\[" and read "\\g<…>")."""
    parts: list[str | int] = []
    text, i = "", 0
    while i < len(replacement):
        c = replacement[i]
        following = replacement[i + 1] if i + 1 < len(replacement) else ""
        if c == "\\" and ((following.isdigit() and following != "0") or following == "&"):
            parts += [text, 0 if following == "&" else int(following)]
            text, i = "", i + 2
        elif c == "\\" and following == "\\":
            text, i = text + "\\", i + 2
        else:
            text, i = text + c, i + 1
    parts.append(text)

    def replace(match: re.Match[str]) -> str:
        # A group the pattern does not have gives nothing, as in PostgreSQL.
        groups = match.re.groups
        return "".join(p if isinstance(p, str) else (match.group(p) or "" if p <= groups else "") for p in parts)

    return replace


def regexp_replace(text: Any, pattern: Any, replacement: Any, flags: Any = "") -> Any:
    """PostgreSQL's regexp_replace for the flags the desk passes: "g" every match (else the first), "i" in any
    case. NULL in, NULL out."""
    if text is None or pattern is None or replacement is None:
        return None
    flags = flags or ""
    compiled = _compiled(str(pattern), "i" in flags)
    return compiled.sub(_pg_replacement(str(replacement)), str(text), count=0 if "g" in flags else 1)


def sqlite_functions_add(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: registers the functions on a new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("regexp_replace", 4, regexp_replace, deterministic=True)


def sqlite_functions_connect() -> None:
    """Registers them on every SQLite connection from now on, and on one opened already (called from an
    AppConfig.ready())."""
    connection_created.connect(sqlite_functions_add, dispatch_uid="advocacy-sqlite-functions")
    for opened in connections.all(initialized_only=True):
        if opened.connection is not None:
            sqlite_functions_add(None, opened)


def erased_text_overwritten(connection: Any) -> None:
    """On SQLite, make the text an erasure replaces or deletes leave the database file: freed space overwritten
    with zeros (secure_delete, which some builds leave off: the old cells would stay readable in the file), and
    once the erasure commits the write-ahead log copied back into the file, whose pages still hold the rows as
    they were until a checkpoint. Nothing on other databases (PostgreSQL's old row versions are VACUUM's)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = ON")

    def checkpoint() -> None:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    from django.db import transaction

    transaction.on_commit(checkpoint, using=connection.alias)
