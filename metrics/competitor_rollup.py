"""Share of voice's competitor side as a daily rollup on PostgreSQL (metrics.models.CompetitorDay): each competitor's
counted mentions (channels.CompetitorMention) per UTC day of `posted_at` and sentiment, so a year's share of voice
sums a few thousand rows instead of grouping every mention found in it (bench/README.md, "Community figures": 61 ms
at 20,000 tickets, 158 ms at 1,000,000 before, the mentions grouped per request).

Kept exact as the rows change, in the statement that changes them: statement-level triggers with transition tables
add what an INSERT stored (the rows an `ON CONFLICT DO NOTHING` left out are not in its transition table, so a
duplicate found again is never counted twice) and take away what a DELETE removed. So every path is counted without
knowing of this rollup: a poll's batch (intake.services.competitors), the erasure of a person (people.privacy), a
competitor or channel deleted (Django deletes its mentions), the demo, a bulk load. An UPDATE (none is made: a row is
written once) moves its row's count like a delete and an insert; a TRUNCATE empties the rollup. A day whose count
falls to 0 is deleted, so the rollup holds exactly the groups the rows hold.

Unlike the KPI rollups (metrics.rollups), nothing is marked and refreshed later: a mention changes one counter, so
the counters move in the writer's transaction and a read never waits for a rebuild. `COMPETITOR_DAYS_REBUILD_SQL`
builds them from the rows (the migration's first build, and `manage.py kpi_rollups --rebuild` as a repair).

On other databases (the embedded SQLite default) there is no rollup: metrics.share_of_voice groups the rows, as the
other Community figures do there. Imported by migrations: no models here."""

from __future__ import annotations

from django.db.backends.utils import CursorWrapper

from metrics.statement_triggers import (
    emptying_function_sql,
    transition_function_sql,
    triggers_create_sql,
    triggers_drop_sql,
)

_KEY = ("day", "competitor_id", "sentiment")
_GROUPED = (
    "SELECT (posted_at AT TIME ZONE 'UTC')::date AS day, competitor_id, sentiment, count(*) AS n "
    "FROM {rows} GROUP BY 1, 2, 3"
)
_ON_KEY = " AND ".join(f"c.{column} = g.{column}" for column in _KEY)
# In key order, so that two writers lock the day rows they share in the same order (the poll sorts its batch so,
# across batches too).
_ADD = f"""
    INSERT INTO metrics_competitorday (day, competitor_id, sentiment, mentions)
    SELECT day, competitor_id, sentiment, n FROM ({_GROUPED.format(rows="new_rows")}) g ORDER BY 1, 2, 3
    ON CONFLICT (day, competitor_id, sentiment)
    DO UPDATE SET mentions = metrics_competitorday.mentions + EXCLUDED.mentions;
"""
_SUBTRACT = f"""
    UPDATE metrics_competitorday c SET mentions = c.mentions - g.n
    FROM ({_GROUPED.format(rows="old_rows")}) g WHERE {_ON_KEY};
    DELETE FROM metrics_competitorday c USING ({_GROUPED.format(rows="old_rows")}) g
    WHERE {_ON_KEY} AND c.mentions <= 0;
"""
_FUNCTIONS = {
    "metrics_competitor_mentions_added": _ADD,
    "metrics_competitor_mentions_removed": _SUBTRACT,
}
_TRUNCATED = "metrics_competitor_mentions_truncated"
_TABLE = "channels_competitormention"
# (trigger, event, transition tables, function). An UPDATE takes its old rows away before adding its new ones
# (triggers fire in their names' order), so a row moved to another day or sentiment is counted once, where it is.
_TRIGGERS = [
    ("metrics_competitor_mention_ins", "INSERT", "NEW TABLE AS new_rows", "metrics_competitor_mentions_added"),
    ("metrics_competitor_mention_upd_1_old", "UPDATE", "OLD TABLE AS old_rows", "metrics_competitor_mentions_removed"),
    ("metrics_competitor_mention_upd_2_new", "UPDATE", "NEW TABLE AS new_rows", "metrics_competitor_mentions_added"),
    ("metrics_competitor_mention_del", "DELETE", "OLD TABLE AS old_rows", "metrics_competitor_mentions_removed"),
    ("metrics_competitor_mention_trunc", "TRUNCATE", "", _TRUNCATED),
]

_ON_TABLE = [(name, _TABLE, event, rows, function) for name, event, rows, function in _TRIGGERS]
COMPETITOR_TRIGGERS_SQL = "".join(transition_function_sql(name, body) for name, body in _FUNCTIONS.items())
COMPETITOR_TRIGGERS_SQL += emptying_function_sql(_TRUNCATED, "metrics_competitorday")
COMPETITOR_TRIGGERS_SQL += triggers_create_sql(_ON_TABLE)
DROP_COMPETITOR_TRIGGERS_SQL = triggers_drop_sql(_ON_TABLE, functions=[*_FUNCTIONS, _TRUNCATED])

# Every day again from the rows. The lock keeps writers out meanwhile (their triggers would add to the days being
# rebuilt); readers go on.
COMPETITOR_DAYS_REBUILD_SQL = f"""
LOCK TABLE {_TABLE} IN SHARE MODE;
DELETE FROM metrics_competitorday;
INSERT INTO metrics_competitorday (day, competitor_id, sentiment, mentions)
SELECT day, competitor_id, sentiment, n FROM ({_GROUPED.format(rows=_TABLE)}) g;
"""


def competitor_days_rebuild(cursor: CursorWrapper) -> int:
    """Every competitor day again from the rows (inside the caller's transaction). Returns how many day rows."""
    cursor.execute(COMPETITOR_DAYS_REBUILD_SQL)
    cursor.execute("SELECT count(*) FROM metrics_competitorday")
    return int(cursor.fetchone()[0])
