"""A transactional test's flush as DELETEs, not one TRUNCATE (installed by conftest.py for the test run only).

Django empties every table after each transactional test (`flush`, TransactionTestCase._fixture_teardown). On
PostgreSQL that is one `TRUNCATE` of all ~145 tables: each gets a new file on disk and the catalogue is rewritten,
0.44-1.0 s a test on a two-core machine (2026-11-30), where a DELETE of each (nearly empty) table took 0.03-0.05 s.
The suite has 159 transactional tests (the live server's, the browser's and the concurrency tests).

The DELETEs run with `session_replication_role = replica` for the flush's transaction only (SET LOCAL): no trigger
fires (the live pages' change triggers would write rows into tables already emptied) and no foreign key is checked
(every table is emptied, so none is left dangling). Setting it needs a superuser, as the test database's owner is
here; for another role, and when the sequences are to be reset (TRUNCATE ... RESTART IDENTITY resets exactly the
sequences the tables own), Django's own TRUNCATE runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.management.color import Style
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush
_superuser: dict[str, bool] = {}


def _is_superuser(ops: BaseDatabaseOperations) -> bool:
    alias = ops.connection.alias
    if alias not in _superuser:
        with ops.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            _superuser[alias] = bool(cursor.fetchone()[0])
    return _superuser[alias]


def sql_flush(
    self: BaseDatabaseOperations,
    style: Style,
    tables: Sequence[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    if not tables or reset_sequences or not _is_superuser(self):
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return ["SET LOCAL session_replication_role = replica;"] + [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables
    ]


def install() -> None:
    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
