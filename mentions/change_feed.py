"""The change feed: every history event of every ticket, in an order a client can follow from any
point without missing or repeating one while tickets keep changing (mentions' initial migration says why it
is (txid, id) on PostgreSQL). A position is opaque to clients: `<txid>.<id>`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection

from mentions.models import TicketEvent

# ASCII digits only, matched whole: \d takes "١٢" and $ a trailing newline.
POSITION = re.compile(r"([0-9]{1,19})\.([0-9]{1,19})")
BIGINT_MAX = 2**63 - 1
MAX_LIMIT = 1000


# The oldest transaction still running that may write here: any in the snapshot's in-progress list
# except those positively another database's (pg_stat_activity; a 64-bit transaction id's low 32 bits
# are its backend_xid), or, with none, the snapshot's xmax. A transaction of another database, say a
# test run or a report on a shared server, would otherwise hold the feed back; one not identified
# (it ended meanwhile, a prepared transaction) holds it back, which delays and never loses an event.
HORIZON_SQL = """
    WITH horizon AS (
        SELECT COALESCE(min(running), pg_snapshot_xmax(pg_current_snapshot())::text::bigint) AS position
        FROM (
            SELECT x::text::bigint AS running FROM pg_snapshot_xip(pg_current_snapshot()) AS x
        ) AS in_progress
        WHERE (running %% 4294967296) NOT IN (
            SELECT backend_xid::text::bigint FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
        )
    )
"""

FEED_SQL = (
    HORIZON_SQL  # noqa: S608 - both parts are constants of this module
    + """    -- Only below that horizon: nothing can commit there any more.
    SELECT COALESCE(txid, 0), id FROM mentions_ticketevent
    WHERE COALESCE(txid, 0) < (SELECT position FROM horizon)
      AND (COALESCE(txid, 0), id) > (%s, %s)
    ORDER BY COALESCE(txid, 0), id
    LIMIT %s
"""
)

END_SQL = (
    HORIZON_SQL  # noqa: S608 - both parts are constants of this module
    + """    -- The last position below that horizon: where a reader starting now begins.
    SELECT COALESCE(txid, 0), id FROM mentions_ticketevent
    WHERE COALESCE(txid, 0) < (SELECT position FROM horizon)
    ORDER BY COALESCE(txid, 0) DESC, id DESC
    LIMIT 1
"""
)


class BadPosition(ValueError):
    pass


@dataclass
class FeedPage:
    events: list[TicketEvent]
    position: str  # where the next read starts (the same one when nothing new was ready)


def position_parse(text: str) -> tuple[int, int]:
    if not text:
        return (0, 0)
    match = POSITION.fullmatch(text)
    if match is None or max(int(match.group(1)), int(match.group(2))) > BIGINT_MAX:
        raise BadPosition("`after` is a position this feed gave (`<number>.<number>`), or empty for the start.")
    return int(match.group(1)), int(match.group(2))


def changes_after(*, after: str = "", limit: int = 500) -> FeedPage:
    """Up to `limit` events after `after`, oldest first, with actor and ticket loaded."""
    txid, last_id = position_parse(after)
    limit = max(1, min(limit, MAX_LIMIT))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(FEED_SQL, [txid, last_id, limit])
            positions = cursor.fetchall()
    else:  # SQLite writes one transaction at a time: ids are in commit order
        ids = TicketEvent.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:limit]
        positions = [(0, pk) for pk in ids]
    if not positions:
        return FeedPage(events=[], position=after or "0.0")
    by_id = TicketEvent.objects.select_related("actor").in_bulk([pk for _, pk in positions])
    events = [by_id[pk] for _, pk in positions if pk in by_id]
    last_txid, last_pk = positions[-1]
    return FeedPage(events=events, position=f"{last_txid}.{last_pk}")


def feed_end() -> str:
    """The position after everything served so far: a reader starting here gets only what comes next."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(END_SQL, [])  # with params, so its %% reads as %
            row = cursor.fetchone()
        return f"{row[0]}.{row[1]}" if row else "0.0"
    last = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return f"0.{last or 0}"
