"""Set-based writes: ids taken up front, rows streamed in one statement. The ingest pipeline (intake) writes
a page with these, the Slack outbox (notifications) its rows: nothing here knows either, so it lives low,
where both use it without reaching into the other's internals.

On PostgreSQL a page's rows go in with `COPY ... FROM STDIN` (CSV, built here from
plain values) and ids come from the table's sequence in one `nextval` query, so the pipeline
knows every ticket's and message's id before anything is written and never builds a model
instance per row. COPY fires the tables' triggers like INSERT does, so the KPI rollups stay
exact. On the embedded SQLite default the same calls run an `executemany` INSERT with the
values prepared by each field (few rows there; correctness over speed).
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

import orjson
from django.db import connection, models


def _json(value: Any) -> str:
    # orjson: a page's raw payloads are most of what is written, and it dumps them ~10x faster.
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (an int beyond 64 bits, a non-str key): the stdlib's way
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@cache
def _fields(model: type[models.Model], columns: tuple[str, ...]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[c] for c in columns]


@cache
def _copy_options(model: type[models.Model], columns: tuple[str, ...]) -> tuple[list[int], str]:
    """The positions of JSON columns (dumped before writing) and the COPY options: CSV, with the
    text columns that cannot be NULL read as text even when empty (the csv module writes an
    empty string and None alike, unquoted)."""
    fields = _fields(model, columns)
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    texts = [
        connection.ops.quote_name(column)
        for f in fields
        if (column := f.column)  # every concrete field has one
        and not f.null
        and f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField")
    ]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(texts)})" if texts else "")
    return json_at, options


def _rest(model: type[models.Model], columns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The columns the caller leaves out and their values: Django keeps defaults in Python, not
    in the database, so a row written without them would hold NULL."""
    from django.utils import timezone

    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in columns or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            names.append(field.attname)
            values.append(timezone.now())
        elif field.has_default() or not field.null:
            names.append(field.attname)
            values.append(field.get_default())
    return tuple(names), tuple(values)


def _complete(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[tuple[str, ...], Sequence[Sequence[Any]]]:
    columns = tuple(columns)
    names, values = _rest(model, columns)
    if not names:
        return columns, rows
    return columns + names, [(*row, *values) for row in rows]


def _copy_buffer(json_at: list[int], rows: Sequence[Sequence[Any]]) -> io.StringIO:
    # csv.writer is C: booleans come out as True/False, times as ISO text with their offset,
    # both of which PostgreSQL reads; quoting follows CSV (fields with quotes, commas, CR or LF).
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if json_at:

        def dumped(row: Sequence[Any]) -> list[Any]:
            values = list(row)
            for i in json_at:
                values[i] = _json(values[i])
            return values

        writer.writerows(map(dumped, rows))
    else:
        writer.writerows(rows)
    out.seek(0)
    return out


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, before its rows are written. The caller holds the
    channel lock; on SQLite it also holds the database's write lock (see `write_lock`)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # AUTOINCREMENT never hands out an id twice, even a deleted row's: start past both.
        cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - model table
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(highest, found[0] if found else 0) + 1
        return list(range(start, start + count))


def write_lock(model: type[models.Model], pk: int) -> None:
    """Serialise ingests of one channel: a row lock on PostgreSQL. SQLite has no row locks; a
    write as the transaction's first statement takes the database's write lock, so the ids
    reserved afterwards cannot be taken by anyone else before commit."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608 - model table
        else:
            cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [pk])  # noqa: S608 - model table


def _prepared(model: type[models.Model], columns: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    fields = _fields(model, columns)
    return [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows]


def _insert_names(model: type[models.Model], columns: tuple[str, ...]) -> tuple[str, str]:
    table = connection.ops.quote_name(model._meta.db_table)
    return table, ", ".join(connection.ops.quote_name(c) for c in columns)


def _copy_prepared(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[str, io.StringIO]:
    """The COPY statement for `rows` and its CSV data (PostgreSQL)."""
    columns, rows = _complete(model, columns, rows)
    json_at, options = _copy_options(model, columns)
    table, names = _insert_names(model, columns)
    return f"COPY {table} ({names}) FROM STDIN WITH ({options})", _copy_buffer(json_at, rows)


def rows_copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Write `rows` (values in `columns` order, Python values) into `model`'s table in one
    statement. A database error (a constraint, a trigger) raises django.db.DatabaseError and
    the caller's transaction is rolled back as a whole."""
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql, buffer = _copy_prepared(model, columns, rows)
            # copy_expert is psycopg2's own call: wrap its errors as Django's, like execute().
            with connection.wrap_database_errors:
                cursor.cursor.copy_expert(sql, buffer)
        else:
            columns, rows = _complete(model, columns, rows)
            table, names = _insert_names(model, columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", _prepared(model, columns, rows))  # noqa: S608
    return len(rows)


def rows_copy_begin(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Callable[[], None]:
    """rows_copy, with the database's work overlapping the caller's: on PostgreSQL the COPY runs
    in a thread (psycopg2 releases the GIL while the server works) and the caller goes on with
    pure Python, issuing no query, until it calls the returned function, which waits and raises
    the COPY's error as django.db.DatabaseError. Elsewhere the rows are written before returning."""
    if not rows or connection.vendor != "postgresql":
        rows_copy(model, columns, rows)
        return lambda: None
    sql, buffer = _copy_prepared(model, columns, rows)
    size = max(8192, len(buffer.getvalue()))
    connection.ensure_connection()
    raw = connection.connection.cursor()  # psycopg2's own: Django's wrapper belongs to this thread
    failed: list[BaseException] = []

    def copy() -> None:
        try:
            # The whole buffer in one read: each read needs the GIL, which the caller holds while
            # it works, so reading in 8 KB pieces would leave the COPY waiting on the caller.
            raw.copy_expert(sql, buffer, size)
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)
        finally:
            raw.close()

    thread = threading.Thread(target=copy, name=f"copy-{model._meta.db_table}", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            with connection.wrap_database_errors:
                raise failed[0]

    return wait


def rows_insert_new(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Like rows_copy for rows that may already exist (a unique constraint): those are skipped."""
    if not rows:
        return 0
    columns, rows = _complete(model, columns, rows)
    table, names = _insert_names(model, columns)
    prepared = _prepared(model, columns, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            with connection.wrap_database_errors:
                execute_values(
                    cursor.cursor,
                    f"INSERT INTO {table} ({names}) VALUES %s ON CONFLICT DO NOTHING",  # noqa: S608 - model table
                    prepared,
                    page_size=1000,
                )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", prepared)  # noqa: S608
    return len(rows)
