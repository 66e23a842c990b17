"""The statement-level triggers that mark the days (and, for a ticket, the channels) whose KPI rollups a change
touches, in metrics_rollupdirty; metrics.rollups rebuilds them. Imported by migrations: no models here."""

from __future__ import annotations

from collections.abc import Sequence

from metrics.statement_triggers import transition_function_sql, triggers_create_sql, triggers_drop_sql

# The values of Ticket.Status and TicketEvent.Kind this SQL reads, spelled out so the migration that installs
# the triggers does not import models (tests/test_rollups.py checks they still match).
SOLVED = "solved"
SERVED = "assigned"
STATUS = "status"
TAG_ADDED = "tag_added"
REPLY_KINDS = ("replied", "reply_sent")
HANDLING_KINDS = (*REPLY_KINDS, STATUS, "macro")
EVENT_KINDS = (SERVED, TAG_ADDED, *HANDLING_KINDS)
# Play assigns a new ticket and opens it in one go (mentions.services.play): that "new -> open" is serving, not
# handling. Counted as the advocate's next action, it made every handling time 0.0 min.
PLAY_OPENED = ("new", "open")


def sql_list(values: Sequence[str]) -> str:
    """SQL literals of `values`, quoted, for an IN list in the rollups' SQL (constants only: no input reaches it)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _day(column: str) -> str:
    return f"(({column}) AT TIME ZONE 'UTC')::date"


_TICKET_DAYS = f"""
    SELECT d, r.channel_id FROM {{rows}} r
    CROSS JOIN LATERAL (VALUES ({_day("r.requested_at")}), ({_day("r.first_reply_at")}), ({_day("r.solved_at")})) v(d)
    WHERE d IS NOT NULL
"""
# A ticket's change marks its days with its channel, so the refresh rebuilds that channel's rows of the day, not the
# day's (a change to three tickets of a past day read 2,500 tickets at 1,000,000 tickets, 50 at 20,000: the first view
# after it grew 33-35 %). `channel_id` 0 marks the whole day: events, a first build, and the marks written before
# metrics.0018 (whose triggers, `sliced=False`, are what its reverse puts back). A day's marked channels are rebuilt
# together, one statement of each kind (metrics.community.rollup.in_slice), as the whole day is.
WHOLE_DAY = 0


def ticket_marks_sql(rows: str, *, sliced: bool = True) -> str:
    """The statement that marks the days (and channels) of the tickets in `rows` (its columns as a ticket's)."""
    if not sliced:
        return (
            f"INSERT INTO metrics_rollupdirty (day, kind) SELECT DISTINCT d, 'ticket' FROM "
            f"({_TICKET_DAYS.format(rows=rows)}) s ON CONFLICT DO NOTHING;"
        )
    return (
        f"INSERT INTO metrics_rollupdirty (day, kind, channel_id) SELECT DISTINCT d, 'ticket', channel_id FROM "
        f"({_TICKET_DAYS.format(rows=rows)}) s ON CONFLICT DO NOTHING;"
    )


_TICKET_COLUMNS = (
    "requested_at",
    "first_reply_at",
    "first_reply_seconds",
    "first_reply_business_seconds",
    "solved_at",
    "status",
    "channel_id",
    "product_id",
    "high_priority",
    # What the Community page's rollup reads (metrics.community.rollup).
    "judgement",
    "intent",
    "sentiment",
    "merged_into_id",
)


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in _TICKET_COLUMNS)


# An event marks its own day; an advocate's action also marks the days of that advocate's play assignments
# of the ticket up to it (their handling time ends with it).
_EVENT_DAYS = f"""
    INSERT INTO metrics_rollupdirty (day, kind)
    SELECT DISTINCT d, 'event' FROM (
        SELECT {_day("r.created_at")} AS d FROM {{rows}} r WHERE r.kind IN ({sql_list(EVENT_KINDS)})
        UNION ALL
        SELECT {_day("a.created_at")} FROM {{rows}} r
        JOIN mentions_ticketevent a ON a.ticket_id = r.ticket_id AND a.actor_id = r.actor_id
             AND a.kind = '{SERVED}' AND a.created_at <= r.created_at
        WHERE r.kind IN ({sql_list(HANDLING_KINDS)}) AND r.actor_id IS NOT NULL
    ) s
    ON CONFLICT DO NOTHING;
"""

