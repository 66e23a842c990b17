"""The stamp of the most active members' past ranking (metrics.community.active_past): one row,
metrics_communityrankstamp, given a new random value whenever the ranking of days before today may have changed, so
a ranking cached under the old value is never read again.

What moves it, in the same transaction as the change (so a read that sees the new stamp also sees the new rows, on a
replica too):
- `rollups_refresh` (metrics.rollups), when a day before today has `CommunityPersonDay` rows that came out different
  from what they were (what the ranking sums). A day rebuilt for a reply or a status change to one of its tickets
  rebuilds the same rows: that moves nothing, so a busy desk's replies to older tickets leave the past ranking alone.
  The refresh logs the people whose rows changed with the move (`CommunityRankChange`: the stamp it replaced, the
  new one, each person), so the kept ranking is brought up to date from those people alone
  (metrics.community.past_kept).
  An identity moved to another person (a merge or a split) or removed is such a change: the refresh that follows it
  rebuilds both people's rows and logs them.
- A TRUNCATE of the tickets, their events, requesters, identities, identity-days or person-days, by statement
  triggers here: these move the stamp with no log row, which breaks the log's chain of stamps, so the next read
  ranks the whole range again.

Random, not a counter: a test's rollback or a restored backup puts an older value back, and a counter would then
meet keys it had already used for other rows. A person erased is not here: the read leaves erased people out.
Imported by migrations: no models here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db.backends.utils import CursorWrapper

from metrics.community.past_kept import PEOPLE_CAP
from metrics.community.rollup import COUNTED_SQL, in_slice
from metrics.statement_triggers import triggers_create_sql, triggers_drop_sql

# A day's rows again (of its channels `%(channels)s`, or of every one: metrics.community.rollup.in_slice), writing
# only what changed: rows no longer there deleted, new or different counts written. The fresh counts are compared with
# the stored ones first (one read of the day's rows), so only the changed rows are written: an upsert of every fresh
# row probed the unique index once a row, 4,494 buffers for a slice of 686 tickets at 1,000,000 tickets, to change 3.
# The result is the identities whose rows changed: the person-days of their people are built again from them
# (metrics.community.person_rollup), and the ranking follows those.
IDENTITY_DAYS_SQL = f"""
WITH fresh AS (
    SELECT t.channel_id, coalesce(t.product_id, 0) AS product_id, r.identity_id, count(*)::int AS mentions
    FROM mentions_ticket t JOIN people_requester r ON r.ticket_id = t.id
    WHERE t.requested_at >= %(since)s AND t.requested_at < %(until)s AND {in_slice("t")} AND {COUNTED_SQL}
    GROUP BY t.channel_id, coalesce(t.product_id, 0), r.identity_id
), stored AS (
    SELECT d.channel_id, d.product_id, d.identity_id, d.mentions FROM metrics_communityidentityday d
    WHERE d.day = %(day)s AND {in_slice("d")}
), changed AS (
    SELECT channel_id, product_id, identity_id, f.mentions
    FROM fresh f FULL JOIN stored s USING (channel_id, product_id, identity_id)
    WHERE f.mentions IS DISTINCT FROM s.mentions
), gone AS (
    DELETE FROM metrics_communityidentityday d USING changed c
    WHERE d.day = %(day)s AND c.mentions IS NULL
          AND d.channel_id = c.channel_id AND d.product_id = c.product_id AND d.identity_id = c.identity_id
    RETURNING d.identity_id
), put AS (
    INSERT INTO metrics_communityidentityday (day, channel_id, product_id, identity_id, mentions)
    SELECT %(day)s, channel_id, product_id, identity_id, mentions FROM changed WHERE mentions IS NOT NULL
    ON CONFLICT (day, channel_id, product_id, identity_id) DO UPDATE SET mentions = EXCLUDED.mentions
    RETURNING identity_id
)
SELECT identity_id FROM gone UNION SELECT identity_id FROM put
"""

BUMP_SQL = (
    "INSERT INTO metrics_communityrankstamp (id, stamp) VALUES (1, (random() * 9e18)::bigint) "
    "ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;"
)
READ_SQL = "SELECT coalesce((SELECT stamp FROM metrics_communityrankstamp WHERE id = 1), 0)"

_TRUNCATED = f"""
CREATE OR REPLACE FUNCTION metrics_rank_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {BUMP_SQL}
    RETURN NULL;
