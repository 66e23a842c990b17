"""Returning members per day on PostgreSQL (metrics.models.CommunityNewcomerDay), summed from the CommunityMember rollup
(metrics.community.member_rollup): per UTC day of members' first mention, its channel and whether its first reply
came within the target, how many members and how many came back within each window. A range's figures then read
days x channels x 2 rows, not one row per newcomer (a year at 1,000,000 tickets is some 200,000 of them).

Kept fresh with CommunityMember, in rollups_refresh's transaction and lock: members_refresh rebuilds the days its
people's rows leave and enter (a new member, a member coming back, which changes their `next_at`, a merge or split
moving a first mention, a ticket deleted). "Within target" depends on mentions.Target's hours, which an admin can
change: CommunityNewcomerTargets holds the targets the days were counted with, and a read with others rebuilds every
day first (metrics.community.members.newcomers_ensure), so the figures always use the targets in force. Until that
first build (no targets row) a refresh rebuilds no day. Imported by migrations: no models here."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.backends.utils import CursorWrapper

WINDOWS = (30, 90)  # days: CommunityNewcomerDay's back_30 and back_90

# Per member `m` (CommunityMember) and the targets' row `b`: not replied is not within target. A window is added as
# hours, so it is always N x 24 hours whatever a session's time zone does to calendar days.
_WITHIN = (
    "coalesce(m.first_reply_seconds <= CASE WHEN m.high_priority THEN b.high_priority_seconds ELSE b.all_seconds END, "
    "false)"
)
_COUNTS = "count(*), " + ", ".join(
    f"count(*) FILTER (WHERE m.next_at <= m.first_at + interval '{days * 24} hours')" for days in WINDOWS
)
_INSERT = (
    "INSERT INTO metrics_communitynewcomerday (day, channel_id, within_target, members, "
    + ", ".join(f"back_{days}" for days in WINDOWS)
    + ")"
)

# The given days again, each read from CommunityMember's first_at index (no targets row: none is built).
NEWCOMER_DAYS_SQL = f"""
DELETE FROM metrics_communitynewcomerday WHERE day = ANY(%(days)s::date[]);
{_INSERT}
SELECT d.day, m.first_channel_id, {_WITHIN}, {_COUNTS}
FROM metrics_communitynewcomertargets b
CROSS JOIN unnest(%(days)s::date[]) AS d(day)
JOIN metrics_communitymember m ON m.first_at >= d.day::timestamp AT TIME ZONE 'UTC'
                               AND m.first_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
GROUP BY 1, 2, 3;
"""

# Every day again, counted with the given targets (seconds), which are recorded.
NEWCOMERS_REBUILD_SQL = f"""
DELETE FROM metrics_communitynewcomertargets;
INSERT INTO metrics_communitynewcomertargets (id, all_seconds, high_priority_seconds) VALUES (1, %(all)s, %(high)s);
DELETE FROM metrics_communitynewcomerday;
{_INSERT}
SELECT (m.first_at AT TIME ZONE 'UTC')::date, m.first_channel_id, {_WITHIN}, {_COUNTS}
FROM metrics_communitynewcomertargets b CROSS JOIN metrics_communitymember m
GROUP BY 1, 2, 3;
"""


def newcomer_days_refresh(cursor: CursorWrapper, days: Collection[date]) -> None:
    """Rebuild these days from CommunityMember (inside rollups_refresh's transaction and lock, after the members)."""
    if days:
        cursor.execute(NEWCOMER_DAYS_SQL, {"days": sorted(days)})


def newcomer_targets(cursor: CursorWrapper) -> tuple[float, float] | None:
    """(all channels, high priority) target seconds the days were counted with; None before the first build."""
    cursor.execute("SELECT all_seconds, high_priority_seconds FROM metrics_communitynewcomertargets")
    row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def newcomers_rebuild(cursor: CursorWrapper, targets: tuple[float, float]) -> None:
    """Every day counted again with these target seconds (all channels, high priority), under the refresh's lock."""
    cursor.execute(NEWCOMERS_REBUILD_SQL, {"all": targets[0], "high": targets[1]})
