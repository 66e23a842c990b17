"""Play's claim statement, compiled to SQL once per view shape and process (issue 58).

Building the claim's SELECT with the ORM (the view's filters, the skipped-ticket subquery, the order, values(),
the slice) and compiling it cost about as much CPU as PostgreSQL spends running the whole claim
(bench/claim_profile.py). What the SQL depends on is the view's settings, whether the claim reads from a floor,
and the database; what changes from one claim to the next is only the user, the floor's time and the UPDATE's values.
So the statement is compiled once with stand-ins for the user's id and the floor, each stand-in's place among the
parameters is remembered, and a claim runs the same SQL with its own values (advocacy.prepared does the same for
model querysets; this one is a raw UPDATE with a CTE, which it does not run).

The key is every stored setting of the view but its name, slug, position, activity and times, so any filter a view
gains later is in the key without anyone remembering to add it. A stand-in that reached the SQL text instead of
its parameters (a backend inlining a value) makes the shape uncacheable: it is then compiled at every claim, as
before, never run wrong.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from mentions.models import Ticket, TicketEvent, View

# Values no real claim passes: a parameter equal to one is where that claim's own value goes.
_STAND_IN_USER = -(2**52) - 7927
_STAND_IN_START = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_KEPT = 256  # view shapes per process; a desk has tens of views
# View settings that change neither which tickets the view serves nor their order.
_NOT_SHAPE = {"id", "name", "slug", "position", "is_active", "created_at", "updated_at"}

# The claim and its events in one statement: the ticket's UPDATE and the events' INSERT see the same row, and
# commit or roll back together as before, with one round trip and no ORM insert fewer per claim.
_STATEMENT = """
        WITH next (id, status) AS ({pick} FOR UPDATE OF "{table}" SKIP LOCKED),
        claimed AS (
            UPDATE "{table}" AS t
               SET assignee_id = %s, served_to_id = %s, served_view_id = %s, updated_at = %s,
                   status = CASE WHEN t.status = 'new' THEN 'open' ELSE t.status END
              FROM next
             WHERE t.id = next.id
         RETURNING t.*, next.status AS status_before
        ),
        recorded AS (
            INSERT INTO "{events}" (ticket_id, actor_id, kind, data, created_at, updated_at)
            SELECT id, %s, %s, %s::jsonb, %s, %s FROM claimed
             UNION ALL
            SELECT id, %s, %s, jsonb_build_object('from', status_before, 'to', status), %s, %s
              FROM claimed WHERE status <> status_before
        )
        SELECT * FROM claimed
    """


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[str, ...]  # for each parameter: "user", "start" or "" (the compiled constant)


_compiled: dict[tuple[Any, ...], _Compiled | None] = {}
_lock = threading.Lock()


def statement(pick: str) -> str:
    """The claim's UPDATE and its events around its SELECT `pick` (without FOR UPDATE); `tail`'s parameters follow
    the SELECT's."""
    return _STATEMENT.format(pick=pick, table=Ticket._meta.db_table, events=TicketEvent._meta.db_table)


def tail(*, view: View, user: Any, now: datetime) -> list[Any]:
    """The parameters after the SELECT's: the UPDATE's, then the 'assigned' event's and the 'status' event's (the
    same data as TicketEvent rows made by the ORM: mentions.services.play.claim_events)."""
    assigned = json.dumps({"to": user.get_username(), "via": "play", "view": view.slug})
    return [
        *(user.pk, user.pk, view.pk, now),
        *(user.pk, TicketEvent.Kind.ASSIGNED.value, assigned, now, now),
        *(user.pk, TicketEvent.Kind.STATUS.value, now, now),
    ]


def _shape(view: View, start_given: bool, start_held: bool) -> tuple[Any, ...]:
    settings = {f.attname: getattr(view, f.attname) for f in View._meta.concrete_fields if f.attname not in _NOT_SHAPE}
    shape = json.dumps(settings, sort_keys=True, default=str)
    return connection.alias, connection.vendor, start_given, start_given and start_held, shape


def _compile(
    pick_sql: Callable[..., tuple[str, list[Any]]], view: View, start_given: bool, start_held: bool
) -> _Compiled | None:
    stand_in_user = get_user_model()(pk=_STAND_IN_USER)
    start = _STAND_IN_START if start_given else None
    sql, params = pick_sql(view=view, user=stand_in_user, start=start, start_held=start_held)
    if str(_STAND_IN_USER) in sql or "1901-02-03" in sql:
        return None
    slots = tuple(
        "user"
        if type(p) is int and p == _STAND_IN_USER
        else "start"
        if isinstance(p, datetime) and p == _STAND_IN_START
        else ""
        for p in params
    )
    if start_given and "start" not in slots:
        return None
    return _Compiled(sql=statement(sql), params=tuple(params), slots=slots)


def claim_sql(
    pick_sql: Callable[..., tuple[str, list[Any]]],
    *,
    view: View,
    user: Any,
    start: datetime | None,
    start_held: bool = False,
    now: datetime,
) -> tuple[str, list[Any]]:
    """The claim's statement and parameters for `user` on `view` from `start` (None: the head of the order;
    `start_held`: the floor's ticket was held back as sure noise), compiled by `pick_sql` (play.claim_pick_sql) once
    per view shape."""
    if (start is not None and not isinstance(start, datetime)) or type(user.pk) is not int:
        pick, params = pick_sql(view=view, user=user, start=start, start_held=start_held)
        return statement(pick), [*params, *tail(view=view, user=user, now=now)]
    key = _shape(view, start is not None, start_held)
    if key not in _compiled:
        made = _compile(pick_sql, view, start is not None, start_held)
        with _lock:
            if len(_compiled) >= _KEPT:
                _compiled.clear()
            _compiled[key] = made
    done = _compiled[key]
    if done is None:
        pick, params = pick_sql(view=view, user=user, start=start, start_held=start_held)
        return statement(pick), [*params, *tail(view=view, user=user, now=now)]
    values = {"user": user.pk, "start": start}
    own = [values[slot] if slot else param for slot, param in zip(done.slots, done.params, strict=True)]
    return done.sql, [*own, *tail(view=view, user=user, now=now)]
