"""Returning members' rollup on PostgreSQL (metrics.models.CommunityMember): per person, their first counted mention
ever and the time of their next one, so a range's newcomers are read from an index on `first_at` instead of every
ticket of every member (bench/README.md, "Community figures": 3.7 s for a year at 200,000 tickets without it).

Statement-level triggers mark the people a change touches in metrics_communitymemberdirty: a ticket's counted
columns changed (requested_at, channel, merged_into, its first reply, its priority), a requester row added, moved or
removed, an identity moved to another person (a merge or a split) or removed. `members_refresh` rebuilds the marked
people inside metrics.rollups.rollups_refresh's transaction and lock, so every read that refreshes the KPI rollups
refreshes these too; the newcomer days summed from these rows follow them (metrics.community.newcomer_rollup).
Imported by migrations: no models here."""

from __future__ import annotations

from django.db.backends.utils import CursorWrapper

from metrics.community.newcomer_rollup import newcomers_delta, newcomers_emptied_drop
from metrics.community.rollup import COUNTED_SQL
from metrics.statement_triggers import transition_function_sql, triggers_create_sql, triggers_drop_sql

_TICKET_COLUMNS = "requested_at, channel_id, product_id, merged_into_id, first_reply_seconds, high_priority"
_MARK = "INSERT INTO metrics_communitymemberdirty (person_id) SELECT DISTINCT person_id FROM ({rows}) s " \
    "WHERE person_id IS NOT NULL ON CONFLICT DO NOTHING;"  # fmt: skip
_BY_TICKETS = (
    "SELECT i.person_id FROM {rows} t JOIN people_requester r ON r.ticket_id = t.id "
    "JOIN people_identity i ON i.id = r.identity_id"
)
_BY_REQUESTERS = "SELECT i.person_id FROM {rows} r JOIN people_identity i ON i.id = r.identity_id"
# A requester added, moved or removed also changes its ticket's day in CommunityIdentityDay (metrics.community.rollup),
# for the ticket's channel (metrics.rollups.ticket_marks_sql; without `{column}` and `{value}`: the whole day, as before
# metrics.0018).
_REQUESTER_DAYS = (
    "INSERT INTO metrics_rollupdirty (day, kind{column}) SELECT DISTINCT (t.requested_at AT TIME ZONE 'UTC')::date, "
    "'ticket'{value} FROM {rows} r JOIN mentions_ticket t ON t.id = r.ticket_id ON CONFLICT DO NOTHING;"
)


_CHANGED_TICKETS = (
    f"(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
    f"WHERE (n.{_TICKET_COLUMNS.replace(', ', ', n.')}) IS DISTINCT FROM (o.{_TICKET_COLUMNS.replace(', ', ', o.')}))"
)


def _functions(*, sliced: bool) -> dict[str, str]:
    column, value = (", channel_id", ", t.channel_id") if sliced else ("", "")
    days = {rows: _REQUESTER_DAYS.format(rows=rows, column=column, value=value) for rows in ("new_rows", "old_rows")}
    return {
        "metrics_members_ticket_new": _MARK.format(rows=_BY_TICKETS.format(rows="new_rows")),
        "metrics_members_ticket_old": _MARK.format(rows=_BY_TICKETS.format(rows="old_rows")),
        "metrics_members_ticket_upd": _MARK.format(rows=_BY_TICKETS.format(rows=_CHANGED_TICKETS)),
        "metrics_members_requester_new": _MARK.format(rows=_BY_REQUESTERS.format(rows="new_rows")) + days["new_rows"],
        "metrics_members_requester_old": _MARK.format(rows=_BY_REQUESTERS.format(rows="old_rows")) + days["old_rows"],
        "metrics_members_identity_old": _MARK.format(rows="SELECT person_id FROM old_rows"),
        "metrics_members_identity_new": _MARK.format(rows="SELECT person_id FROM new_rows"),
    }


