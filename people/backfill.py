"""Tie what was stored before the people app (or while its ingest stage failed) to people: every inbound
message without an author, every ticket without a requester. Set-based SQL over the tables, the same on
PostgreSQL and SQLite but for how new people get their ids; safe to run again (it takes only what is not
tied yet). Run by the app's data migration and by `manage.py people_backfill`.

Plain SQL on the tables, never the models: a migration runs it against the schema of its time.
The account key is people.models.account_key written in SQL (a test holds the two to the same answers).
"""

from __future__ import annotations

import re
from typing import Any

from channels.adapters.registry import kinds_where

# people.models.account_key in SQL.
KEY_SQL = "lower(ltrim(trim({}), '@'))"


def platform_sql() -> str:
    """people.ingest.platform_of in SQL, over the channel `c`: its kind, or "<kind>:<slug>" for a platform whose
    channels each are a platform of their own (declared identity "channel": the webhook)."""
    own = kinds_where(lambda p: p.identity == "channel")
    if not all(re.fullmatch(r"[a-z0-9_]+", kind) for kind in own):
        raise ValueError(f"A kind that is not a plain word: {own}")
    if not own:
        return "c.kind"
    listed = ", ".join(f"'{kind}'" for kind in own)
    return f"CASE WHEN c.kind IN ({listed}) THEN c.kind || ':' || c.slug ELSE c.kind END"


_AUTHORS = f"""
CREATE TEMP TABLE people_backfill_authors AS
SELECT m.id AS message_id, {{platform}} AS platform, {KEY_SQL.format("m.author_handle")} AS key,
       m.author_handle AS handle, m.author_name AS name, m.author_url AS url, m.platform_created_at AS at
FROM mentions_message m JOIN channels_channel c ON c.id = m.channel_id
WHERE m.kind = 'inbound' AND {KEY_SQL.format("m.author_handle")} <> ''
  AND NOT EXISTS (SELECT 1 FROM people_authorship pa WHERE pa.message_id = m.id)
"""

# One row per account: the handle, name and address of its latest message.
_ACCOUNTS = {
    "postgresql": """
CREATE TEMP TABLE people_backfill_accounts AS
SELECT l.platform, l.key, l.handle, l.name, l.url, i.id AS identity_id,
       CASE WHEN i.id IS NULL THEN nextval(pg_get_serial_sequence('people_person', 'id')) END AS person_id
FROM (SELECT DISTINCT ON (platform, key) platform, key, handle, name, url FROM people_backfill_authors
      ORDER BY platform, key, at DESC, message_id DESC) l
LEFT JOIN people_identity i ON i.platform = l.platform AND i.key = l.key
""",
    # SQLite takes the bare columns of an aggregate query from the row holding max(at).
    "sqlite": """
CREATE TEMP TABLE people_backfill_accounts AS
SELECT s.platform, s.key, s.handle, s.name, s.url, i.id AS identity_id,
       CASE WHEN i.id IS NULL THEN %(start)s + row_number() OVER (PARTITION BY i.id IS NULL ORDER BY s.platform, s.key)
       END AS person_id
FROM (SELECT platform, key, handle, name, url, max(at) AS last FROM people_backfill_authors GROUP BY platform, key) s
LEFT JOIN people_identity i ON i.platform = s.platform AND i.key = s.key
""",
}

_STEPS = [
    # People and identities for the accounts seen the first time.
    """INSERT INTO people_person (id, name, notes, region, time_zone, links, created_at, updated_at)
       SELECT person_id, substr(CASE WHEN name <> '' THEN name ELSE handle END, 1, 200), '', '', '', '',
              %(now)s, %(now)s
       FROM people_backfill_accounts WHERE identity_id IS NULL""",
    """INSERT INTO people_identity (person_id, platform, key, handle, name, url, created_at)
       SELECT person_id, platform, key, handle, name, url, %(now)s
       FROM people_backfill_accounts WHERE identity_id IS NULL""",
    """INSERT INTO people_authorship (message_id, identity_id)
       SELECT a.message_id, i.id FROM people_backfill_authors a
       JOIN people_identity i ON i.platform = a.platform AND i.key = a.key""",
    f"""INSERT INTO people_requester (ticket_id, identity_id)
       SELECT t.id, i.id FROM mentions_ticket t JOIN channels_channel c ON c.id = t.channel_id
       JOIN people_identity i ON i.platform = {{platform}} AND i.key = {KEY_SQL.format("t.requester_handle")}
       WHERE t.requester_handle <> '' AND NOT EXISTS (SELECT 1 FROM people_requester r WHERE r.ticket_id = t.id)""",
]


def people_backfill(connection: Any, now: Any) -> dict[str, int]:
    """Tie the untied messages and tickets; returns how many messages, tickets, people were tied or made."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS people_backfill_authors")
        cursor.execute("DROP TABLE IF EXISTS people_backfill_accounts")
        platform = platform_sql()
        cursor.execute(_AUTHORS.format(platform=platform))
        start = 0
        if vendor == "sqlite":
            cursor.execute("SELECT max(id) FROM people_person")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'people_person'")
            found = cursor.fetchone()
            start = max(highest, found[0] if found else 0)
        cursor.execute(_ACCOUNTS["postgresql" if vendor == "postgresql" else "sqlite"], {"start": start})
        if vendor == "postgresql":  # temporary tables are never analysed on their own
            cursor.execute("ANALYZE people_backfill_authors")
            cursor.execute("ANALYZE people_backfill_accounts")
        counts = {}
        for name, step in zip(("people", "identities", "messages", "tickets"), _STEPS, strict=True):
            cursor.execute(step.format(platform=platform), {"now": now})
            counts[name] = cursor.rowcount
        cursor.execute("DROP TABLE people_backfill_authors")
        cursor.execute("DROP TABLE people_backfill_accounts")
        if vendor == "postgresql" and counts["messages"]:
            # The pages read these tables by person right after: statistics now, not when autovacuum comes by
            # (without them the person page's queries scanned every authorship row, 1.4 s at 1,800,000).
            for table in ("people_person", "people_identity", "people_authorship", "people_requester"):
                cursor.execute(f"ANALYZE {table}")
    return counts
