"""The most active members' person-days on PostgreSQL (metrics.models_community.CommunityPersonDay): the identity-days
(CommunityIdentityDay) summed per person, so the ranking sums a year of rows without joining each to its identity
(bench/README.md, "Community figures": a year at 1,000,000 tickets, 906,162 rows, 3.2 s joined, 0.33 s from here).

Kept inside rollups_refresh's transaction and lock (metrics.rollups), from the identity-days it has just rebuilt:
- a ticket day rebuilt rebuilds that day's person rows of the people whose identity-days changed
  (`PERSON_DAYS_SQL`, after the identity-days' own: `ranked_days_rebuild`);
- a person marked by the members' triggers (metrics.community.member_rollup: an identity moved to another person, a
  merge or a split, or removed; a requester added, moved or removed; a ticket's counted columns changed) has every
  one of their rows rebuilt (`PERSONS_SQL`), so a merge moves the rows of both people in the refresh that follows it,
  which every read runs first.
Both write only the rows that changed and return their days and people: a past day among them moves the ranking's
stamp and logs its people (metrics.community.past_stamp), whom the next read counts again
(metrics.community.past_kept). An erased person keeps their rows (counts, no text), as their identity-days stay: the
read leaves erased people out. Imported by migrations: no models here."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.backends.utils import CursorWrapper

from metrics.community.past_stamp import IDENTITY_DAYS_SQL
from metrics.statement_triggers import emptying_function_sql, triggers_create_sql, triggers_drop_sql

_KEY = "f.day = p.day AND f.channel_id = p.channel_id AND f.product_id = p.product_id AND f.person_id = p.person_id"


def _write(fresh: str, scope: str) -> str:
    """The person-days of `scope` (a condition on `p`) made equal to `fresh`'s rows, writing only what changed;
    the statement returns each changed row's day and person."""
    return f"""
WITH fresh AS ({fresh}), gone AS (
    DELETE FROM metrics_communitypersonday p
    WHERE {scope} AND NOT EXISTS (SELECT 1 FROM fresh f WHERE {_KEY})
    RETURNING p.day, p.person_id
), put AS (
    INSERT INTO metrics_communitypersonday (day, channel_id, product_id, person_id, mentions)
    SELECT day, channel_id, product_id, person_id, mentions FROM fresh
    ON CONFLICT (day, channel_id, product_id, person_id) DO UPDATE SET mentions = EXCLUDED.mentions
    WHERE metrics_communitypersonday.mentions <> EXCLUDED.mentions
    RETURNING day, person_id
)
SELECT DISTINCT day, person_id FROM (SELECT day, person_id FROM gone UNION ALL SELECT day, person_id FROM put) s
"""


# One day, for the people of the identities whose identity-days of that day changed (`identities`): their identities
# by the person index, those identities' rows of the day by the rollup's identity index. A day rebuilt because three
# of its 2,500 tickets changed (at 1,000,000 tickets) sums three people's rows, not the day's (17 ms there); a person
# whose identities moved is rebuilt whole by PERSONS_SQL.
_DAY_PEOPLE = "ARRAY(SELECT c.person_id FROM people_identity c WHERE c.id = ANY(%(identities)s))"
PERSON_DAYS_SQL = _write(
    f"""
    SELECT d.day, d.channel_id, d.product_id, i.person_id, sum(d.mentions)::int AS mentions
    FROM people_identity i JOIN metrics_communityidentityday d ON d.identity_id = i.id AND d.day = %(day)s
    WHERE i.person_id = ANY({_DAY_PEOPLE})
    GROUP BY d.day, d.channel_id, d.product_id, i.person_id
    """,
    f"p.day = %(day)s AND p.person_id = ANY({_DAY_PEOPLE})",
)
# Some people, every day: their identities by the person index, those identities' days by the rollup's identity index.
PERSONS_SQL = _write(
    """
    SELECT d.day, d.channel_id, d.product_id, i.person_id, sum(d.mentions)::int AS mentions
    FROM people_identity i JOIN metrics_communityidentityday d ON d.identity_id = i.id
    WHERE i.person_id = ANY(%(people)s)
    GROUP BY d.day, d.channel_id, d.product_id, i.person_id
    """,
    "p.person_id = ANY(%(people)s)",
)
# Every row at once: the migration that adds the rollup, from the identity-days already built. In day order, as the
# refresh writes them: a day's rows together (today's ~1,650 rows at 1,000,000 tickets were on 1,461 pages otherwise).
BUILD_SQL = """
INSERT INTO metrics_communitypersonday (day, channel_id, product_id, person_id, mentions)
SELECT d.day, d.channel_id, d.product_id, i.person_id, sum(d.mentions)::int
FROM metrics_communityidentityday d JOIN people_identity i ON i.id = d.identity_id
GROUP BY d.day, d.channel_id, d.product_id, i.person_id
ORDER BY d.day
"""


def ranked_days_rebuild(cursor: CursorWrapper, params: dict[str, Any]) -> list[tuple[date, int]]:
    """A ticket day's identity-days (metrics.community.past_stamp), then the person rows of the people whose
    identity-days changed; `params`: the day's (metrics.rollups). Returns the (day, person) whose person rows changed:
    what the ranking sums (identity-days changed with their person's sums unchanged, a ticket moved between two
    identities of one person, change none)."""
    cursor.execute(IDENTITY_DAYS_SQL, params)
    identities = [identity for (identity,) in cursor.fetchall()]
    if not identities:  # a reply or a status change to the day's tickets: its rows came out the same
        return []
    cursor.execute(PERSON_DAYS_SQL, {**params, "identities": identities})
    return [(day, person) for day, person in cursor.fetchall()]


def persons_rebuild(cursor: CursorWrapper, people: list[int]) -> list[tuple[date, int]]:
    """After the marked people's members' rows (metrics.community.member_rollup.members_refresh): every row of theirs
    again. Returns the (day, person) whose rows changed."""
    if not people:
        return []
    cursor.execute(PERSONS_SQL, {"people": people})
    return [(day, person) for day, person in cursor.fetchall()]


# A truncate of the tickets, their events, the identities or the requesters empties the person-days, as the other
# rollups are emptied by metrics.rollups' truncate trigger (a function of its own: that one is installed by earlier
# migrations, before this table exists).
_TRUNCATED = emptying_function_sql("metrics_person_days_truncated", "metrics_communitypersonday")
_TRUNCATED += emptying_function_sql("metrics_choice_days_truncated", "metrics_communitychoiceday")
_TRIGGERS = [
    ("metrics_person_days_ticket_trunc", "mentions_ticket", "TRUNCATE", "", "metrics_person_days_truncated"),
    ("metrics_person_days_event_trunc", "mentions_ticketevent", "TRUNCATE", "", "metrics_person_days_truncated"),
    ("metrics_person_days_identity_trunc", "people_identity", "TRUNCATE", "", "metrics_person_days_truncated"),
    ("metrics_person_days_requester_trunc", "people_requester", "TRUNCATE", "", "metrics_person_days_truncated"),
    ("metrics_choice_days_ticket_trunc", "mentions_ticket", "TRUNCATE", "", "metrics_choice_days_truncated"),
    ("metrics_choice_days_event_trunc", "mentions_ticketevent", "TRUNCATE", "", "metrics_choice_days_truncated"),
]  # fmt: skip
TRUNCATE_TRIGGERS_SQL = _TRUNCATED + triggers_create_sql(_TRIGGERS)
DROP_TRUNCATE_TRIGGERS_SQL = triggers_drop_sql(
    _TRIGGERS, functions=("metrics_person_days_truncated", "metrics_choice_days_truncated")
)
