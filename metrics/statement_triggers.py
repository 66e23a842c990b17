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


# Up to this many rows, a statement trigger runs its SQL as written; beyond, through EXECUTE (transition_function_sql).
SMALL_STATEMENT = 64


def transition_function_sql(function: str, body: str) -> str:
    """A trigger function that runs `body` (SQL statements reading the trigger's transition tables), planned for the
    rows it has.

    Written inline, PL/pgSQL plans each statement once per connection and keeps the plan, sized for the transition
    tables of that first call: after a one-row UPDATE (a claim), a 2,000-ticket UPDATE on the same connection joined
    its 2,000 old and new rows by nested loops, 3.2-3.4 s where a fresh plan took 93 ms (20,000 tickets; the demo's
    month hung 46 minutes in the suite). Through EXECUTE every call is planned afresh, which cost a one-row UPDATE
    1.5-2 ms more: so a small statement (most of them: a claim, a reply, a page of ingest's few updates) keeps the
    inline SQL, whose kept plan is one made for a small statement, and a larger one plans its own."""
    # The body is the callers' constant SQL, quoted whole; no input reaches it, and none holds the quote's tag.
    assert "$body$" not in body
    # The table whose rows are counted; an UPDATE's two hold as many.
    rows = next((table for table in ("new_rows", "old_rows") if table in body), None)
    if rows is None:
        raise ValueError(f"{function} reads no transition table: nothing to plan per call, write it inline")
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM (SELECT FROM {rows} LIMIT {SMALL_STATEMENT + 1}) s) <= {SMALL_STATEMENT} THEN
{body}
    ELSE
        EXECUTE $body${body}$body$;
    END IF;
    RETURN NULL;
END $$;
"""  # noqa: S608


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