_FUNCTIONS = _functions(sliced=True)
# (trigger, table, event, transition tables, function)
_TRIGGERS = [
    ("metrics_members_ticket_ins", "mentions_ticket", "INSERT", "NEW TABLE AS new_rows", "metrics_members_ticket_new"),
    ("metrics_members_ticket_upd", "mentions_ticket", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "metrics_members_ticket_upd"),
    ("metrics_members_ticket_del", "mentions_ticket", "DELETE", "OLD TABLE AS old_rows", "metrics_members_ticket_old"),
    ("metrics_members_req_ins", "people_requester", "INSERT", "NEW TABLE AS new_rows", "metrics_members_requester_new"),
    ("metrics_members_req_upd_old", "people_requester", "UPDATE", "OLD TABLE AS old_rows",
     "metrics_members_requester_old"),
    ("metrics_members_req_upd_new", "people_requester", "UPDATE", "NEW TABLE AS new_rows",
     "metrics_members_requester_new"),
    ("metrics_members_req_del", "people_requester", "DELETE", "OLD TABLE AS old_rows", "metrics_members_requester_old"),
    ("metrics_members_identity_upd_old", "people_identity", "UPDATE", "OLD TABLE AS old_rows",
     "metrics_members_identity_old"),
    ("metrics_members_identity_upd_new", "people_identity", "UPDATE", "NEW TABLE AS new_rows",
     "metrics_members_identity_new"),
    ("metrics_members_identity_del", "people_identity", "DELETE", "OLD TABLE AS old_rows",
     "metrics_members_identity_old"),
]  # fmt: skip

MEMBER_TRIGGERS_SQL = "".join(
    transition_function_sql(name, body) for name, body in _FUNCTIONS.items()
) + triggers_create_sql(_TRIGGERS)
# The functions as before metrics.0018 (its reverse): a requester's change marks its ticket's whole day.
UNSLICED_MEMBER_FUNCTIONS_SQL = "".join(
    transition_function_sql(name, body) for name, body in _functions(sliced=False).items()
)
DROP_MEMBER_TRIGGERS_SQL = triggers_drop_sql(_TRIGGERS, functions=_FUNCTIONS)
# Everyone who opened a ticket: what the first build (or a rebuild) marks.
MARK_ALL_MEMBERS_SQL = _MARK.format(
    rows="SELECT i.person_id FROM people_requester r JOIN people_identity i ON i.id = r.identity_id"
)

# The marked people's rows again: each one's counted tickets in order, the first and the time of the second. The rows
# removed are taken off CommunityNewcomerDay, and the rows made added to it, in the same statements.
MEMBERS_DELETE_SQL = f"""
WITH gone AS (DELETE FROM metrics_communitymember WHERE person_id = ANY(%(people)s) RETURNING *)
{newcomers_delta("gone", taken_off=True)}
"""
MEMBERS_REFRESH_SQL = f"""
WITH made AS (
INSERT INTO metrics_communitymember (person_id, first_ticket_id, first_at, first_channel_id, first_product_id,
                                     first_reply_seconds, high_priority, next_at)
SELECT f.person_id, f.id, f.requested_at, f.channel_id, f.product_id, f.first_reply_seconds, f.high_priority,
       s.requested_at
FROM (
    SELECT i.person_id, t.id, t.requested_at, t.channel_id, coalesce(t.product_id, 0) AS product_id,
           t.first_reply_seconds, t.high_priority,
           row_number() OVER (PARTITION BY i.person_id ORDER BY t.requested_at, t.id) AS n
    FROM people_identity i
    JOIN people_requester r ON r.identity_id = i.id
    JOIN mentions_ticket t ON t.id = r.ticket_id
    WHERE i.person_id = ANY(%(people)s) AND {COUNTED_SQL}
) f
LEFT JOIN LATERAL (
    SELECT t.requested_at FROM people_identity i
    JOIN people_requester r ON r.identity_id = i.id
    JOIN mentions_ticket t ON t.id = r.ticket_id
    WHERE i.person_id = f.person_id AND t.id <> f.id AND {COUNTED_SQL}
          AND (t.requested_at, t.id) > (f.requested_at, f.id)
    ORDER BY t.requested_at, t.id LIMIT 1
) s ON true
WHERE f.n = 1
RETURNING *
)
{newcomers_delta("made", taken_off=False)}
"""


def members_refresh(cursor: CursorWrapper) -> list[int]:
    """Rebuild the marked people's rows (inside rollups_refresh's transaction and lock), and with them the newcomer
    days: their old rows' counts taken off, their new rows' added (a cost of the people changed, not of the days they
    touch). Returns the people, whose person-days the caller rebuilds too (metrics.community.person_rollup)."""
    cursor.execute("DELETE FROM metrics_communitymemberdirty RETURNING person_id")
    people = [row[0] for row in cursor.fetchall()]
    if people:
        cursor.execute(MEMBERS_DELETE_SQL, {"people": people})
        emptied = [pk for pk, members in cursor.fetchall() if members == 0]
        cursor.execute(MEMBERS_REFRESH_SQL, {"people": people})
        newcomers_emptied_drop(cursor, emptied)
    return people
