"""Exact daily KPI rollups on PostgreSQL: the refresh of the days that changes marked.

Statement-level triggers (metrics.rollup_marks) record in metrics_rollupdirty each UTC day whose figures a change
touches, with the ticket's channel for a ticket's change. `rollups_refresh()` recomputes those days (a ticket's, for the
marked channels only) from the source tables; every KPI read calls it first, and a beat task keeps the backlog short. A
refresh takes a transaction-level advisory lock, so two refreshes never rebuild the same day at once. On other
databases (the embedded SQLite default) there are no rollups: the selectors compute the same figures from the source
rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction

from advocacy.db_router import reports_read
from metrics.community.member_rollup import MARK_ALL_MEMBERS_SQL, members_refresh
from metrics.community.past_stamp import past_days_changed
from metrics.community.person_rollup import persons_rebuild, ranked_days_rebuild
from metrics.community.rollup import COMMUNITY_DAYS_SQL, in_slice
from metrics.competitor_rollup import competitor_days_rebuild
from metrics.product_scope import narrowed_product
from metrics.rollup_marks import (
    HANDLING_KINDS,
    MARK_ALL_SQL,
    PLAY_OPENED,
    REPLY_KINDS,
    SERVED,
    SOLVED,
    STATUS,
    TAG_ADDED,
    WHOLE_DAY,
    sql_list,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

INT4_MAX = 2**31 - 1
REFRESH_LOCK = 0x4B5049  # "KPI": pg_advisory_xact_lock key of the refresh


def _values(column: str) -> str:
    """The day's values of a first-reply column as two blobs: int4 where they fit, int8 beyond."""
    replied = "part = 1 AND first_reply_at IS NOT NULL"
    return (
        f"coalesce(string_agg(int4send({column}::int4), ''::bytea) "
        f"FILTER (WHERE {replied} AND {column} <= {INT4_MAX}), ''::bytea), "
        f"coalesce(string_agg(int8send({column}), ''::bytea) "
        f"FILTER (WHERE {replied} AND {column} > {INT4_MAX}), ''::bytea)"
    )


# --- Refresh ----------------------------------------------------------------------------------------------------

TICKET_DAYS_SQL = f"""
DELETE FROM metrics_ticketday WHERE day = %(day)s AND {in_slice("metrics_ticketday")};
INSERT INTO metrics_ticketday (day, channel_id, product_id, high_priority, created, replied, solved_without_reply,
                               answered_by_community, first_replied, solved, frt, frt_wide, frt_business,
                               frt_business_wide)
SELECT %(day)s, channel_id, product_id, high_priority,
       count(*) FILTER (WHERE part = 1),
       count(*) FILTER (WHERE part = 1 AND first_reply_at IS NOT NULL),
       count(*) FILTER (WHERE part = 1 AND first_reply_at IS NULL AND status = '{SOLVED}' AND NOT community),
       count(*) FILTER (WHERE part = 1 AND status = '{SOLVED}' AND community),
       count(*) FILTER (WHERE part = 2),
       count(*) FILTER (WHERE part = 3),
       {_values("first_reply_seconds")},
       {_values("first_reply_business_seconds")}
FROM (
    SELECT 1 AS part, t.channel_id, coalesce(t.product_id, 0) AS product_id, t.high_priority, t.first_reply_at,
           t.first_reply_seconds, t.first_reply_business_seconds, t.status, EXISTS (
               SELECT 1 FROM mentions_communityanswer c WHERE c.ticket_id = t.id AND c.closed_at IS NOT NULL
           ) AS community
    FROM mentions_ticket t WHERE t.requested_at >= %(since)s AND t.requested_at < %(until)s AND {in_slice("t")}
    UNION ALL
    SELECT 2, t.channel_id, coalesce(t.product_id, 0), t.high_priority, NULL, NULL, NULL, NULL, false
    FROM mentions_ticket t WHERE t.first_reply_at >= %(since)s AND t.first_reply_at < %(until)s AND {in_slice("t")}
    UNION ALL
    SELECT 3, t.channel_id, coalesce(t.product_id, 0), t.high_priority, NULL, NULL, NULL, NULL, false
    FROM mentions_ticket t WHERE t.solved_at >= %(since)s AND t.solved_at < %(until)s AND {in_slice("t")}
) s
GROUP BY channel_id, product_id, high_priority;
"""

