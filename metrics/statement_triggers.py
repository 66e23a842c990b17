"""The SQL of the statement-level triggers that keep the metrics rollups (PostgreSQL): one way to write them, used by
the KPI rollups' dirty days (rollups.py), the community members (community/member_rollup.py), the kept ranking's
stamp (community/past_stamp.py) and the competitors' days (competitor_rollup.py). Each trigger is dropped before it
is made, so the SQL runs again safely (a migration, or a post-migrate repair).

A trigger is (name, table, event, its transition tables: "" or e.g. "OLD TABLE AS old_rows", the function it runs).
"""

from __future__ import annotations

from collections.abc import Iterable

Trigger = tuple[str, str, str, str, str]


def triggers_create_sql(triggers: Iterable[Trigger]) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS {name} ON {table};\nCREATE TRIGGER {name} AFTER {event} ON {table}\n"
        f"    {f'REFERENCING {rows} ' if rows else ''}FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n"
        for name, table, event, rows, function in triggers
    )


def triggers_drop_sql(triggers: Iterable[Trigger], *, functions: Iterable[str] = ()) -> str:
    """Drops the triggers, then the functions they ran, when named."""
    sql = "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};\n" for name, table, *_ in triggers)
    named = [f"{f}()" for f in functions]
    return sql + (f"DROP FUNCTION IF EXISTS {', '.join(named)};\n" if named else "")


def emptying_function_sql(function: str, table: str) -> str:
    """A trigger function that empties `table` (what a TRUNCATE of what it is built from leaves it: nothing)."""
    # The names are the callers' constants: no input reaches them.
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {table};
    RETURN NULL;
END $$;
"""  # noqa: S608