# Which statements mark days, as one table: each trigger is created (after dropping it, so the SQL runs again
# safely) and dropped from it. (name, table, event, its transition tables, the function it runs)
_TRIGGERS = [
    ("metrics_ticket_ins", "mentions_ticket", "INSERT", "NEW TABLE AS new_rows", "metrics_ticket_inserted"),
    ("metrics_ticket_upd", "mentions_ticket", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "metrics_ticket_updated"),
    ("metrics_ticket_del", "mentions_ticket", "DELETE", "OLD TABLE AS old_rows", "metrics_ticket_deleted"),
    ("metrics_ticket_trunc", "mentions_ticket", "TRUNCATE", "", "metrics_rollups_truncated"),
    ("metrics_event_ins", "mentions_ticketevent", "INSERT", "NEW TABLE AS new_rows", "metrics_event_inserted"),
    ("metrics_event_upd_old", "mentions_ticketevent", "UPDATE", "OLD TABLE AS old_rows", "metrics_event_deleted"),
    ("metrics_event_upd_new", "mentions_ticketevent", "UPDATE", "NEW TABLE AS new_rows", "metrics_event_inserted"),
    ("metrics_event_del", "mentions_ticketevent", "DELETE", "OLD TABLE AS old_rows", "metrics_event_deleted"),
    ("metrics_event_trunc", "mentions_ticketevent", "TRUNCATE", "", "metrics_rollups_truncated"),
]  # fmt: skip
_TRIGGERS_DROP = triggers_drop_sql(_TRIGGERS)
_TRIGGERS_CREATE = triggers_create_sql(_TRIGGERS)

_CHANGED = (
    "(SELECT o.* FROM old_rows o JOIN changed USING (id) UNION ALL SELECT n.* FROM new_rows n JOIN changed USING (id))"
)


def _triggers_sql(*, sliced: bool) -> str:
    # Only rows whose KPI columns changed mark days: a play claim (assignee) marks nothing. Old and new rows both: a
    # ticket moved to another channel (or day) leaves one and joins the other.
    updated = f"""
    WITH changed AS (
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE ({_columns("n")}) IS DISTINCT FROM ({_columns("o")})
    )
    {ticket_marks_sql(_CHANGED, sliced=sliced)}
    -- A ticket moved to another channel or product moves its advocates' (and its tags') figures too.
    INSERT INTO metrics_rollupdirty (day, kind)
    SELECT DISTINCT {_day("e.created_at")}, 'event' FROM new_rows n JOIN old_rows o ON o.id = n.id
         AND (o.channel_id <> n.channel_id OR o.product_id IS DISTINCT FROM n.product_id)
    JOIN mentions_ticketevent e ON e.ticket_id = n.id
    ON CONFLICT DO NOTHING;
"""
    functions = {
        "metrics_ticket_inserted": ticket_marks_sql("new_rows", sliced=sliced),
        "metrics_ticket_deleted": ticket_marks_sql("old_rows", sliced=sliced),
        "metrics_ticket_updated": updated,
        "metrics_event_inserted": _EVENT_DAYS.format(rows="new_rows"),
        "metrics_event_deleted": _EVENT_DAYS.format(rows="old_rows"),
    }
    return (
        "".join(transition_function_sql(name, body) for name, body in functions.items())
        + f"""
CREATE OR REPLACE FUNCTION metrics_rollups_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM metrics_rollupdirty;
    DELETE FROM metrics_ticketday;
    DELETE FROM metrics_advocateday;
    DELETE FROM metrics_tagday;
    DELETE FROM metrics_communityday;
    DELETE FROM metrics_communitysentimentday;
    DELETE FROM metrics_communitytermday;
    DELETE FROM metrics_communityidentityday;
    DELETE FROM metrics_communitymember;
    DELETE FROM metrics_communitymemberdirty;
    DELETE FROM metrics_communitynewcomerday;
    DELETE FROM metrics_communitynewcomertargets;
    RETURN NULL;
END $$;

{_TRIGGERS_CREATE}"""
    )


TRIGGERS_SQL = _triggers_sql(sliced=True)
UNSLICED_TRIGGERS_SQL = _triggers_sql(sliced=False)  # before metrics.0018: every mark a whole day

DROP_TRIGGERS_SQL = f"""
{_TRIGGERS_DROP}DROP FUNCTION IF EXISTS metrics_ticket_inserted(), metrics_ticket_deleted(), metrics_ticket_updated(),
    metrics_event_inserted(), metrics_event_deleted(), metrics_rollups_truncated();
"""

# Every day that has tickets or events: what a first build (or a rebuild) marks.
MARK_ALL_SQL = f"""
INSERT INTO metrics_rollupdirty (day, kind)
SELECT DISTINCT d, 'ticket' FROM ({_TICKET_DAYS.format(rows="mentions_ticket")}) s
ON CONFLICT DO NOTHING;
INSERT INTO metrics_rollupdirty (day, kind)
SELECT DISTINCT {_day("created_at")}, 'event' FROM mentions_ticketevent WHERE kind IN ({sql_list(EVENT_KINDS)})
ON CONFLICT DO NOTHING;
"""