EVENT_DAYS_SQL = f"""
DELETE FROM metrics_advocateday WHERE day = %(day)s;
INSERT INTO metrics_advocateday (day, actor_id, channel_id, product_id, served, replied, solved, handling)
SELECT %(day)s, e.actor_id, t.channel_id, coalesce(t.product_id, 0),
       count(*) FILTER (WHERE e.kind = '{SERVED}' AND e.data ->> 'via' = 'play'),
       count(*) FILTER (WHERE e.kind IN ({sql_list(REPLY_KINDS)})),
       count(*) FILTER (WHERE e.kind = '{STATUS}' AND e.data ->> 'to' = '{SOLVED}'),
       coalesce(string_agg(int8send(h.micros), ''::bytea), ''::bytea)
FROM mentions_ticketevent e
JOIN mentions_ticket t ON t.id = e.ticket_id
LEFT JOIN LATERAL (
    SELECT (EXTRACT(EPOCH FROM (n.created_at - e.created_at)) * 1000000)::bigint AS micros
    FROM mentions_ticketevent n
    WHERE e.kind = '{SERVED}' AND e.data ->> 'via' = 'play'
          AND n.ticket_id = e.ticket_id AND n.actor_id = e.actor_id
          AND n.kind IN ({sql_list(HANDLING_KINDS)}) AND n.created_at >= e.created_at
          AND NOT (n.kind = '{STATUS}'
                   AND (n.data ->> 'from', n.data ->> 'to') IS NOT DISTINCT FROM ({sql_list(PLAY_OPENED)}))
    ORDER BY n.created_at, n.id LIMIT 1
) h ON true
WHERE e.created_at >= %(since)s AND e.created_at < %(until)s
      AND e.kind IN ({sql_list((SERVED, *HANDLING_KINDS))}) AND e.actor_id IS NOT NULL
GROUP BY e.actor_id, t.channel_id, coalesce(t.product_id, 0);
DELETE FROM metrics_tagday WHERE day = %(day)s;
INSERT INTO metrics_tagday (day, tag, product_id, added)
SELECT %(day)s, e.data ->> 'tag', coalesce(t.product_id, 0), count(*)
FROM mentions_ticketevent e
JOIN mentions_ticket t ON t.id = e.ticket_id
WHERE e.kind = '{TAG_ADDED}' AND e.created_at >= %(since)s AND e.created_at < %(until)s
      AND e.data ->> 'tag' IS NOT NULL
GROUP BY 2, 3;
"""


_fresh_for_this_read: ContextVar[bool] = ContextVar("kpi_rollups_fresh", default=False)
_read_memo: ContextVar[dict | None] = ContextVar("kpi_rollups_memo", default=None)


def _day_params(day: date, channels: list[int] | None = None) -> dict[str, date | datetime | list[int] | None]:
    """A day's parameters: its bounds, and the channels whose rows are rebuilt (None: every channel's)."""
    since = datetime.combine(day, time.min, tzinfo=UTC)
    return {"day": day, "since": since, "until": since + timedelta(days=1), "channels": channels}


def ticket_slices(marked: list[tuple[date, str, int]]) -> list[tuple[date, list[int] | None]]:
    """The days to rebuild for the "ticket" marks, in order, each with its marked channels (None: every channel, when
    the whole day was marked)."""
    channels: dict[date, set[int]] = {}
    for day, kind, channel in marked:
        if kind == "ticket":
            channels.setdefault(day, set()).add(channel)
    return [(day, None if WHOLE_DAY in channels[day] else sorted(channels[day])) for day in sorted(channels)]


KPI_VERSION_KEY = "kpi:version"


def kpi_version() -> int:
    """Changes whenever a KPI figure may have changed: a refresh that rebuilt days (every ticket and event
    change marks its days), or a change to what the figures read besides tickets (metrics.apps)."""
    return cache.get(KPI_VERSION_KEY, 0)