END $$;
"""
# (trigger, table, event, its transition tables, function)
_TRIGGERS = [
    ("metrics_rank_identity_trunc", "people_identity", "TRUNCATE", "", "metrics_rank_truncated"),
    ("metrics_rank_requester_trunc", "people_requester", "TRUNCATE", "", "metrics_rank_truncated"),
    ("metrics_rank_ticket_trunc", "mentions_ticket", "TRUNCATE", "", "metrics_rank_truncated"),
    ("metrics_rank_rollup_trunc", "metrics_communityidentityday", "TRUNCATE", "", "metrics_rank_truncated"),
]  # fmt: skip
# Until metrics.0017, an identity moved to another person or removed moved the stamp too, logging nobody, so every
# merge ranked the whole range again (0.25-0.4 s at 1,000,000 tickets). The refresh that follows a merge (every read
# runs it first) rebuilds both people's person-days (the members' triggers mark them) and logs them, so the kept
# ranking follows the two people like any other change; the ranking never read identities since the person-days.
_MERGE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION metrics_rank_identity_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.person_id <> o.person_id) THEN
        {BUMP_SQL}
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION metrics_rank_identity_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows) THEN
        {BUMP_SQL}
    END IF;
    RETURN NULL;
END $$;
"""
_MERGE_TRIGGERS = [
    ("metrics_rank_identity_upd", "people_identity", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "metrics_rank_identity_moved"),
    ("metrics_rank_identity_del", "people_identity", "DELETE", "OLD TABLE AS old_rows", "metrics_rank_identity_gone"),
]  # fmt: skip
MERGE_TRIGGERS_SQL = _MERGE_FUNCTIONS + triggers_create_sql(_MERGE_TRIGGERS)
DROP_MERGE_TRIGGERS_SQL = triggers_drop_sql(
    _MERGE_TRIGGERS, functions=("metrics_rank_identity_moved", "metrics_rank_identity_gone")
)
# metrics.0011's: the stamp's triggers as they were made then.
STAMP_TRIGGERS_SQL = _TRUNCATED + MERGE_TRIGGERS_SQL + triggers_create_sql(_TRIGGERS)
DROP_STAMP_TRIGGERS_SQL = triggers_drop_sql(
    [*_MERGE_TRIGGERS, *_TRIGGERS],
    functions=("metrics_rank_identity_moved", "metrics_rank_identity_gone", "metrics_rank_truncated"),
)
# Added by metrics.0017 (the person-days came after the triggers above): a TRUNCATE of the events empties the
# identity-days and the person-days by DELETE (metrics.rollups' and person_rollup's truncate triggers), which none of
# the above sees, so the kept ranking went on being read under the old stamp; and the person-days truncated directly.
_EMPTIED = [
    ("metrics_rank_event_trunc", "mentions_ticketevent", "TRUNCATE", "", "metrics_rank_truncated"),
    ("metrics_rank_person_days_trunc", "metrics_communitypersonday", "TRUNCATE", "", "metrics_rank_truncated"),
]  # fmt: skip
EMPTIED_TRIGGERS_SQL = triggers_create_sql(_EMPTIED)
DROP_EMPTIED_TRIGGERS_SQL = triggers_drop_sql(_EMPTIED)
# Moves of PEOPLE_CAP or more people logged before metrics.0017 (a first build's): removed, as they would no longer be
# logged (their readers rank again either way).
BIG_MOVES_DELETE_SQL = f"""
DELETE FROM metrics_communityrankchange WHERE stamp IN (
    SELECT stamp FROM metrics_communityrankchange GROUP BY stamp HAVING count(*) >= {PEOPLE_CAP}
)
"""

# A refresh decides which days are past just before it commits; a read that began before the commit, on the other
# side of midnight, may already count the day as past. Treating the last minutes before midnight as after it closes
# that gap (a refresh then moves the stamp for today's changes too, for those minutes only).
MIDNIGHT_MARGIN = timedelta(minutes=5)


# The refresh's move, logged: the stamp taken under the row's lock (a trigger's move in another transaction waits, so
# the log's ids follow the moves' order), then moved and its people written with both values.
STAMP_LOCK_SQL = "SELECT stamp FROM metrics_communityrankstamp WHERE id = 1 FOR UPDATE"
LOGGED_BUMP_SQL = f"""
WITH moved AS ({BUMP_SQL.rstrip(";")} RETURNING stamp)
INSERT INTO metrics_communityrankchange (follows, stamp, person_id)
SELECT %(follows)s, moved.stamp, p FROM moved, unnest(%(people)s::bigint[]) p
"""
# A kept ranking older than the last LOG_ROWS people changed is counted again (its chain's start is gone): the log
# stays small whatever the desk's age. Whole moves only: a move's rows are consecutive (one statement under the
# stamp's lock), and a move cut in half would hand its reader half its people under an intact chain. So the rows up
# to the last one of the move before the one LOG_ROWS back go (a short backward walk of the key from there).
LOG_ROWS = 100_000
PRUNE_SQL = """
WITH cut AS (
    SELECT id, stamp FROM metrics_communityrankchange
    WHERE id <= (SELECT max(id) FROM metrics_communityrankchange) - %(rows)s ORDER BY id DESC LIMIT 1
), earlier AS (
    SELECT c.id FROM metrics_communityrankchange c, cut WHERE c.id < cut.id AND c.stamp <> cut.stamp
    ORDER BY c.id DESC LIMIT 1
)
DELETE FROM metrics_communityrankchange WHERE id <= (SELECT id FROM earlier)
"""


def past_days_changed(cursor: CursorWrapper, changed: list[tuple[date, int]]) -> bool:
    """Inside rollups_refresh's transaction, after every rebuild: `changed`, the (day, person) whose person-day rows
    changed; if a day before today is among them, move the stamp and log its people."""
    today = (datetime.now(UTC) + MIDNIGHT_MARGIN).date()
    people = sorted({person for day, person in changed if day < today})
    if not people:
        return False
    cursor.execute(STAMP_LOCK_SQL)
    row = cursor.fetchone()
    if len(people) >= PEOPLE_CAP:
        # A reader ranks the range again after so many (metrics.community.past_kept): logging them would only fill
        # the log. The first build at 1,000,000 tickets logged 250,000 people as one move, which PRUNE_SQL then
        # walked on every refresh, unable to cut inside it (29 ms a refresh, 1 ms at 20,000 tickets).
        cursor.execute(BUMP_SQL)
        return True
    cursor.execute(LOGGED_BUMP_SQL, {"follows": row[0] if row else 0, "people": people})
    cursor.execute(PRUNE_SQL, {"rows": LOG_ROWS})
    return True


def stamp_read(cursor: CursorWrapper) -> int:
    cursor.execute(READ_SQL)
    return int(cursor.fetchone()[0])
