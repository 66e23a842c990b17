"""Reading the detector's index (stories.models.Key): for each of many keys, its story-level rows (an incident's)
and its latest ticket rows since a time, at most `per_key` of them. An everyday word's key can have thousands of
rows in the window; reading only the latest keeps a page's lookup the same size however long the desk runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from stories.models import Key, Membership

Row = tuple[str, int | None, int | None, datetime]


def keys_latest(keys: list[str], *, since: datetime, per_key: int, tickets_only: bool = False) -> list[Row]:
    """(key, ticket id, story id, at) rows: per key, every story-level row (unless `tickets_only`) and the
    `per_key` latest ticket rows at or after `since`."""
    if not keys:
        return []
    if connection.vendor == "postgresql":
        return _lateral(keys, since, per_key, tickets_only)
    return _window(keys, since, per_key, tickets_only)


def _lateral(keys: list[str], since: datetime, per_key: int, tickets_only: bool) -> list[Row]:
    """One index range scan of (key, at) per key, newest first, stopped after `per_key` rows. The story-level rows
    (an incident's, a release's: a handful) are found once among the window's rows, not by a scan per key: each
    would visit every row of its key in the window to find none (half the lookup of a page's 1,500 keys)."""
    table = Key._meta.db_table
    stories = (
        ""
        if tickets_only
        # Materialised: the window's rows by time (story_key_at_idx), then the keys among them; asked with the
        # keys, the planner would scan each key's rows of the window again.
        else f"WITH story_rows AS MATERIALIZED (SELECT key, ticket_id, story_id, at FROM {table} "  # noqa: S608
        "WHERE story_id IS NOT NULL AND at >= %(since)s) "
        "SELECT key, ticket_id, story_id, at, 0 AS part FROM story_rows WHERE key = ANY(%(keys)s) UNION ALL "
    )
    sql = (
        f"{stories}SELECT k.key, x.ticket_id, x.story_id, x.at, 1 FROM unnest(%(keys)s::text[]) AS k(key) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT ticket_id, story_id, at FROM {table} WHERE key = k.key "
        "AND ticket_id IS NOT NULL AND at >= %(since)s ORDER BY at DESC LIMIT %(per_key)s) AS x"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"keys": keys, "since": since, "per_key": per_key})
        rows = cursor.fetchall()
    # Per key, its story rows (oldest first) before its ticket rows (newest first), as callers have read them.
    order = {key: n for n, key in enumerate(keys)}
    rows.sort(key=lambda r: (order[r[0]], r[4], r[3] if r[4] == 0 else 0))
    return [(key, ticket_id, story_id, at) for key, ticket_id, story_id, at, _part in rows]


def _window(keys: list[str], since: datetime, per_key: int, tickets_only: bool) -> list[Row]:
    """SQLite (the embedded default): the same rows ranked by a window function."""
    rank = Window(RowNumber(), partition_by=F("key"), order_by=[F("story_id").desc(nulls_last=True), F("at").desc()])
    out: list[Any] = []
    for i in range(0, len(keys), 500):
        rows = Key.objects.filter(key__in=keys[i : i + 500], at__gte=since)
        if tickets_only:
            rows = rows.filter(ticket__isnull=False)
        out += rows.annotate(rank=rank).filter(rank__lte=per_key).values_list("key", "ticket_id", "story_id", "at")
    return out


def memberships_of(ticket_ids: set[int]) -> list[tuple[int, int]]:
    """(ticket id, story id) of those of the tickets in a story: the index's hits of a page are thousands of
    tickets, sent as one array (the ORM's `__in` prepares each id in Python)."""
    if connection.vendor != "postgresql":
        return list(Membership.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", "story_id"))
    sql = f"SELECT ticket_id, story_id FROM {Membership._meta.db_table} WHERE ticket_id = ANY(%s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(ticket_ids)])
        return [tuple(row) for row in cursor.fetchall()]
