"""Returning members per day on PostgreSQL (metrics.models.CommunityNewcomerDay), summed from the CommunityMember rollup
(metrics.community.member_rollup): per UTC day of members' first mention, its channel and whether its first reply
came within the target, how many members and how many came back within each window; and per day and group over
every channel (channel_id ALL_CHANNELS). A range's figures then read days x 2 rows (days x 2 of the channel's when
one is chosen), not one row per newcomer (a year at 1,000,000 tickets is some 200,000 of them).

Kept fresh with CommunityMember, in rollups_refresh's transaction and lock: the statements of members_refresh that
remove the marked people's rows take their counts off their days, and the ones that make their rows again add the
new counts (a new member, a member coming back, which changes their `next_at`, a merge or split moving a first
mention, a ticket deleted), so the cost is the people changed, not every newcomer of the days they touch; a day row
left with no member is dropped. "Within target" depends on mentions.Target's hours, which an admin can change:
CommunityNewcomerTargets holds the targets the days were counted with, and a read with others counts every day again
first (metrics.community.members.newcomers_ensure), so the figures always use the targets in force. Until that first
build (no targets row) a refresh adds and takes off nothing. Imported by migrations: no models here."""

from __future__ import annotations

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
ALL_CHANNELS = 0  # the channel_id of a day's rows over every channel: what a read without a channel sums
_DAY = "(m.first_at AT TIME ZONE 'UTC')::date"


def _counted(rows: str, counts: str) -> str:
    """The members `m` of `rows` counted per day, channel and group, and per day and group over every channel."""
    return f"""SELECT {_DAY}, coalesce(m.first_channel_id, {ALL_CHANNELS}), {_WITHIN}, {counts}
FROM {rows} m CROSS JOIN metrics_communitynewcomertargets b
GROUP BY GROUPING SETS (({_DAY}, m.first_channel_id, {_WITHIN}), ({_DAY}, {_WITHIN}))"""


def newcomers_delta(rows: str, *, taken_off: bool) -> str:
    """SQL adding the CommunityMember rows of the CTE `rows` to their days (or taking them off), counted with the
    recorded targets (none recorded: nothing, the first build counts every day). Returns each touched day row's id
    and members, so the rows taken down to no member can be dropped."""
    counts = _COUNTS.replace("count(*)", "-count(*)") if taken_off else _COUNTS
    updates = ", ".join(f"{c} = n.{c} + excluded.{c}" for c in ("members", *(f"back_{days}" for days in WINDOWS)))
    return f"""{_INSERT.replace("newcomerday ", "newcomerday AS n ", 1)}
{_counted(rows, counts)}
ON CONFLICT (day, channel_id, within_target) DO UPDATE SET {updates}
RETURNING n.id, n.members"""


# Every day again, counted with the given targets (seconds), which are recorded.
NEWCOMERS_REBUILD_SQL = f"""
DELETE FROM metrics_communitynewcomertargets;
INSERT INTO metrics_communitynewcomertargets (id, all_seconds, high_priority_seconds) VALUES (1, %(all)s, %(high)s);
DELETE FROM metrics_communitynewcomerday;
{_INSERT}
{_counted("metrics_communitymember", _COUNTS)};
"""


def newcomers_emptied_drop(cursor: CursorWrapper, ids: list[int]) -> None:
    """Drop the day rows a refresh took down to no member (unless its new rows filled them again)."""
    if ids:
        cursor.execute("DELETE FROM metrics_communitynewcomerday WHERE id = ANY(%s) AND members = 0", [ids])


def newcomer_targets(cursor: CursorWrapper) -> tuple[float, float] | None:
    """(all channels, high priority) target seconds the days were counted with; None before the first build."""
    cursor.execute("SELECT all_seconds, high_priority_seconds FROM metrics_communitynewcomertargets")
    row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def newcomers_rebuild(cursor: CursorWrapper, targets: tuple[float, float]) -> None:
    """Every day counted again with these target seconds (all channels, high priority), under the refresh's lock."""
    cursor.execute(NEWCOMERS_REBUILD_SQL, {"all": targets[0], "high": targets[1]})