def kpi_version_bump(**kwargs: object) -> None:
    try:
        cache.incr(KPI_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value retires the old keys
        cache.set(KPI_VERSION_KEY, 1, timeout=None)


def rollups_supported() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def rollups_read() -> Iterator[None]:
    """One refresh for a whole page, export or command: the selectors inside skip their own. The refresh writes
    on the primary; the reads inside are a report's, made on the replica when there is one (advocacy.db_router)."""
    rollups_refresh()
    token = _fresh_for_this_read.set(True)
    memo_token = _read_memo.set({})
    try:
        with reports_read():
            yield
    finally:
        _read_memo.reset(memo_token)
        _fresh_for_this_read.reset(token)


def rollups_memo(key: tuple, fetch: Callable[[], T]) -> T:
    """Inside rollups_read(), a read two selectors share is fetched once (per product: metrics.product_scope)."""
    memo = _read_memo.get()
    if memo is None:
        return fetch()
    key = (narrowed_product(), *key)
    if key not in memo:
        memo[key] = fetch()
    return memo[key]


def rollups_ensure_fresh() -> None:
    """What every rollup-reading selector calls first: a refresh, unless its caller already did one."""
    if not _fresh_for_this_read.get():
        rollups_refresh()


def rollups_refresh() -> dict[str, int]:
    """Recompute every day marked since the last refresh. Returns how many days of each kind."""
    if not rollups_supported():
        return {"ticket": 0, "event": 0, "members": 0}
    with connection.cursor() as cursor:
        # The Community page's people (metrics.community.member_rollup) are marked apart, by person.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM metrics_rollupdirty) OR EXISTS (SELECT 1 FROM metrics_communitymemberdirty)"
        )
        if not cursor.fetchone()[0]:  # the common case: nothing changed, one cheap query
            return {"ticket": 0, "event": 0, "members": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        # One day per statement: with literal bounds the planner sizes each day right (one array of days
        # made it guess a third of the table and hash-join every ticket); a day is small, so no JIT.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DELETE FROM metrics_rollupdirty RETURNING day, kind, channel_id")
        marked = cursor.fetchall()
        ticket_days = sorted({day for day, kind, _ in marked if kind == "ticket"})
        event_days = sorted({day for day, kind, _ in marked if kind == "event"})
        ranked = []  # the (day, person) whose CommunityPersonDay rows changed (what the ranking sums)
        for day, channels in ticket_slices(marked):
            params = _day_params(day, channels)
            cursor.execute(TICKET_DAYS_SQL, params)
            cursor.execute(COMMUNITY_DAYS_SQL, params)
            ranked += ranked_days_rebuild(cursor, params)
        for day in event_days:
            cursor.execute(EVENT_DAYS_SQL, _day_params(day))
        people = members_refresh(cursor)
        ranked += persons_rebuild(cursor, people)  # after the days: from the identity-days as they now are
        past_days_changed(cursor, ranked)  # last: it decides which days are past just before the commit
    if marked or people:
        kpi_version_bump()
    if len(marked) > 31:
        logger.info("kpi rollups: rebuilt %d ticket and %d event days", len(ticket_days), len(event_days))
    return {"ticket": len(ticket_days), "event": len(event_days), "members": len(people)}


def rollups_rebuild() -> dict[str, int]:
    """Mark every day and refresh: the first build, or a repair after a manual data fix. The competitors' days
    (share of voice), which are never marked, are built again from their mentions at once."""
    if not rollups_supported():
        return {"ticket": 0, "event": 0, "members": 0, "competitor_days": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(MARK_ALL_SQL)
        cursor.execute(MARK_ALL_MEMBERS_SQL)
        competitor_days = competitor_days_rebuild(cursor)
    return {**rollups_refresh(), "competitor_days": competitor_days}


def days_marked() -> list[tuple[date, str]]:
    """The days marked and not yet rebuilt (each once, whichever channels)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT day, kind FROM metrics_rollupdirty ORDER BY day, kind")
        return list(cursor.fetchall())
